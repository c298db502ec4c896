//! Server entry point: `.env` and `.env.local` are read first (real environment variables win),
//! then the server runs on a multi-threaded tokio runtime.

fn main() -> std::process::ExitCode {
    let env_files = match workos_widgets_host::config::load_env_files(std::path::Path::new(".")) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(workos_widgets_host::server::run(env_files))
}
