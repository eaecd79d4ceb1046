//! Work spread over the machine's cores: how many threads, which items
//! each takes, and where they start.
//!
//! Linux does not always start a new thread on an idle CPU: on some
//! machines (virtual ones with each vCPU its own scheduling domain, such as
//! the benchmark VM) a thread often starts queued on its creator's CPU and
//! waits there, for a millisecond or more, until load balancing moves one
//! of them; at other times it starts at once on another CPU. For a render
//! of a few milliseconds that wait is all the time there is. So [`spawn`]
//! has the creator yield once, which lets a thread queued behind it run,
//! and a new thread that finds itself on its creator's CPU moves itself to
//! another (the kernel moves it before the call returns) and then allows
//! every CPU again, so later balancing is unchanged. A thread that started
//! elsewhere stays where it is, and so does the creator, caches warm.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads share `items` pieces of work: one per core, each with
/// at least `per_thread` items (the calling thread is one of them).
/// `SKIFF_THREADS` overrides the core count; 1 keeps everything on the
/// calling thread.
pub fn for_items(items: usize, per_thread: usize) -> usize {
    let most = items / per_thread.max(1);
    if most < 2 {
        return 1;
    }
    cores().min(most)
}

/// `SKIFF_THREADS`, or the cores this process may use, found once: the
/// standard library reads the cgroup's CPU quota from /sys on every ask.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| {
        std::env::var("SKIFF_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
            .unwrap_or(1)
            .max(1)
    })
}

/// Runs `work(i)` for each `i` in `0..items` on `threads` threads, the
/// calling one included, each taking the next index not yet taken, until
/// the items run out or `stop()` says so. The results come back by index;
/// an item no thread took (all stopped, or `threads` was 1) is `None`, for
/// the caller to do in order. A panic in a worker is resumed here.
pub fn run_indexed<R: Send>(
    items: usize,
    threads: usize,
    stop: impl Fn() -> bool + Sync,
    work: impl Fn(usize) -> R + Sync,
) -> Vec<Option<R>> {
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items).collect();
    if threads < 2 {
        return slots;
    }
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        while !stop() {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= items {
                break;
            }
            done.push((i, work(i)));
        }
        done
    };
    std::thread::scope(|scope| {
        // A worker that cannot start leaves its share to the others.
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| spawn(scope, "worker", worker).ok())
            .collect();
        let mut fill = |done: Vec<(usize, R)>| {
            for (i, result) in done {
                slots[i] = Some(result);
            }
        };
        fill(worker());
        for handle in handles {
            match handle.join() {
                Ok(done) => fill(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    slots
}

/// Starts `work` on a new thread of `scope`, on another CPU than the
/// calling thread's when the machine has one (see the module doc).
pub fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    let creator = current_cpu();
    let handle = std::thread::Builder::new()
        .name(name.into())
        .spawn_scoped(scope, move || {
            if let Some(cpu) = creator {
                move_off(cpu);
            }
            work()
        })?;
    std::thread::yield_now();
    Ok(handle)
}

#[cfg(target_os = "linux")]
fn current_cpu() -> Option<usize> {
    Some(rustix::thread::sched_getcpu())
}

/// Moves the calling thread off `cpu` if it runs there and may run
/// elsewhere, then lets it run anywhere it could before.
#[cfg(target_os = "linux")]
fn move_off(cpu: usize) {
    use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity};
    if sched_getcpu() != cpu {
        return;
    }
    let Ok(allowed) = sched_getaffinity(None) else {
        return;
    };
    let mut elsewhere = allowed;
    elsewhere.unset(cpu);
    if elsewhere.count() == 0 {
        return;
    }
    if sched_setaffinity(None, &elsewhere).is_ok() {
        // Failing to widen again would only keep this thread off one CPU.
        let _ = sched_setaffinity(None, &allowed);
    }
}

/// Elsewhere, threads start where the scheduler puts them.
#[cfg(not(target_os = "linux"))]
fn current_cpu() -> Option<usize> {
    None
}

#[cfg(not(target_os = "linux"))]
fn move_off(_cpu: usize) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use rustix::thread::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};

    fn same_cpus(a: &CpuSet, b: &CpuSet) -> bool {
        a.count() == b.count() && (0..CpuSet::MAX_CPU).all(|cpu| a.is_set(cpu) == b.is_set(cpu))
    }

    #[test]
    fn a_thread_that_moves_off_may_run_anywhere_it_could_before() {
        std::thread::spawn(|| {
            let before = sched_getaffinity(None).unwrap();
            super::move_off(sched_getcpu());
            assert!(same_cpus(&sched_getaffinity(None).unwrap(), &before));
            // Held to one CPU, it stays there.
            let mut one = CpuSet::new();
            one.set(sched_getcpu());
            sched_setaffinity(None, &one).unwrap();
            super::move_off(sched_getcpu());
            assert!(same_cpus(&sched_getaffinity(None).unwrap(), &one));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_spawned_thread_runs_its_work_with_the_cpus_of_its_creator() {
        let before = sched_getaffinity(None).unwrap();
        let after = std::thread::scope(|scope| {
            super::spawn(scope, "test", || sched_getaffinity(None).unwrap())
                .unwrap()
                .join()
                .unwrap()
        });
        assert!(same_cpus(&after, &before));
    }
}
