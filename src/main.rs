//! Server entry point.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    workos_widgets_host::server::run().await
}
