//! Crash recovery: a child process takes orders through their lives and is killed with SIGKILL at
//! random moments, 200 times. After each kill the database opens; every step the child reported as
//! saved is there (and at most the one step after it, committed but not yet reported); the order's
//! status, timeline, stock and outbox agree; the stock invariants hold.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use storedesk_store::Store;
use storedesk_store::settings::StoreSetup;

const KILLS: usize = 200;

#[test]
fn every_reported_order_survives_sigkill_with_its_effects() {
    let dir = tempfile::tempdir().expect("tempdir");
    set_up(dir.path());
    // The last status the child reported for each order.
    let mut reported: HashMap<String, String> = HashMap::new();
    let mut steps_seen = 0_usize;
    let mut all_orders_checks = 0_usize;
    let mut next_index = 0_u64;
    for kill in 0..KILLS {
        let lines = run_until_killed(dir.path(), next_index, kill);
        let mut this_round: HashMap<String, String> = HashMap::new();
        for line in lines {
            let mut parts = line.split_whitespace();
            let (Some("saved"), Some(id), Some(status)) = (parts.next(), parts.next(), parts.next()) else {
                panic!("kill {kill}: unexpected line {line:?}");
            };
            if !reported.contains_key(id) {
                next_index += 1;
            }
            reported.insert(id.to_string(), status.to_string());
            this_round.insert(id.to_string(), status.to_string());
            steps_seen += 1;
        }
        // Orders placed but not reported still take an index slot; skip ahead so plans differ.
        next_index += 1;
        // Every round checks what it reported; every 20th round (and the last) re-checks every
        // order reported so far, so that damage to older commits would be caught too.
        if kill % 20 == 19 || kill == KILLS - 1 {
            verify(dir.path(), &reported, kill);
            all_orders_checks += 1;
        } else {
            verify(dir.path(), &this_round, kill);
        }
    }
    assert_eq!(all_orders_checks, KILLS / 20);
    assert!(
        reported.len() > 50,
        "the child saved too few orders ({}) for the test to mean much",
        reported.len()
    );
    eprintln!("{KILLS} kills, {} orders, {steps_seen} reported steps", reported.len());
}

fn set_up(dir: &std::path::Path) {
    let store = Store::open_dir(dir).expect("open");
    store
        .init(StoreSetup {
            code: "CR".into(),
            name: None,
            currency: "CNY".into(),
            time_zone: Some("UTC".into()),
        })
        .expect("init");
    store
        .import_catalog_csv(
            &"test".into(),
            "sku,name,price,stock\nTEA,Tea,12.50,100\nCUP,Cup,3,100\nPOT,Pot,99,100\n".as_bytes(),
            "seed",
        )
        .expect("catalog");
}

/// Starts the child at order `index`, kills it with SIGKILL after a random moment, and returns
/// what it reported as saved.
fn run_until_killed(dir: &std::path::Path, index: u64, kill: usize) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash-child"))
        .arg(dir)
        .arg(index.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let reader =
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    std::thread::sleep(Duration::from_millis(fastrand::u64(2..60)));
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(
        status.code().is_none(),
        "kill {kill}: the child exited on its own ({status}) instead of being killed"
    );
    reader.join().expect("reader")
}

fn verify(dir: &std::path::Path, reported: &HashMap<String, String>, kill: usize) {
    let store =
        Store::open_dir(dir).unwrap_or_else(|e| panic!("kill {kill}: the database does not open: {e}"));
    let problems = store.audit_stock().expect("audit");
    assert!(problems.is_empty(), "kill {kill}: stock invariants broken: {problems:?}");
    for (id, status) in reported {
        let detail =
            store.order(id).unwrap_or_else(|e| panic!("kill {kill}: reported order {id} is gone: {e}"));
        let path: Vec<&str> = detail.timeline.iter().map(|t| t.to.as_str()).collect();
        let at = path
            .iter()
            .position(|s| s == status)
            .unwrap_or_else(|| panic!("kill {kill}: order {id} lost its reported step {status}: {path:?}"));
        assert!(path.len() - at <= 2, "kill {kill}: order {id} has more unreported steps than one: {path:?}");
        assert_eq!(
            path.last().copied(),
            Some(detail.order.status.as_str()),
            "kill {kill}: status and timeline disagree"
        );
        let paid: i64 = detail
            .payments
            .iter()
            .filter(|p| p.kind == storedesk_store::orders::PaymentKind::Payment)
            .map(|p| p.amount_minor)
            .sum();
        let expect_paid = path.contains(&"paid");
        assert_eq!(paid > 0, expect_paid, "kill {kill}: order {id} payments do not match its timeline");
    }
    let events = store.outbox(None, 1_000_000).expect("outbox");
    let mut kinds_by_order: HashMap<&str, Vec<&str>> = HashMap::new();
    for event in &events {
        if let Some(id) = event.aggregate.strip_prefix("order:") {
            kinds_by_order.entry(id).or_default().push(event.kind.as_str());
        }
    }
    for id in reported.keys() {
        let detail = store.order(id).expect("order");
        let kinds = kinds_by_order.remove(id.as_str()).unwrap_or_default();
        assert_eq!(
            kinds,
            expected_events(&detail),
            "kill {kill}: order {id}'s outbox does not match its timeline"
        );
    }
}

/// What the outbox must hold for an order, derived from its channel and timeline.
fn expected_events(detail: &storedesk_store::orders::OrderDetail) -> Vec<&'static str> {
    use storedesk_domain::Transition;
    let channel = detail.order.channel;
    let mut kinds: Vec<&'static str> =
        Transition::place(channel).announce.map(|k| k.as_str()).into_iter().collect();
    for step in &detail.timeline {
        if let (Some(from), Some(event)) = (step.from, step.event) {
            let t = Transition::of(channel, from, event).expect("a recorded step is a valid transition");
            kinds.extend(t.announce.map(|k| k.as_str()));
        }
    }
    kinds
}
