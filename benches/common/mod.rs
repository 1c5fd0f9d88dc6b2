//! Helpers shared by the benchmarks.

use std::process::Command;
use std::time::{Duration, Instant};

/// A memory figure of this process from /proc, in MiB: `VmRSS:` (now) or `VmHWM:` (peak).
#[allow(dead_code)]
pub fn rss_mib(field: &str) -> f64 {
    rss_mib_of("self", field)
}

/// [`rss_mib`] of process `pid` ("self" for this one).
#[allow(dead_code)]
pub fn rss_mib_of(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One run of a process, as the kernel counted it. (Not every bench measures processes.)
#[allow(dead_code)]
pub struct Measure {
    /// Wall time.
    pub wall: Duration,
    /// User and system CPU time: steadier than wall time on a shared machine.
    pub cpu: Duration,
    /// Peak resident memory.
    pub peak_mib: f64,
    /// Exited with status 0.
    pub ok: bool,
}

/// Runs the command to its end; wall time and peak RSS as the kernel counted them.
// The child is reaped by `wait4` (which returns its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes, dead_code)]
pub fn measure(cmd: &mut Command) -> Measure {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data the kernel fills; the child is ours and not waited
    // for elsewhere.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measure {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        ok: waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

/// The median wall time and the median peak memory of the rounds (each independently);
/// `ok` only when every round passed.
#[allow(dead_code)]
pub fn median(mut rounds: Vec<Measure>) -> Measure {
    let ok = rounds.iter().all(|m| m.ok);
    let mid = rounds.len() / 2;
    rounds.sort_by(|a, b| a.peak_mib.total_cmp(&b.peak_mib));
    let peak_mib = rounds[mid].peak_mib;
    rounds.sort_by_key(|m| m.cpu);
    let cpu = rounds[mid].cpu;
    rounds.sort_by_key(|m| m.wall);
    Measure {
        wall: rounds[mid].wall,
        cpu,
        peak_mib,
        ok,
    }
}
