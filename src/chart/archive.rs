//! (temporary until the pkg branch lands)
pub struct ArchiveChart {
    pub root: String,
    pub files: Vec<(String, Vec<u8>)>,
}
pub fn read_chart_archive(_b: &[u8], _p: &std::path::Path) -> Result<ArchiveChart, String> {
    Err("x".into())
}
