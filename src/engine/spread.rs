//! Putting a thread's helpers on other CPUs.
//!
//! Linux does not always start a new thread on an idle CPU: on some
//! machines (virtual ones with each vCPU its own scheduling domain, such as
//! the benchmark VM) a thread starts on its creator's CPU and waits there,
//! for a millisecond or more, until load balancing moves one of them. For a
//! render of a few milliseconds that is all the time there is. So a thread
//! that has just started its helpers steps off its own CPU (the kernel
//! moves it before the call returns), leaving that CPU to them, and then
//! allows every CPU again so later balancing is unchanged.

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
