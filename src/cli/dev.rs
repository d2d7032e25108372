//! `junction dev`: the demo subgraphs in this process and the gateway in
//! front of them ([`start_demo`]). The demo subgraphs are published into
//! the embedded store's registry, which the gateway then follows, and the
//! admin API is on, so the whole publish loop can be tried at once; a
//! browser opening `/graphql` gets GraphiQL with a demo query.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use junction_subgraphs::{DemoSubgraphs, SUBGRAPH_NAMES};

use super::{serve, signals, DevArgs};
use crate::admin;
use crate::audit::{AuditLog, DEFAULT_MAX_ENTRIES};
use crate::compose::SubgraphInput;
use crate::config::{AdminConfig, Config, Mode};
use crate::http;
use crate::http::AdminEndpoint;
use crate::identity::api_keys::ApiKeys;
use crate::identity::issuer::{TokenIssuer, TokenVerifiers};
use crate::identity::users::{generate_password, NewUser, Users};
use crate::identity::IssuerSettings;
use crate::loader::{probe_settings, start_demo_with, Loader, SupergraphSource};
use crate::persisted::OperationLibrary;

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let token = match std::env::var("JUNCTION_ADMIN_TOKEN") {
        Ok(token) => token,
        Err(_) => random_token()?,
    };
    let config = Config {
        mode: Mode::Dev,
        listen: args.listen,
        registry: true,
        data_dir: args.data_dir.clone(),
        admin: AdminConfig {
            token: Some(token.clone()),
        },
        ..Config::default()
    };
    config.validate()?;
    let subgraphs_addr = SocketAddr::from(([127, 0, 0, 1], args.subgraphs_port.unwrap_or(0)));
    let registry = serve::open_registry(&config).await?;
    let api_keys = Arc::new(ApiKeys::new(registry.store()));
    let issuer = TokenIssuer::new(
        registry.store(),
        IssuerSettings::try_from(&config.auth.issuer)?,
    );
    serve::prepare_signing_keys(&issuer);
    let tokens = Arc::new(TokenVerifiers {
        own: issuer.clone(),
        external: None,
    });
    let (access, rules_from) =
        crate::access::for_dev(config.access.hide_denied_in_introspection).await?;
    let audit = AuditLog::new(registry.store(), DEFAULT_MAX_ENTRIES);
    let limiter = serve::rate_limiter(&config, Some(&registry)).await?;
    let demo = start_demo_with(subgraphs_addr, &config, |gateway| {
        let gateway = gateway
            .with_api_key_verifier(api_keys)
            .with_token_verifier(tokens)
            .with_access(Arc::new(access))
            .with_audit(audit.clone());
        match limiter {
            Some(limiter) => gateway.with_rate_limiter(limiter),
            None => gateway,
        }
    })
    .await?;
    let demo_inputs: Vec<SubgraphInput> = SUBGRAPH_NAMES
        .iter()
        .filter_map(|name| {
            let sdl = junction_subgraphs::sdl(name)?;
            let url = demo.subgraphs.url(name);
            Some(SubgraphInput {
                name: name.to_string(),
                url,
                sdl,
            })
        })
        .collect();
    registry
        .publish_many(demo_inputs, "junction dev")
        .await
        .context("cannot publish the demo subgraphs into the registry")?;
    let mut loader = Loader::start(
        Arc::clone(&demo.gateway),
        SupergraphSource::Registry(registry.clone()),
        probe_settings(&config),
    )?;
    let library = OperationLibrary::new(registry.store());
    let registry_store = registry.store();
    loader.follow_operations(library, Arc::clone(&demo.gateway));
    let rules = crate::access::StoredRules::new(registry_store.clone());
    loader.follow_access(rules, Arc::clone(&demo.gateway));
    if let Some(limiter) = demo.gateway.rate_limiter() {
        let overrides = crate::ratelimit::StoredOverrides::new(registry_store.clone());
        loader.follow_rate_limit_overrides(overrides, Arc::clone(limiter));
    }
    if rules_from == crate::access::DEV_POLICY_PATH {
        let path = std::path::PathBuf::from(crate::access::DEV_POLICY_PATH);
        loader.watch_access_policy(path, Arc::clone(&demo.gateway))?;
    }
    let mut settings = serve::http_settings(&config);
    let parts = admin::AdminParts {
        served: Some(serve::served_schema(&demo.gateway)),
        issuer: Some(issuer.clone()),
        access: Some(Arc::clone(demo.gateway.access())),
        limiter: demo.gateway.rate_limiter().cloned(),
    };
    let schema = admin::schema_with(registry, parts);
    settings.audit = Some(audit.clone());
    settings.oauth = Some(issuer);
    let endpoint = AdminEndpoint::new(schema, &token).with_audit(audit);
    settings.admin = Some(endpoint.with_identifier(demo.gateway.identifier().clone()));
    if let Some(graphiql) = &mut settings.graphiql {
        graphiql.default_query = DEMO_QUERY.to_string();
    }
    let listener = serve::bind(config.listen).await?;
    let first_admin = first_admin_user(&registry_store).await?;
    print_welcome(
        listener.local_addr()?,
        &demo.subgraphs,
        &config,
        &token,
        &rules_from,
    );
    if let Some((email, password)) = first_admin {
        println!("First admin user (made now, as the store had none): {email}");
        match password {
            Some(password) => println!("  password  {password}  (generated, shown this once)"),
            None => println!("  password  from JUNCTION_ADMIN_PASSWORD"),
        }
        println!();
    }
    let router = http::router(Arc::clone(&demo.gateway), &settings);
    http::serve(
        listener,
        router,
        signals::shutdown_signal(),
        serve::server_settings(&config),
    )
    .await
    .context("the HTTP server failed")?;
    loader.stop().await;
    demo.subgraphs.shutdown();
    tracing::info!("stopped");
    Ok(())
}

