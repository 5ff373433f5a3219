//! The `marketplace` binary again, built with the end-to-end tests so that they can start real
//! server processes (two replicas on one database) without building the server package's own.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::cli::run().await
}
