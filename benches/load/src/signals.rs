//! Ctrl-C and SIGTERM as a future, so that a harness can race its run against them and
//! drop the run (and with it the gateway child process) when one arrives.

/// Resolves on Ctrl-C or SIGTERM, naming which.
pub async fn interrupted() -> &'static str {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => "Ctrl-C",
        () = terminate => "SIGTERM",
    }
}