/// What GraphiQL's editor first holds in `junction dev`.
const DEMO_QUERY: &str = r#"# GraphiQL on Junction's demo supergraph (accounts, inventory, products,
# reviews). Run it with Ctrl-Enter: the products come at once, and the
# fragment marked @defer (their reviews) follows in the same response.

query TopProducts {
  topProducts(first: 3) {
    upc
    name
    price
    ... @defer(label: "reviews") {
      reviews {
        body
        author {
          username
        }
      }
    }
  }
}
"#;

/// On a store without users, makes the first one, with the admin role:
/// `JUNCTION_ADMIN_EMAIL` (default `admin@junction.local`) and
/// `JUNCTION_ADMIN_PASSWORD` (default: generated). Its email, and the
/// password when generated.
async fn first_admin_user(
    store: &Arc<dyn crate::store::Store>,
) -> anyhow::Result<Option<(String, Option<String>)>> {
    let users = Users::new(Arc::clone(store));
    if !users.list(1, None).await?.is_empty() {
        return Ok(None);
    }
    let email =
        std::env::var("JUNCTION_ADMIN_EMAIL").unwrap_or_else(|_| "admin@junction.local".into());
    let (password, generated) = match std::env::var("JUNCTION_ADMIN_PASSWORD") {
        Ok(password) => (password, None),
        Err(_) => {
            let password = generate_password()?;
            (password.clone(), Some(password))
        }
    };
    let new = NewUser {
        email: email.clone(),
        password,
        roles: vec!["admin".to_string()],
        ..NewUser::default()
    };
    users
        .create(new, "junction dev")
        .await
        .context("cannot make the first admin user")?;
    Ok(Some((email, generated)))
}

/// A fresh admin token: 32 random bytes in hex.
fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for the admin token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn print_welcome(
    gateway: SocketAddr,
    subgraphs: &DemoSubgraphs,
    config: &Config,
    token: &str,
    rules_from: &str,
) {
    let url = format!("http://{gateway}/graphql");
    println!();
    println!("Junction dev: the demo supergraph over the demo subgraphs.");
    println!();
    println!("  GraphQL   {url}");
    if http::GRAPHIQL_BUILT {
        println!("  GraphiQL  {url}  (open it in a browser)");
    } else {
        println!("  GraphiQL  not built into this binary (see {url} in a browser)");
    }
    println!("  health    http://{gateway}/health");
    println!("  ready     http://{gateway}/ready");
    println!("  admin     http://{gateway}/admin/graphql  (GraphiQL; header Authorization: Bearer <token>)");
    println!("  token     {token}");
    println!(
        "  registry  embedded store in {}",
        config.data_dir.display()
    );
    for name in SUBGRAPH_NAMES {
        println!("  subgraph  {name:<10} {}", subgraphs.url(name));
    }
    println!("  access    rules from {rules_from}; anonymous callers are `viewer`");
    println!("            (for them User.birthday is null and User.email/phone are masked:");
    println!("            log in as the admin user to see them)");
    println!();
    println!("Try:");
    println!(
        "  curl -s {url} -H 'content-type: application/json' \\\n       -d '{{\"query\":\"{{ topProducts {{ name price reviews {{ body author {{ username }} }} }} }}\"}}'"
    );
    println!();
    println!("Ctrl-C stops.");
}
