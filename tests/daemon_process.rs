//! `order-sync run` as a real process under test: the ops endpoint polled, the systemd notify
//! socket read, SIGTERM sent; and a TCP gate that plays a service that is down, then back.

use std::os::unix::net::UnixDatagram;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::helpers::TestApp;
/// A TCP port in front of `target` that, while down, drops every connection (or, `with_503`,
/// answers each with an HTML 503 maintenance page), and forwards them once open: a service
/// that is unreachable or failing, then comes back.
pub(crate) struct Gate {
    pub port: u16,
    down: Arc<AtomicBool>,
}

const MAINTENANCE: &str = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\n\
    content-length: 33\r\nconnection: close\r\n\r\n<html>Down for maintenance</html>";

impl Gate {
    pub async fn to(target: String, with_503: bool) -> Gate {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(true));
        let is_down = down.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (target, down) = (target.clone(), is_down.load(Ordering::SeqCst));
                tokio::spawn(async move {
                    if down && with_503 {
                        let _ = inbound.read(&mut [0u8; 4096]).await;
                        let _ = inbound.write_all(MAINTENANCE.as_bytes()).await;
                    } else if down {
                        drop(inbound); // closed at once
                    } else if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Gate { port, down }
    }

    pub fn open(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

/// `host:port` of an `http://host:port...` or `postgres://user@host:port/db` URL.
pub(crate) fn authority(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap().to_string()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `run` with the ops endpoint on, telling systemd through a socket the test reads.
pub(crate) struct Daemon {
    /// Taken by `stop`; killed on drop otherwise, so a failed test leaves no daemon behind.
    child: Option<std::process::Child>,
    base: String,
    /// Set once READY=1 arrives; the socket is drained all along (the push loop's watchdog
    /// pings would otherwise fill it and block the sender).
    ready: Arc<AtomicBool>,
    stop_listening: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop_listening.store(true, Ordering::SeqCst);
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
        }
    }
}

/// Reads the notify socket until `stop`, setting `ready` on READY=1.
fn listen_for_ready(socket: UnixDatagram, ready: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        if let Ok(n) = socket.recv(&mut buf)
            && String::from_utf8_lossy(&buf[..n]).contains("READY=1")
        {
            ready.store(true, Ordering::SeqCst);
        }
    }
}

impl Daemon {
    pub fn start(app: &TestApp, env: &[(&str, &str)]) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("notify.sock");
        let (ready, stop_listening) = Default::default();
        let notify = UnixDatagram::bind(&socket).unwrap();
        std::thread::spawn({
            let (ready, stop) = (Arc::clone(&ready), Arc::clone(&stop_listening));
            move || listen_for_ready(notify, ready, stop)
        });
        let port = free_port();
        let mut cmd = app.cli_command(&["run"]);
        cmd.env("ORDER_SYNC__HTTP__ENABLED", "true")
            .env("ORDER_SYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("ORDER_SYNC__SYNC__POLL_INTERVAL", "50ms")
            .env("NOTIFY_SOCKET", &socket)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start order-sync run");
        Daemon {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            ready,
            stop_listening,
            _dir: dir,
        }
    }

    /// Status and body of `path`, once the endpoint answers (within `within`).
    pub async fn get(&self, path: &str, within: Duration) -> (u16, String) {
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{}{path}", self.base)).await {
                return (r.status().as_u16(), r.text().await.unwrap());
            }
            assert!(
                started.elapsed() < within,
                "{path} did not answer within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether READY=1 was sent to the notify socket so far.
    pub fn told_systemd_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// SIGTERM, then the exit code and everything it printed.
    pub async fn stop(self) -> (Option<i32>, String) {
        let pid = self.child.as_ref().expect("running").id();
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        self.exit(Duration::from_secs(15)).await
    }

    /// The exit code and everything it printed, once it exits by itself within `within`
    /// (else it is killed and the test fails).
    pub async fn exit(mut self, within: Duration) -> (Option<i32>, String) {
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        while child.try_wait().expect("try_wait").is_none() {
            if started.elapsed() > within {
                let _ = child.kill();
                panic!("run did not exit within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let out = child.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    }
}

/// Polls `/readyz` until it answers 200 (within `within`).
pub(crate) async fn until_ready(daemon: &Daemon, within: Duration) {
    let started = Instant::now();
    loop {
        let (status, body) = daemon.get("/readyz", within).await;
        if status == 200 {
            return;
        }
        assert!(started.elapsed() < within, "never ready: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
