//! (temporary until the pkg branch lands)
pub struct IgnoreRules;
#[derive(Debug)]
pub struct IgnoreError;
impl std::fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bad")
    }
}
impl IgnoreRules {
    pub fn parse(_t: &str) -> Result<Self, IgnoreError> {
        Ok(IgnoreRules)
    }
    pub fn empty() -> Self {
        IgnoreRules
    }
    pub fn ignored(&self, _p: &str, _d: bool) -> bool {
        false
    }
}
