//! The `marketplace` binary.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    api::cli::run().await
}
