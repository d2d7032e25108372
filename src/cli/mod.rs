//! The `junction` command line: `serve`, `dev`, `compose`, `plan` and `subgraph`.
//!
//! This is glue: it parses arguments (clap), reads files, builds the
//! [`Gateway`](crate::pipeline::Gateway) from typed [`Config`](crate::config::Config)
//! and hands it to [`http`](crate::http). Errors here are `anyhow` errors
//! printed once on stderr, with exit status 1.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub mod compose;
pub mod dev;
pub mod keys;
pub mod limits;
mod logging;
pub mod operations;
pub mod plan;
pub mod policies;
pub mod serve;
pub mod signals;
pub mod subgraph;
pub mod users;

/// Junction: a GraphQL federation gateway. One GraphQL endpoint in front of
/// many subgraphs, described by a supergraph schema.
#[derive(Debug, Parser)]
#[command(name = "junction", version, propagate_version = true)]
#[command(
    after_help = "Logging: set JUNCTION_LOG or RUST_LOG (for example `debug` or \
    `junction=debug,info`); the default is `info`. Logs go to stderr."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a supergraph over HTTP (POST/GET /graphql, /health, /ready, /admin/graphql).
    ///
    /// The supergraph comes from a file (`--supergraph`), is composed from a
    /// subgraph list (`--subgraphs`), or is the subgraph registry's current
    /// one (`--registry`, or a Redis URL without a file). Files are watched
    /// and the registry followed: a valid new version replaces the live one
    /// without dropping requests; an invalid one (or a failed composition)
    /// is logged and the old one keeps serving. With a store (the registry,
    /// or JUNCTION_ADMIN_TOKEN set) the admin API is on at /admin/graphql for
    /// callers holding the admin role and the bootstrap token. SIGTERM or Ctrl-C stops
    /// accepting connections and lets in-flight requests finish (up to
    /// `shutdown_drain_timeout_ms`).
    ///
    /// Production mode unless the config file says `mode: dev`: introspection
    /// off, subgraph error messages masked, no GraphiQL (`graphiql.enabled`
    /// turns it on), and the limits of `limits` and `server` in the config
    /// file (defaults in junction.example.yaml).
    #[command(after_long_help = "Examples:\n  \
        junction serve --supergraph schema/supergraph.graphql\n  \
        junction serve --config junction.yaml --listen 0.0.0.0:4000\n  \
        junction serve --supergraph supergraph.graphql --subgraph-url accounts=http://127.0.0.1:4300/accounts\n  \
        junction serve --subgraphs subgraphs.json\n  \
        JUNCTION_REDIS_URL=redis://127.0.0.1:6379 JUNCTION_ADMIN_TOKEN=... junction serve --registry")]
    Serve(ServeArgs),
    /// Run the demo: the four demo subgraphs (accounts, inventory, products,
    /// reviews) in this process, and the gateway in front of them, in dev
    /// mode (introspection on, subgraph errors passed through, GraphiQL on
    /// /graphql for browsers). On a store without users it makes a first
    /// admin user (JUNCTION_ADMIN_EMAIL, JUNCTION_ADMIN_PASSWORD or a
    /// generated password printed once), who logs in at /oauth/token.
    /// Access control runs with policies/policy.csv (or the built-in seed),
    /// anonymous callers being `viewer`.
    Dev(DevArgs),
    /// Compose subgraphs into a supergraph: SDL on stdout, composition
    /// errors on stderr (one per line: code, message, locations), exit 1.
    ///
    /// The file is a JSON or YAML list of `{name, url, sdl}` or
    /// `{name, url, schema: path}` (paths relative to the file).
    #[command(after_long_help = "Example:\n  \
        junction compose --subgraphs subgraphs.json > supergraph.graphql")]
    Compose(ComposeArgs),
    /// Print the query plan of an operation against a supergraph.
    #[command(after_long_help = "Example:\n  \
        junction plan --supergraph schema/supergraph.graphql --query tests/fixtures/heavy_query.graphql")]
    Plan(PlanArgs),
    /// Publish, check, remove or list subgraphs in the registry, through a
    /// running Junction's admin API (`--admin URL --token T`) or straight in
    /// the store (`--redis URL`, or the embedded store in `--data-dir`).
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction subgraph publish --name accounts --url http://accounts:4001/graphql --schema accounts.graphql --admin http://127.0.0.1:4000 --token $JUNCTION_ADMIN_TOKEN\n  \
        junction subgraph check --name accounts --url http://accounts:4001/graphql --schema accounts.graphql --redis redis://127.0.0.1:6379 --json\n  \
        junction subgraph list --data-dir .junction")]
    Subgraph(subgraph::SubgraphCommand),
    /// Publish, list, show or remove the operation manifests of SDK clients
    /// (persisted operations, served by id and, with a safelist, the only
    /// operations that run), through a running Junction's admin API or
    /// straight in the store.
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction operations publish --client web --version 1.4.0 manifest.json --admin http://127.0.0.1:4000 --token $JUNCTION_ADMIN_TOKEN\n  \
        junction operations list --data-dir .junction\n  \
        junction operations remove --client web --version 1.3.0 --redis redis://127.0.0.1:6379")]
    Operations(operations::OperationsCommand),
    /// Create, list, revoke or rotate API keys, through a running Junction's
    /// admin API (`--admin URL --token T`, an admin token or an API key with
    /// the admin role) or straight in the store.
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction keys create --name ci --role admin --admin http://127.0.0.1:4000 --token $JUNCTION_ADMIN_TOKEN\n  \
        junction keys list --data-dir .junction\n  \
        junction keys revoke --id 5562452af196b9dc --redis redis://127.0.0.1:6379")]
    Keys(keys::KeysCommand),
    /// Create, list, change, disable, enable, reset the password of, or
    /// delete first-party users, through a running Junction's admin API or
    /// straight in the store.
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction users create --email ada@example.com --role viewer --org acme --data-dir .junction\n  \
        junction users list --admin http://127.0.0.1:4000 --token $JUNCTION_ADMIN_TOKEN\n  \
        junction users disable --id u_0123456789abcdef01234567 --redis redis://127.0.0.1:6379")]
    Users(users::UsersCommand),
    /// Check an access policy file against a supergraph (every rule must name
    /// a type, field or @policy name it has), before it goes live.
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction policies check --policy policies/policy.csv --supergraph schema/supergraph.graphql\n  \
        junction policies check --supergraph supergraph.graphql --json")]
    Policies(policies::PoliciesCommand),
    /// A caller's rate limits and usage, and per-caller overrides, through
    /// a running Junction's admin API or straight in the store.
    #[command(subcommand)]
    #[command(after_long_help = "Examples:\n  \
        junction limits show --caller user:u_0123 --admin http://127.0.0.1:4000 --token $JUNCTION_ADMIN_TOKEN\n  \
        junction limits set --caller api_key:5562452af196b9dc --tier pro --redis redis://127.0.0.1:6379 --config junction.yaml\n  \
        junction limits clear --caller ip:198.51.100.7 --admin http://127.0.0.1:4000")]
    Limits(limits::LimitsCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// YAML configuration file; see junction.example.yaml for every key.
    /// Flags and environment variables override its values.
    #[arg(long, value_name = "FILE", env = "JUNCTION_CONFIG")]
    pub config: Option<PathBuf>,
    /// Supergraph SDL file to serve (overrides `supergraph` in the config file).
    #[arg(long, value_name = "FILE", env = "JUNCTION_SUPERGRAPH")]
    pub supergraph: Option<PathBuf>,
    /// Compose the supergraph from this subgraph list instead (as `junction
    /// compose --subgraphs`), again whenever it or its schema files change.
    #[arg(
        long,
        value_name = "FILE",
        env = "JUNCTION_SUBGRAPHS",
        conflicts_with = "supergraph"
    )]
    pub subgraphs: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:4000] (overrides `listen`).
    #[arg(long, value_name = "ADDR", env = "JUNCTION_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Send a subgraph's requests to URL instead of the URL in the supergraph.
    /// Repeat for several subgraphs; added to `subgraph_urls` from the config file.
    #[arg(long = "subgraph-url", value_name = "NAME=URL", value_parser = parse_subgraph_url)]
    pub subgraph_urls: Vec<(String, String)>,
    /// Serve the subgraph registry's supergraph (from the store) and follow
    /// its changes live; implied by a Redis URL.
    #[arg(long, conflicts_with_all = ["supergraph", "subgraphs"])]
    pub registry: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Where the store is: Redis, or the embedded file.
