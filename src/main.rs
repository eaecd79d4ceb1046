//! The `skiff` binary: run the command, print any error, exit 0/1/2.

/// mimalloc instead of the system allocator: a render allocates many small
/// values, and glibc's malloc/free cost a quarter of a large render's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
