//! `skiff repo index DIR [--url URL] [--merge FILE]`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::Result;
use crate::package::archive::source_date_epoch;
use crate::package::index::INDEX_FILE;
use crate::package::{IndexOptions, index_directory, write_atomically};

#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Write DIR/index.yaml for the chart archives in DIR (and its direct subfolders).
    Index(IndexArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folder holding the chart archives (.tgz).
    pub dir: PathBuf,
    /// Base URL the archives will be served from (default: URLs relative to index.yaml).
    #[arg(long = "url", value_name = "URL")]
    pub url: Option<String>,
    /// Keep the entries of this existing index (a missing file counts as empty).
    #[arg(long = "merge", value_name = "FILE")]
    pub merge: Option<PathBuf>,
}

pub fn run(cmd: &RepoCommand) -> Result<i32> {
    match cmd {
        RepoCommand::Index(args) => index(args),
    }
}

/// Prints `Indexed <n> chart versions (<a> added, <k> kept) to DIR/index.yaml`.
fn index(args: &IndexArgs) -> Result<i32> {
    let epoch = source_date_epoch()?;
    let opts = IndexOptions {
        url: args.url.clone(),
        merge: args.merge.clone(),
        source_date_epoch: epoch,
    };
    let index = index_directory(&args.dir, &opts)?;
    if index.merge_missing
        && let Some(merge) = &args.merge
    {
        eprintln!(
            "note: {} does not exist; starting a new index",
            merge.display()
        );
    }
    let path = args.dir.join(INDEX_FILE);
    write_atomically(&path, index.text.as_bytes())?;
    println!(
        "Indexed {} chart versions of {} charts ({} added, {} kept) to {}",
        index.versions,
        index.charts,
        index.added,
        index.kept,
        path.display()
    );
    Ok(0)
}
