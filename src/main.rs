//! The `skiff` binary: run the command, print any error, exit 0/1/2.

/// mimalloc instead of glibc's malloc: a render allocates and frees many
/// small values (template ASTs, minijinja values, YAML scalars), and
/// mimalloc's size-class pages make that 15-18% fewer instructions per
/// render. Measured in docs/performance.md, with its effect on peak RSS.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
