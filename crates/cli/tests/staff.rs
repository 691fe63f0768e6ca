//! Staff at the command line: `--staff` with `STOREDESK_PIN`, a refused step as one line naming
//! the permission, `--approved-by` with `STOREDESK_APPROVER_PIN`, the lockout, staff without
//! PINs in `--json`, and `audit verify` naming a record tampered with in SQLite.

mod common;

use common::{Cli, MANAGER};

const ANN: [(&str, &str); 2] = [("STOREDESK_STAFF", "ANN"), ("STOREDESK_PIN", "1357")];

/// A set-up store with a cashier ANN (1357) added by the manager, and one paid, handed-over sale.
fn with_cashier_sale(cli: &Cli) -> String {
    cli.set_up();
    let out = cli.run_as(
        &["staff", "add", "--code", "ann", "--name", "Ann 安", "--role", "cashier"],
        &[("STOREDESK_STAFF", "MAY"), ("STOREDESK_PIN", "2468"), ("STOREDESK_NEW_PIN", "1357")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let order = json(cli, &["order", "create", "--channel", "counter", "--line", "TEA=1", "--json"], &ANN);
    let number = order["number"].as_str().expect("number").to_string();
    ok(cli, &["order", "pay", &number, "--method", "cash"], &ANN);
    ok(cli, &["order", "hand-over", &number], &ANN);
    number
}

fn ok(cli: &Cli, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = cli.run_as(args, env);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(cli: &Cli, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    serde_json::from_str(&ok(cli, args, env)).expect("json")
}

/// The one error line of a command that must fail.
fn fails(cli: &Cli, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = cli.run_as(args, env);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr.trim().trim_start_matches("error: ").to_string()
}

#[test]
fn a_cashiers_refund_is_refused_naming_the_permission_and_done_with_a_managers_approval() {
    let cli = Cli::new();
    let number = with_cashier_sale(&cli);
    assert_eq!(
        fails(&cli, &["order", "refund", &number], &ANN),
        "ANN: cashier may not refund: it needs a supervisor (or a supervisor's approval)"
    );
    let mut approved = ANN.to_vec();
    approved.push(("STOREDESK_APPROVER_PIN", "0000"));
    assert!(
        fails(&cli, &["order", "refund", &number, "--approved-by", "MAY"], &approved)
            .starts_with("wrong PIN for MAY")
    );
    approved.pop();
    approved.push(("STOREDESK_APPROVER_PIN", "2468"));
    ok(&cli, &["order", "refund", &number, "--approved-by", "MAY"], &approved);
    let detail = json(&cli, &["order", "show", &number, "--json"], &[]);
    let last = detail["timeline"].as_array().and_then(|t| t.last()).expect("timeline").clone();
    assert_eq!((last["actor"].as_str(), last["approved_by"].as_str()), (Some("ANN"), Some("MAY")));
    let text = ok(&cli, &["order", "show", &number], &[]);
    assert!(text.contains("by ANN, approved by MAY"), "{text}");

    let trail = json(&cli, &["audit", "list", "--by", "ANN", "--action", "step.refused", "--json"], &[]);
    assert_eq!(trail.as_array().map(Vec::len), Some(1), "{trail}");
    ok(&cli, &["audit", "verify"], &[]);
}

#[test]
fn no_pin_or_hash_reaches_the_output_and_five_wrong_pins_lock_out() {
    let cli = Cli::new();
    with_cashier_sale(&cli);
    let staff = ok(&cli, &["staff", "list", "--json"], &[]);
    assert!(staff.contains("\"ANN\"") && !staff.contains("argon2") && !staff.contains("1357"), "{staff}");
    // The trail's own hashes are hex and may hold any four digits: the PINs are looked for in
    // everything else a record says.
    let mut trail = json(&cli, &["audit", "list", "--json"], &[]);
    for record in trail.as_array_mut().expect("records") {
        let fields = record.as_object_mut().expect("a record");
        assert_eq!(fields.remove("hash").map(|h| h.as_str().map(str::len)), Some(Some(64)));
        fields.remove("prev_hash");
    }
    let trail = trail.to_string();
    assert!(!trail.contains("argon2") && !trail.contains("1357") && !trail.contains("2468"), "{trail}");
    let wrong = [("STOREDESK_STAFF", "ANN"), ("STOREDESK_PIN", "9999")];
    for left in (1..=4).rev() {
        let wrong_pin = fails(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &wrong);
        assert_eq!(wrong_pin, format!("wrong PIN for ANN ({left} more before a lockout)"));
    }
    let locked = fails(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &wrong);
    assert_eq!(locked, "ANN is locked out of this till after wrong PINs, for 15 more minutes");
    let still = fails(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &ANN);
    assert!(still.starts_with("ANN is locked out"), "{still}");
}

#[test]
fn a_store_without_staff_refuses_steps_until_its_first_manager_exists() {
    let cli = Cli::new();
    cli.set_up();
    // A store from before staff: no one in the staff table.
    let conn = rusqlite::Connection::open(cli.db()).expect("open");
    conn.execute_batch("DELETE FROM staff_sign_in; DELETE FROM staff;").expect("forget staff");
    drop(conn);
    let refused = fails(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &[]);
    assert!(refused.starts_with("the store has no staff yet: add its first manager"), "{refused}");
    let first = [("STOREDESK_PIN", "8642")];
    assert!(
        fails(&cli, &["staff", "add", "--code", "BOSS", "--name", "Boss", "--role", "cashier"], &first)
            .contains("first staff member is its manager")
    );
    ok(&cli, &["staff", "add", "--code", "BOSS", "--name", "Boss", "--role", "manager"], &first);
    let boss = [("STOREDESK_STAFF", "BOSS"), ("STOREDESK_PIN", "8642")];
    ok(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &boss);
    assert_eq!(
        fails(&cli, &["order", "create", "--channel", "counter", "--line", "TEA=1"], &[]),
        "sign in first: --staff CODE with the PIN in STOREDESK_PIN"
    );
    let second =
        fails(&cli, &["staff", "add", "--code", "EVE", "--name", "Eve", "--role", "manager"], &first);
    assert_eq!(second, "sign in first: --staff CODE with the PIN in STOREDESK_PIN");
    // init needs its manager's PIN before it writes anything.
    let fresh = Cli::new();
    let args = ["init", "--store", "T9", MANAGER[0], MANAGER[1], MANAGER[2], MANAGER[3]];
    assert_eq!(fails(&fresh, &args, &[]), "the PIN of MAY: set STOREDESK_PIN");
    assert!(!fresh.db().exists() || fails(&fresh, &["stock", "list"], &[]).contains("not set up"));
}

#[test]
fn audit_verify_names_a_record_edited_in_sqlite() {
    let cli = Cli::new();
    with_cashier_sale(&cli);
    let check = json(&cli, &["audit", "verify", "--json"], &[]);
    assert!(check["first_bad"].is_null(), "{check}");
    let conn = rusqlite::Connection::open(cli.db()).expect("open");
    conn.execute("UPDATE audit_log SET staff = 'MAY' WHERE action = 'order.place'", []).expect("tamper");
    let seq: i64 = conn
        .query_row("SELECT seq FROM audit_log WHERE action = 'order.place'", [], |r| r.get(0))
        .expect("seq");
    drop(conn);
    assert_eq!(
        fails(&cli, &["audit", "verify"], &[]),
        format!("audit record {seq} does not fit: it was changed: its hash does not match what it says")
    );
}

#[test]
fn a_manager_sets_the_staff_policy_and_a_cashier_is_refused_naming_the_permission() {
    let cli = Cli::new();
    with_cashier_sale(&cli);
    let may = [("STOREDESK_STAFF", "MAY"), ("STOREDESK_PIN", "2468")];
    assert_eq!(
        fails(&cli, &["staff", "policy", "--refund-max", "1.00"], &ANN),
        "ANN: cashier may not change_settings: it needs a manager (or a manager's approval)"
    );
    let set =
        json(&cli, &["staff", "policy", "--refund-max", "1.00", "--idle-lock-minutes", "3", "--json"], &may);
    assert_eq!(
        (set["limits"]["refund_max_minor"].as_i64(), set["idle_lock_minutes"].as_i64()),
        (Some(100), Some(3))
    );
    // Reading it needs no sign-in; a bad value is refused and changes nothing.
    let shown = ok(&cli, &["staff", "policy"], &[]);
    assert!(shown.contains("refunds up to 1.00") && shown.contains("idle lock 3 min"), "{shown}");
    assert!(fails(&cli, &["staff", "policy", "--lockout-minutes", "0"], &may).contains("1 to 1440 minutes"));
    assert!(ok(&cli, &["staff", "policy"], &[]).contains("lockout 15 min"));
}

#[test]
fn settings_are_a_managers_once_the_store_has_staff() {
    let cli = Cli::new();
    with_cashier_sale(&cli);
    let refused = "ANN: cashier may not change_settings: it needs a manager (or a manager's approval)";
    let configure = ["sync", "configure", "--central", "http://127.0.0.1:9", "--token", "sdt_x"];
    assert_eq!(fails(&cli, &configure, &ANN), refused);
    assert_eq!(fails(&cli, &["outbox", "discard", "00000000-0000-0000-0000-000000000000"], &ANN), refused);
    // A manager gets past the permission to the next question (here: no such event).
    let may = [("STOREDESK_STAFF", "MAY"), ("STOREDESK_PIN", "2468")];
    assert!(
        !fails(&cli, &["outbox", "discard", "00000000-0000-0000-0000-000000000000"], &may)
            .contains("change_settings")
    );
}
