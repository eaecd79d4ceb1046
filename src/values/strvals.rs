//! (temporary until the strvals branch lands)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    Auto,
    String,
    Json,
    File,
}
impl SetKind {
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Auto => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
            SetKind::File => "--set-file",
        }
    }
}
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{flag} {expr}: {message}")]
pub struct SetError {
    pub flag: &'static str,
    pub expr: String,
    pub position: usize,
    pub message: String,
}
pub fn parse_into(
    expr: &str,
    kind: SetKind,
    _d: &mut serde_json::Map<String, serde_json::Value>,
    _r: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), SetError> {
    Err(SetError {
        flag: kind.flag(),
        expr: expr.into(),
        position: 0,
        message: "todo".into(),
    })
}