#[derive(Debug, Args, Clone, Default)]
pub struct StoreArgs {
    /// Redis URL of the store (the registry); without it the store is the
    /// embedded file in the data directory.
    #[arg(
        long,
        value_name = "URL",
        env = "JUNCTION_REDIS_URL",
        hide_env_values = true
    )]
    pub redis: Option<String>,
    /// Directory of the embedded store [default: .junction].
    #[arg(long, value_name = "DIR", env = "JUNCTION_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DevArgs {
    /// Address the gateway listens on.
    #[arg(long, value_name = "ADDR", env = "JUNCTION_LISTEN", default_value = crate::config::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Port of the demo subgraphs on 127.0.0.1 [default: any free port].
    #[arg(long, value_name = "N")]
    pub subgraphs_port: Option<u16>,
    /// Directory of the embedded store holding the registry.
    #[arg(
        long,
        value_name = "DIR",
        env = "JUNCTION_DATA_DIR",
        default_value = ".junction"
    )]
    pub data_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The subgraph list: JSON or YAML, `[{name, url, sdl}]` or `[{name, url, schema: path}]`.
    #[arg(long, value_name = "FILE")]
    pub subgraphs: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Supergraph SDL file.
    #[arg(long, value_name = "FILE", env = "JUNCTION_SUPERGRAPH")]
    pub supergraph: PathBuf,
    /// File with the GraphQL operation; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub query: PathBuf,
    /// Which operation of the document to plan, when it has several.
    #[arg(long, value_name = "NAME")]
    pub operation_name: Option<String>,
    /// Print the plan as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the operation's estimated cost too (the supergraph's @cost and
    /// @listSize; objects 1, leaves 0, lists of unknown size 10 items).
    #[arg(long)]
    pub cost: bool,
    /// The operation's variables, as a JSON object (slicing arguments given
    /// as variables size lists in the cost estimate).
    #[arg(long, value_name = "JSON")]
    pub variables: Option<String>,
}

