//! A fleet of `order-sync run` workers: start, SIGKILL one at random and restart it, restart
//! any that exits by itself (and remember it), stop them all.

use std::time::Duration;

use anyhow::Result;

use crate::child::{WorkerProc, WorkerSpec};

pub struct Fleet {
    spec: WorkerSpec,
    procs: Vec<WorkerProc>,
    generations: Vec<u32>,
    pub kills: u64,
    /// Workers that exited without being killed: "name: status".
    pub exits: Vec<String>,
}

impl Fleet {
    /// Starts `n` workers named `w{i}-g{generation}`, logging to `w{i}.log`.
    pub fn start(spec: WorkerSpec, n: usize) -> Result<Fleet> {
        let mut fleet = Fleet {
            spec,
            procs: Vec::new(),
            generations: vec![0; n],
            kills: 0,
            exits: Vec::new(),
        };
        for i in 0..n {
            let p = fleet.spawn(i)?;
            fleet.procs.push(p);
        }
        Ok(fleet)
    }

    fn spawn(&mut self, i: usize) -> Result<WorkerProc> {
        self.generations[i] += 1;
        self.spec
            .spawn(&format!("w{i}-g{}", self.generations[i]), &format!("w{i}"))
    }

    /// SIGKILLs a random worker and starts its replacement; returns the killed worker's name.
    pub fn kill_random(&mut self, rng: &mut fastrand::Rng) -> Result<String> {
        let i = rng.usize(..self.procs.len());
        self.procs[i].kill()?;
        self.kills += 1;
        let name = self.procs[i].name.clone();
        eprintln!(
            "chaos: {} SIGKILLed {name} (pid {})",
            chrono::Utc::now().format("%H:%M:%S%.3f"),
            self.procs[i].pid()
        );
        self.procs[i] = self.spawn(i)?;
        Ok(name)
    }

    /// Restarts every worker that exited on its own, noting it in `exits`.
    pub fn reap(&mut self) -> Result<()> {
        for i in 0..self.procs.len() {
            if let Some(status) = self.procs[i].try_exited()? {
                let note = format!(
                    "{} {} exited by itself: {status}",
                    chrono::Utc::now().format("%H:%M:%S%.3f"),
                    self.procs[i].name
                );
                eprintln!("chaos: {note}");
                self.exits.push(note);
                self.procs[i] = self.spawn(i)?;
            }
        }
        Ok(())
    }

    /// SIGTERM to all, SIGKILL after `grace`. Notes a worker that did not stop cleanly.
    pub fn stop_all(&mut self, grace: Duration) -> Result<()> {
        for p in &mut self.procs {
            match p.terminate(grace)? {
                Some(s) if s.success() => {}
                other => self.exits.push(format!(
                    "{} did not stop cleanly on SIGTERM: {other:?}",
                    p.name
                )),
            }
        }
        Ok(())
    }

    pub fn procs(&self) -> &[WorkerProc] {
        &self.procs
    }
}
