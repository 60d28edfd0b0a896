//! Re-embeds migrations when they change, and tells the test suite which database servers it
//! may use: a backend whose URL is unset at build time has its tests marked ignored, so
//! `cargo test` reports them as skipped rather than passed.
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
}
