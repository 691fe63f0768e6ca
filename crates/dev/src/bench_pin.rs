//! `storedesk-dev bench pin`: what a PIN's hash costs — the sign-in a person waits for (the store's
//! whole `sign_in`: the Argon2id check and its audit record), the check alone, and SHA-256 of the
//! same PIN as the baseline of a fast hash, all in this run — and what that cost means for someone
//! with a copy of a till's database guessing PINs of 4 to 8 digits on one core.

use std::fmt;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;
use storedesk_domain::{Pin, Role, StaffCode};
use storedesk_protocol::pin::PinHash;
use storedesk_store::Store;
use storedesk_store::settings::StoreSetup;
use storedesk_store::staff::NewStaff;

#[derive(Debug, Serialize)]
pub struct PinReport {
    pub rounds: usize,
    /// Median of `Store::sign_in` with the right PIN, in milliseconds.
    pub sign_in_ms: f64,
    /// Median of one Argon2id check, in milliseconds.
    pub verify_ms: f64,
    /// Median of one SHA-256 of the PIN (the fast-hash baseline), in milliseconds.
    pub sha256_ms: f64,
    /// Hours one core needs to try every PIN of 4, 6 and 8 digits against one stolen hash.
    pub guess_hours: Vec<(u32, f64)>,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn timed(rounds: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1_000.0);
    }
    Ok(median(times))
}

pub fn run(rounds: usize) -> anyhow::Result<PinReport> {
    let dir = tempfile::tempdir()?;
    let store = Store::open_dir(dir.path())?;
    store.init(StoreSetup {
        code: "PIN".into(),
        name: None,
        currency: "CNY".into(),
        time_zone: Some("UTC".into()),
    })?;
    let pin = Pin::parse("2468").context("pin")?;
    let code = StaffCode::parse("MAY").context("code")?;
    store.add_staff(
        None,
        NewStaff { code: code.clone(), name: "May".into(), role: Role::Manager, pin: pin.clone() },
    )?;
    let sign_in_ms = timed(rounds, || {
        store.sign_in(&code, &pin)?;
        Ok(())
    })?;
    let hash = PinHash::new(&pin);
    let verify_ms = timed(rounds, || {
        anyhow::ensure!(hash.verify(&pin), "the PIN does not verify");
        Ok(())
    })?;
    let sha256_ms = timed(rounds.max(1_000), || {
        use sha2::Digest as _;
        std::hint::black_box(sha2::Sha256::digest(std::hint::black_box(b"2468")));
        Ok(())
    })?;
    let guess_hours =
        [4_u32, 6, 8].iter().map(|&d| (d, 10_f64.powi(d as i32) * verify_ms / 3_600_000.0)).collect();
    Ok(PinReport { rounds, sign_in_ms, verify_ms, sha256_ms, guess_hours })
}

impl fmt::Display for PinReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "PIN hashing (Argon2id, 19 MiB, t=2, p=1), median of {} rounds:", self.rounds)?;
        writeln!(f, "  sign-in (check + audit record)  {:>9.2} ms", self.sign_in_ms)?;
        writeln!(f, "  Argon2id check alone           {:>9.2} ms", self.verify_ms)?;
        writeln!(
            f,
            "  SHA-256 of the PIN (baseline)  {:>9.4} ms   Argon2id is {:.0}x slower",
            self.sha256_ms,
            self.verify_ms / self.sha256_ms.max(1e-9)
        )?;
        writeln!(f, "Guessing one stolen hash on one core, every PIN of:")?;
        for (digits, hours) in &self.guess_hours {
            let said = match *hours {
                h if h < 1.0 => format!("{:.0} minutes", h * 60.0),
                h if h < 48.0 => format!("{h:.1} hours"),
                h => format!("{:.0} days", h / 24.0),
            };
            writeln!(f, "  {digits} digits  {said:>14}")?;
        }
        Ok(())
    }
}