fn parse_subgraph_url(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, url)) if !name.is_empty() && !url.is_empty() => {
            Ok((name.to_string(), url.to_string()))
        }
        _ => Err(format!("expected NAME=URL, got {text:?}")),
    }
}

/// A failure the command has already written to stderr in its own
/// format (one line per problem): the process exits 1 without a summary.
#[derive(Debug, thiserror::Error)]
#[error("already reported on stderr")]
pub(crate) struct AlreadyReported;

/// Parses the command line and runs the command; the process's exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Dev(args) => dev::run(args).await,
            Command::Compose(args) => compose::run(&args),
            Command::Plan(args) => plan::run(&args),
            Command::Subgraph(command) => subgraph::run(command).await,
            Command::Operations(command) => operations::run(command).await,
            Command::Keys(command) => keys::run(command).await,
            Command::Users(command) => users::run(command).await,
            Command::Policies(command) => policies::run(command),
            Command::Limits(command) => limits::run(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<AlreadyReported>().is_some() => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn subgraph_url_is_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_subgraph_url("accounts=http://h/a?x=1"),
            Ok(("accounts".into(), "http://h/a?x=1".into()))
        );
        assert!(parse_subgraph_url("accounts").is_err());
        assert!(parse_subgraph_url("=http://h").is_err());
    }
}
