//! Headless Chromium for the console's browser test: chromedriver started and stopped with the
//! test, a fresh profile, the rep's credential on every request, full-page screenshots.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use thirtyfour::prelude::*;

use crate::console::{PASSWORD, REP};

const WIDTH: u32 = 1280;

/// chromium and chromedriver, from CHROMIUM / CHROMEDRIVER or the PATH.
pub(crate) fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, name: &str| {
        std::env::var_os(var).map(PathBuf::from).or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    Some((
        find("CHROMIUM", "chromium")?,
        find("CHROMEDRIVER", "chromedriver")?,
    ))
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) struct Browser {
    pub driver: WebDriver,
    _chromedriver: Driver,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// Headless Chromium with a fresh profile; every request carries the rep's credential.
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let guard = Driver(child);
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/status")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(chromium.to_str().unwrap()).unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .unwrap();
        let driver = WebDriver::new(&url, caps)
            .await
            .expect("a Chromium session");
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{REP}:{PASSWORD}"));
        let cdp = driver.cdp();
        cdp.network().enable().await.expect("cdp: Network.enable");
        let headers = [("Authorization".to_string(), format!("Basic {basic}"))];
        cdp.network()
            .set_extra_http_headers(headers.into_iter().collect())
            .await
            .expect("cdp: Network.setExtraHTTPHeaders");
        driver.set_window_rect(0, 0, WIDTH, 900).await.unwrap();
        Browser {
            driver,
            _chromedriver: guard,
            _profile: profile,
        }
    }

    pub async fn open(&self, url: &str) -> String {
        self.driver.goto(url).await.expect("navigate");
        self.driver.source().await.expect("page source")
    }

    /// Waits (up to 5 s) until the page shows `text`; its source.
    pub async fn wait_for(&self, text: &str) -> String {
        for _ in 0..50 {
            let source = self.driver.source().await.unwrap_or_default();
            if source.contains(text) {
                return source;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.driver.source().await.unwrap_or_default()
    }

    /// The whole page as target/console-screenshots/NAME.png: the viewport is made as tall as
    /// the page for the shot (a headless window cannot outgrow its screen).
    pub async fn screenshot(&self, name: &str) {
        let height = self
            .driver
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|r| r.json().as_u64())
            .unwrap_or(900);
        let cdp = self.driver.cdp();
        let metrics = serde_json::json!({
            "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": false });
        cdp.send_raw("Emulation.setDeviceMetricsOverride", metrics)
            .await
            .expect("cdp: full-page viewport");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("target dir")
            .join("console-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        self.driver
            .screenshot(&dir.join(format!("{name}.png")))
            .await
            .expect("screenshot");
        cdp.send_raw(
            "Emulation.clearDeviceMetricsOverride",
            serde_json::json!({}),
        )
        .await
        .expect("cdp: viewport back");
    }
}
