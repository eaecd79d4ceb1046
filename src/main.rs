//! The `skiff` binary: run the command, print any error, exit 0/1/2.

fn main() {
    let code = match skiff::cli::main_with_args(std::env::args_os()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    };
    std::process::exit(code);
}
