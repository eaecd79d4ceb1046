//! Loading a chart: Chart.yaml metadata, the files of a folder or .tgz, .helmignore.

pub mod archive;
pub mod ignore;
