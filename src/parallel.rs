//! How many threads a piece of work is worth on this machine.

/// One thread per core, as long as each gets at least `min_per_thread`
/// items (below that, starting a thread costs more than it saves: on a
/// small chart the calling thread alone is fastest). `SKIFF_THREADS`
/// overrides the core count; `SKIFF_THREADS=1` keeps all work on the
/// calling thread.
pub fn worker_threads(items: usize, min_per_thread: usize) -> usize {
    let cores = std::env::var("SKIFF_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1);
    cores.min(items / min_per_thread.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_work_stays_on_one_thread() {
        assert_eq!(worker_threads(0, 16), 1);
        assert_eq!(worker_threads(15, 16), 1);
        assert_eq!(worker_threads(10, 0), worker_threads(10, 1));
    }
}
