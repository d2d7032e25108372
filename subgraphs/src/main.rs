//! `junction-subgraphs`: serves the four demo subgraphs on one port.
//!
//! Usage: `junction-subgraphs [--host HOST] [--port PORT]`; the port also comes from the
//! `PORT` environment variable; defaults are 127.0.0.1 and 4300, where the demo
//! supergraph (`schema/supergraph.graphql`) expects them.

use std::error::Error;
use std::net::{IpAddr, SocketAddr};

use junction_subgraphs::SUBGRAPH_NAMES;

const USAGE: &str =
    "usage: junction-subgraphs [--host HOST] [--port PORT]  (env PORT; defaults 127.0.0.1:4300)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let Some(addr) = parse_args(std::env::args().skip(1), std::env::var("PORT").ok())? else {
        println!("{USAGE}");
        return Ok(());
    };
    let subgraphs = junction_subgraphs::spawn(addr).await?;
    for name in SUBGRAPH_NAMES {
        println!("{name}: {}", subgraphs.url(name));
    }
    tokio::signal::ctrl_c().await?;
    subgraphs.shutdown();
    Ok(())
}

/// The address to serve on, or `None` when help was asked for.
fn parse_args(
    mut args: impl Iterator<Item = String>,
    env_port: Option<String>,
) -> Result<Option<SocketAddr>, String> {
    let mut host = String::from("127.0.0.1");
    let mut port = env_port.unwrap_or_else(|| String::from("4300"));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host" => host = args.next().ok_or("--host needs a value")?,
            "--port" => port = args.next().ok_or("--port needs a value")?,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let host: IpAddr = host
        .parse()
        .map_err(|err| format!("--host {host:?}: {err}"))?;
    let port: u16 = port
        .parse()
        .map_err(|err| format!("port {port:?}: {err}"))?;
    Ok(Some(SocketAddr::new(host, port)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(args: &[&str], env_port: Option<&str>) -> Result<Option<SocketAddr>, String> {
        let args = args.iter().map(|arg| (*arg).to_owned());
        parse_args(args, env_port.map(str::to_owned))
    }

    #[test]
    fn defaults_to_localhost_4300() {
        assert_eq!(
            parse(&[], None),
            Ok(Some("127.0.0.1:4300".parse().unwrap()))
        );
    }

    #[test]
    fn port_comes_from_env_unless_given() {
        assert_eq!(
            parse(&[], Some("5000")),
            Ok(Some("127.0.0.1:5000".parse().unwrap()))
        );
        assert_eq!(
            parse(&["--port", "6000", "--host", "0.0.0.0"], Some("5000")),
            Ok(Some("0.0.0.0:6000".parse().unwrap()))
        );
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse(&["--port"], None).is_err());
        assert!(parse(&["--port", "http"], None).is_err());
        assert!(parse(&["--host", "nowhere"], None).is_err());
        assert!(parse(&["--verbose"], None).is_err());
    }

    #[test]
    fn help_asks_for_no_address() {
        assert_eq!(parse(&["--help"], None), Ok(None));
    }
}
