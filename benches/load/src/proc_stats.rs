//! What Linux's `/proc` says about a process and the machine: CPU time used (utime +
//! stime from `/proc/<pid>/stat`), resident memory now and at its peak (`VmRSS` and
//! `VmHWM` from `/proc/<pid>/status`), and the CPU model and count, so that a benchmark
//! result says what it cost and where it was measured.

use std::fs;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// CPU time a process has used so far, in clock ticks (`CLK_TCK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTicks {
    /// Time in user mode (`utime`, field 14 of `stat`).
    pub user: u64,
    /// Time in kernel mode (`stime`, field 15 of `stat`).
    pub system: u64,
}

impl CpuTicks {
    /// User plus system ticks.
    pub fn total(self) -> u64 {
        self.user + self.system
    }
}

/// Reads the CPU ticks of process `pid` (all its threads, not its children).
pub fn cpu_ticks(pid: u32) -> Result<CpuTicks> {
    let path = format!("/proc/{pid}/stat");
    let line = fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_stat(&line).with_context(|| format!("parsing {path}"))
}

/// Parses a `/proc/<pid>/stat` line. The command name (field 2) is in parentheses and
/// may itself contain spaces and parentheses, so fields are counted after the last `)`.
fn parse_stat(line: &str) -> Result<CpuTicks> {
    let Some((_, rest)) = line.rsplit_once(')') else {
        bail!("no `)` closing the command name");
    };
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let mut fields = rest.split_whitespace().skip(14 - 3);
    let mut next = |name: &str| -> Result<u64> {
        let field = fields.next().with_context(|| format!("{name} missing"))?;
        field
            .parse()
            .with_context(|| format!("{name} {field:?} is not a number"))
    };
    let user = next("utime")?;
    let system = next("stime")?;
    Ok(CpuTicks { user, system })
}

/// Reads the peak resident set size (`VmHWM`) of process `pid`, in KiB.
pub fn peak_rss_kib(pid: u32) -> Result<u64> {
    status_kib(pid, "VmHWM")
}

/// Reads the resident set size now (`VmRSS`) of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> Result<u64> {
    status_kib(pid, "VmRSS")
}

fn status_kib(pid: u32, key: &str) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_status_kib(&status, key).with_context(|| format!("no {key} in {path}"))
}

/// Finds `KEY:   12345 kB` in a `/proc/<pid>/status` text.
fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// Clock ticks per second, as `getconf CLK_TCK` reports it; 100 (the Linux value on
/// every common architecture) when that cannot be run.
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// The machine a benchmark ran on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPUs this process may run on (what `nproc` prints).
    pub cpus: usize,
    /// The first `model name` of `/proc/cpuinfo`, or `unknown`.
    pub cpu_model: String,
}

/// Describes this machine.
pub fn machine() -> Machine {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let cpu_model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|cpuinfo| parse_cpu_model(&cpuinfo))
        .unwrap_or_else(|| String::from("unknown"));
    Machine { cpus, cpu_model }
}

fn parse_cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utime_and_stime_after_a_command_name_with_spaces_and_parens() {
        let line = "4242 (junction (x) y) S 1 4242 4242 0 -1 4194560 2786 0 0 0 \
                    1234 567 0 0 20 0 9 0 123456 1048576000 5120 18446744073709551615 \
                    1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0\n";
        assert_eq!(
            parse_stat(line).ok(),
            Some(CpuTicks {
                user: 1234,
                system: 567
            })
        );
    }

    #[test]
    fn rejects_a_truncated_stat_line() {
        assert!(parse_stat("4242 (junction) S 1 4242").is_err());
        assert!(parse_stat("no parenthesis at all").is_err());
    }

    #[test]
    fn reads_peak_and_current_rss_from_status() {
        let status =
            "Name:\tjunction\nVmPeak:\t  900000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(51234));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(40000));
        assert_eq!(parse_status_kib("Name:\tjunction\n", "VmHWM"), None);
    }

    #[test]
    fn reads_the_first_cpu_model_name() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\nmodel name\t: other\n";
        assert_eq!(
            parse_cpu_model(cpuinfo).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
    }

    #[test]
    fn reads_this_process() {
        let pid = std::process::id();
        assert!(cpu_ticks(pid).is_ok());
        assert!(peak_rss_kib(pid).is_ok_and(|kib| kib > 0));
        assert!(rss_kib(pid).is_ok_and(|kib| kib > 0));
    }
}
