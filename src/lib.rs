//! Skiff: a Helm-like chart tool. The pipeline, one module per stage:
//! chart files → values → engine → manifests → (package | lint | diff).

pub mod chart;
pub mod cli;
pub mod dependency;
pub mod diff;
pub mod engine;
pub mod error;
pub mod lint;
pub mod manifest;
pub mod package;
pub mod release;
pub mod threads;
pub mod values;
