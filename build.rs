//! Re-embeds migrations when they change, and tells the test suite which database servers and
//! browser it may use: a backend whose URL is unset at build time, or a Chromium not installed
//! when the tests were built, has its tests marked ignored, so `cargo test` reports them as
//! skipped rather than passed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    for (var, cfg) in [
        ("ORDER_SYNC_TEST_POSTGRES_URL", "postgres_tests"),
        ("ORDER_SYNC_TEST_MYSQL_URL", "mysql_tests"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo:rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo:rustc-cfg={cfg}");
        }
    }
    browser();
}

/// `browser_tests` when chromium and chromedriver are on PATH (or named by CHROMIUM and
/// CHROMEDRIVER), or when ORDER_SYNC_TEST_BROWSER=required (CI: missing binaries then fail).
fn browser() {
    println!("cargo::rustc-check-cfg=cfg(browser_tests)");
    for var in ["CHROMIUM", "CHROMEDRIVER", "ORDER_SYNC_TEST_BROWSER"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let on_path = |var: &str, name: &str| {
        std::env::var_os(var).is_some()
            || std::env::var_os("PATH")
                .is_some_and(|p| std::env::split_paths(&p).any(|dir| dir.join(name).is_file()))
    };
    let required = std::env::var("ORDER_SYNC_TEST_BROWSER").is_ok_and(|v| v == "required");
    if required || (on_path("CHROMIUM", "chromium") && on_path("CHROMEDRIVER", "chromedriver")) {
        println!("cargo:rustc-cfg=browser_tests");
    }
}
