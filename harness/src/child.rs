//! `order-sync run` child processes: spawn with the harness's environment, SIGKILL, SIGTERM,
//! and read their peak RSS and CPU time from /proc.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The `order-sync` binary next to the harness executable (same profile, same target dir).
pub fn order_sync_bin() -> Result<PathBuf> {
    let bin = std::env::current_exe()
        .context("locating the harness executable")?
        .with_file_name("order-sync");
    if !bin.exists() {
        bail!(
            "{} not found: build it first (cargo build --release --bin order-sync)",
            bin.display()
        );
    }
    Ok(bin)
}

/// How to start a worker: the binary, the store, the fake, where logs go, and extra settings.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    pub bin: PathBuf,
    pub db_url: String,
    pub fake_url: String,
    pub log_dir: PathBuf,
    pub env: Vec<(String, String)>,
}

impl WorkerSpec {
    pub fn new(db_url: &str, fake_url: &str, log_dir: &Path) -> Result<WorkerSpec> {
        std::fs::create_dir_all(log_dir)
            .with_context(|| format!("creating {}", log_dir.display()))?;
        Ok(WorkerSpec {
            bin: order_sync_bin()?,
            db_url: db_url.into(),
            fake_url: fake_url.into(),
            log_dir: log_dir.into(),
            env: Vec::new(),
        })
    }

    /// Adds `ORDER_SYNC__{key}` = value (key like "SYNC__LEASE_DURATION").
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.env
            .push((format!("ORDER_SYNC__{key}"), value.to_string()));
        self
    }

    /// Starts `order-sync run` as worker `name`, appending its output to `<log_dir>/<log>.log`.
    pub fn spawn(&self, name: &str, log: &str) -> Result<WorkerProc> {
        self.spawn_command(&["run"], name, log)
    }

    /// Starts `order-sync once` (the cron path) as worker `name`.
    pub fn spawn_once(&self, name: &str, log: &str) -> Result<WorkerProc> {
        self.spawn_command(&["once"], name, log)
    }

    /// Any other command (`reconcile --all`, `backfill …`), with the same settings.
    pub fn spawn_args(&self, args: &[&str], name: &str, log: &str) -> Result<WorkerProc> {
        self.spawn_command(args, name, log)
    }

    fn spawn_command(&self, command: &[&str], name: &str, log: &str) -> Result<WorkerProc> {
        let path = self.log_dir.join(format!("{log}.log"));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let err = file.try_clone().context("cloning the log file handle")?;
        let mut cmd = Command::new(&self.bin);
        cmd.args(command)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ORDER_SYNC__DATABASE__URL", &self.db_url)
            .env("ORDER_SYNC__SALESFORCE__LOGIN_URL", &self.fake_url)
            .env("ORDER_SYNC__SALESFORCE__AUTH", "client_credentials")
            .env("ORDER_SYNC__SALESFORCE__CLIENT_ID", "test-client")
            .env("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "test-secret")
            .env("ORDER_SYNC__SYNC__WORKER_ID", name)
            .env("ORDER_SYNC__HTTP__ENABLED", "false")
            .env("ORDER_SYNC__SYNC__RETRY_MIN_DELAY", "200ms")
            .env("ORDER_SYNC__SYNC__RETRY_MAX_DELAY", "2s")
            .env("ORDER_SYNC__REPAIR__POLL_INTERVAL", "1s")
            // The suites run their own reconciles and count API calls: none scheduled meanwhile.
            .env("ORDER_SYNC__RECONCILE__ENABLED", "false")
            .env("ORDER_SYNC__LOG__FORMAT", "json");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        Ok(WorkerProc {
            name: name.into(),
            child,
            started: Instant::now(),
        })
    }
}

/// A running worker.
pub struct WorkerProc {
    pub name: String,
    pub child: Child,
    pub started: Instant,
}

/// Peak and current resident memory and CPU time of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcUsage {
    pub peak_rss_kb: u64,
    pub rss_kb: u64,
    pub cpu_seconds: f64,
}

impl WorkerProc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then reap.
    pub fn kill(&mut self) -> Result<()> {
        self.child
            .kill()
            .with_context(|| format!("killing {}", self.name))?;
        self.child
            .wait()
            .with_context(|| format!("reaping {}", self.name))?;
        Ok(())
    }

    /// SIGTERM; SIGKILL if it has not exited within `grace`.
    pub fn terminate(&mut self, grace: Duration) -> Result<Option<ExitStatus>> {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .context("running kill -TERM")?;
        if !status.success() {
            return self.try_exited();
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(s) = self.try_exited()? {
                return Ok(Some(s));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill()?;
        Ok(None)
    }

    /// The exit status if the process has exited (without blocking).
    pub fn try_exited(&mut self) -> Result<Option<ExitStatus>> {
        self.child
            .try_wait()
            .with_context(|| format!("polling {}", self.name))
    }

    /// Reads VmHWM/VmRSS and utime+stime (clock ticks of 1/100 s) from /proc.
    pub fn usage(&self) -> Result<ProcUsage> {
        proc_usage(self.pid())
    }
}

pub fn proc_usage(pid: u32) -> Result<ProcUsage> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let kb = |key: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after "(comm) ": state is field 3, utime 14 and stime 15 (1-based).
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(ProcUsage {
        peak_rss_kb: kb("VmHWM:"),
        rss_kb: kb("VmRSS:"),
        cpu_seconds: (tick(11) + tick(12)) as f64 / 100.0,
    })
}

/// Counts lines containing each needle across every `*.log` in `dir`.
pub fn count_in_logs(dir: &Path, needles: &[&str]) -> Result<Vec<u64>> {
    let mut counts = vec![0u64; needles.len()];
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "log") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            for line in text.lines() {
                for (i, n) in needles.iter().enumerate() {
                    counts[i] += u64::from(line.contains(n));
                }
            }
        }
    }
    Ok(counts)
}
