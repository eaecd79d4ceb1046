//! Work spread over the machine's cores: how many threads, which items
//! each takes, and where they start.
//!
//! Linux does not always start a new thread on an idle CPU: on some
//! machines (virtual ones with each vCPU its own scheduling domain, such as
//! the benchmark VM) a thread starts on its creator's CPU and waits there,
//! for a millisecond or more, until load balancing moves one of them. For a
//! render of a few milliseconds that is all the time there is. So a thread
//! that has just started its helpers steps off its own CPU (the kernel
//! moves it before the call returns), leaving that CPU to them, and then
//! allows every CPU again so later balancing is unchanged.

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
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        step_aside();
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

/// Moves the calling thread to another CPU it may run on, if there is one.
#[cfg(target_os = "linux")]
pub fn step_aside() {
    use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity};
    let Ok(allowed) = sched_getaffinity(None) else {
        return;
    };
    let mut elsewhere = allowed;
    elsewhere.unset(sched_getcpu());
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
pub fn step_aside() {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use rustix::thread::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};

    #[test]
    fn the_thread_may_run_anywhere_it_could_before() {
        std::thread::spawn(|| {
            let before = sched_getaffinity(None).unwrap();
            super::step_aside();
            let after = sched_getaffinity(None).unwrap();
            assert_eq!(after.count(), before.count());
            for cpu in 0..CpuSet::MAX_CPU {
                assert_eq!(after.is_set(cpu), before.is_set(cpu), "cpu {cpu}");
            }
            // Held to one CPU, it stays there.
            let mut one = CpuSet::new();
            one.set(sched_getcpu());
            sched_setaffinity(None, &one).unwrap();
            super::step_aside();
            assert_eq!(sched_getaffinity(None).unwrap().count(), 1);
        })
        .join()
        .unwrap();
    }
}
