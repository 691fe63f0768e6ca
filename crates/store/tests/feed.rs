//! The change feed on the device: an idle poll (an empty page at the same position) writes nothing;
//! a page that moves the cursor is written.

mod common;

use common::*;

fn data_version(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).expect("data_version")
}

#[test]
fn an_empty_page_at_the_same_position_writes_nothing() {
    let (_dir, store) = store();
    // `data_version` changes when another connection commits.
    let watcher = rusqlite::Connection::open(store.path()).expect("open");
    let cursor = store.feed_cursor().expect("cursor");
    let before = data_version(&watcher);
    let report = store.apply_changes(&[], cursor).expect("apply");
    assert_eq!(report.cursor, cursor);
    store.save_rollups(&[]).expect("no rollups");
    assert_eq!(data_version(&watcher), before, "nothing committed");

    store.apply_changes(&[], cursor + 7).expect("apply");
    assert_eq!(store.feed_cursor().expect("cursor"), cursor + 7);
    assert_ne!(data_version(&watcher), before, "a moved cursor is written");
}
