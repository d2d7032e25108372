//! `junction users create|list|update|disable|enable|reset-password|delete`:
//! first-party users from the command line, each one admin API operation
//! sent to a running Junction (`--admin URL` with `--token`) or run in this
//! process against the store (`--redis URL`, or the embedded store in
//! `--data-dir`). A password Junction generates is printed once, alone on
//! standard output.

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::subgraph::{execute, TargetArgs};

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; without --password one is generated and printed once.
    Create(CreateArgs),
    /// List users, oldest first.
    List(ListArgs),
    /// Change a user's org, roles or tier.
    Update(UpdateArgs),
    /// Disable a user (it can no longer log in).
    Disable(IdArgs),
    /// Enable a disabled user again.
    Enable(IdArgs),
    /// Set a user's password; without --password one is generated and printed once.
    ResetPassword(PasswordArgs),
    /// Delete a user.
    Delete(IdArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub email: String,
    /// At least 12 characters (visible in your shell's history: prefer the
    /// generated one, or JUNCTION_USER_PASSWORD).
    #[arg(long, env = "JUNCTION_USER_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    #[arg(long)]
    pub org: Option<String>,
    /// A role the user holds; repeat for several.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    #[arg(long)]
    pub tier: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Users per page (1 to 500).
    #[arg(long, default_value_t = 50)]
    pub first: i32,
    /// The id of the last user of the page before.
    #[arg(long)]
    pub after: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub org: Option<String>,
    /// The user's roles, replacing its current ones; repeat for several.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Option<Vec<String>>,
    #[arg(long)]
    pub tier: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct PasswordArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long, env = "JUNCTION_USER_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

const USER_FIELDS: &str = "id email org roles tier disabled createdAt createdBy updatedAt";

pub async fn run(command: UsersCommand) -> anyhow::Result<()> {
    let (target, query, variables) = request(&command);
    let result = execute(target, &query, variables).await?;
    if target.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_human(&command, &result);
    }
    Ok(())
}

fn request(command: &UsersCommand) -> (&TargetArgs, String, Value) {
    let with_password = format!("password user {{ {USER_FIELDS} }}");
    match command {
        UsersCommand::Create(a) => (
            &a.target,
            format!("mutation($input: CreateUserInput!) {{ result: createUser(input: $input) {{ {with_password} }} }}"),
            json!({ "input": { "email": a.email, "password": a.password, "org": a.org, "roles": a.roles, "tier": a.tier } }),
        ),
        UsersCommand::List(a) => (
            &a.target,
            format!("query($first: Int, $after: String) {{ result: users(first: $first, after: $after) {{ {USER_FIELDS} }} }}"),
            json!({ "first": a.first, "after": a.after }),
        ),
        UsersCommand::Update(a) => (
            &a.target,
            format!("mutation($id: String!, $input: UpdateUserInput!) {{ result: updateUser(id: $id, input: $input) {{ {USER_FIELDS} }} }}"),
            json!({ "id": a.id, "input": { "org": a.org, "roles": a.roles, "tier": a.tier } }),
        ),
        UsersCommand::Disable(a) | UsersCommand::Enable(a) => (
            &a.target,
            format!("mutation($id: String!, $disabled: Boolean!) {{ result: setUserDisabled(id: $id, disabled: $disabled) {{ {USER_FIELDS} }} }}"),
            json!({ "id": a.id, "disabled": matches!(command, UsersCommand::Disable(_)) }),
        ),
        UsersCommand::ResetPassword(a) => (
            &a.target,
            format!("mutation($id: String!, $password: String) {{ result: resetUserPassword(id: $id, password: $password) {{ {with_password} }} }}"),
            json!({ "id": a.id, "password": a.password }),
        ),
        UsersCommand::Delete(a) => (
            &a.target,
            "mutation($id: String!) { result: deleteUser(id: $id) }".to_string(),
            json!({ "id": a.id }),
        ),
    }
}

fn print_human(command: &UsersCommand, result: &Value) {
    let text = |v: &Value, key: &str| match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    let line = |user: &Value| {
        let state = if user["disabled"] == true {
            "disabled"
        } else {
            "enabled"
        };
        format!(
            "{:<28} {:<32} {:<9} roles={}",
            text(user, "id"),
            text(user, "email"),
            state,
            text(user, "roles")
        )
    };
    match command {
        UsersCommand::Create(_) | UsersCommand::ResetPassword(_) => {
            eprintln!("{}", line(&result["user"]));
            if let Some(password) = result["password"].as_str() {
                eprintln!("generated password, shown this once:");
                println!("{password}");
            }
        }
        UsersCommand::List(_) => {
            for user in result.as_array().into_iter().flatten() {
                println!("{}", line(user));
            }
        }
        UsersCommand::Update(_) | UsersCommand::Disable(_) | UsersCommand::Enable(_) => {
            println!("{}", line(result));
        }
        UsersCommand::Delete(args) => println!("deleted user {}", args.id),
    }
}
