pub fn kind_rank(_k: &str) -> usize {
    0
}
