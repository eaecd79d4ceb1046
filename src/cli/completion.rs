//! `skiff completion SHELL`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::error::Result;

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// bash, zsh, fish, elvish or powershell.
    pub shell: Shell,
}

pub fn run(args: &CompletionArgs) -> Result<i32> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "skiff", &mut std::io::stdout());
    Ok(0)
}
