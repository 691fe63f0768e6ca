//! The `storedesk` binary run in a throwaway data folder, as the tests use it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const MANAGER: [&str; 4] = ["--manager", "MAY", "--manager-name", "May 美"];

pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// Runs a command as the store's manager MAY (PIN 2468).
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_as(args, &[("STOREDESK_STAFF", "MAY"), ("STOREDESK_PIN", "2468")])
    }

    /// Runs a command with these environment variables (and no staff or PIN unless given).
    pub fn run_as(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_storedesk"))
            .arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env("STOREDESK_BUSY_TIMEOUT_MS", "300")
            .env_remove("STOREDESK_STAFF")
            .env_remove("STOREDESK_PIN")
            .envs(env.iter().copied())
            .output()
            .expect("run storedesk")
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("one JSON document on stdout")
    }

    /// Runs a command that must fail; returns its one stderr line.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should have failed");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout on failure");
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: expected one error line, got {stderr:?}");
        assert!(lines[0].starts_with("error: "), "{stderr}");
        lines[0].trim_start_matches("error: ").to_string()
    }

    pub fn db(&self) -> PathBuf {
        self.data().join("storedesk.db")
    }

    /// A store T1 with TEA (12.50 x 10) and CUP (3.00 x 5).
    pub fn set_up(&self) -> &Self {
        self.ok(&[
            "init",
            "--store",
            "T1",
            "--currency",
            "CNY",
            "--time-zone",
            "Asia/Shanghai",
            MANAGER[0],
            MANAGER[1],
            MANAGER[2],
            MANAGER[3],
        ]);
        let csv = self.file(
            "catalog.csv",
            "sku,name,price,stock\nTEA,龙井茶 Longjing,12.50,10\nCUP,Cup,3,5\n".as_bytes(),
        );
        self.ok(&["catalog", "import", csv.to_str().expect("path")]);
        self
    }
}

pub fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}
