//! The outbox relay's rules, proved with a scripted relay: backoff with full jitter, Retry-After,
//! dead-lettering, and "later events of the same order wait behind a dead one".

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use storedesk_domain::{Channel, OrderEvent, PaymentMethod};
use storedesk_protocol::api::AppliedResult;
use storedesk_protocol::events::Envelope;
use storedesk_store::Store;
use storedesk_store::orders::{OrderAction, PaymentInput};
use storedesk_store::outbox::OutboxStatus;
use storedesk_store::relay::{PushOutcome, PushResult, Relay, RelayError, RetryPolicy, push_due};

type Script = Box<dyn Fn(&Envelope) -> PushResult + Send + Sync>;

/// Answers each event with what `script` says, or fails the whole batch while `down` is set.
struct ScriptedRelay {
    script: Script,
    down: Mutex<Option<RelayError>>,
    pushed: Mutex<Vec<Vec<(String, i64)>>>,
}

impl ScriptedRelay {
    fn new(script: impl Fn(&Envelope) -> PushResult + Send + Sync + 'static) -> Self {
        Self { script: Box::new(script), down: Mutex::new(None), pushed: Mutex::new(Vec::new()) }
    }

    fn batches(&self) -> Vec<Vec<(String, i64)>> {
        self.pushed.lock().expect("lock").clone()
    }
}

impl Relay for ScriptedRelay {
    async fn push(&self, batch: &[Envelope]) -> Result<Vec<PushOutcome>, RelayError> {
        self.pushed
            .lock()
            .expect("lock")
            .push(batch.iter().map(|e| (e.aggregate.clone(), e.aggregate_seq)).collect());
        if let Some(err) = self.down.lock().expect("lock").clone() {
            return Err(err);
        }
        Ok(batch.iter().map(|e| PushOutcome { event_id: e.event_id, result: (self.script)(e) }).collect())
    }
}

fn applied() -> PushResult {
    PushResult::Applied(AppliedResult::default())
}

fn policy() -> RetryPolicy {
    RetryPolicy { batch_size: 50, min_delay: Duration::from_secs(1), max_delay: Duration::from_secs(60) }
}

/// Three events for one fulfilment order (placed, paid, cancelled); returns the order's aggregate.
fn order_with_three_events(store: &Store) -> String {
    let order = place(store, Channel::Fulfilment, &["TEA=1"]);
    store
        .pay(&order.number, PaymentInput { method: PaymentMethod::Cash, amount_minor: None }, "t")
        .expect("pay");
    store.apply(&order.number, OrderAction::new(OrderEvent::Cancel, "t")).expect("cancel");
    format!("order:{}", order.id)
}

fn status_of(store: &Store, aggregate: &str) -> Vec<(i64, OutboxStatus)> {
    let events = store.outbox(None, 1000).expect("outbox");
    events.into_iter().filter(|e| e.aggregate == aggregate).map(|e| (e.aggregate_seq, e.status)).collect()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[tokio::test]
async fn a_transport_failure_keeps_events_pending_with_backoff() {
    let (_dir, store) = store();
    let store = std::sync::Arc::new(store);
    let relay = ScriptedRelay::new(|_| applied());
    *relay.down.lock().expect("lock") =
        Some(RelayError::Unreachable { message: "connection refused".into() });
    let t0 = now();
    let report = push_due(&store, &relay, &policy(), t0).await.expect("push");
    assert_eq!(report.transport_error.as_deref(), Some("connection refused"));
    assert_eq!((report.sent, report.retrying), (0, 3));
    for event in store.outbox(None, 100).expect("outbox") {
        assert_eq!(event.status, OutboxStatus::Pending);
        assert_eq!(event.attempts, 1);
        assert_eq!(event.last_error.as_deref(), Some("connection refused"));
        let wait = event.next_attempt_at.as_millisecond() - t0;
        assert!((0..=1000).contains(&wait), "first retry within the 1 s ceiling, got {wait} ms");
    }
    // Nothing is due before its time; everything is due after the ceiling.
    assert!(store.due_events(t0 - 1, 100).expect("due").is_empty());
    assert_eq!(store.due_events(t0 + 1000, 100).expect("due").len(), 3);
    *relay.down.lock().expect("lock") = None;
    let report = push_due(&store, &relay, &policy(), t0 + 1000).await.expect("push");
    assert_eq!(report.sent, 3);
    assert_eq!(store.outbox_stats().expect("stats").pending, 0);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (_dir, store) = store();
    let store = std::sync::Arc::new(store);
    let relay = ScriptedRelay::new(|_| applied());
    *relay.down.lock().expect("lock") = Some(RelayError::Failed {
        status: 429,
        message: "429 Too Many Requests".into(),
        retry_after: Some(Duration::from_secs(30)),
    });
    let t0 = now();
    push_due(&store, &relay, &policy(), t0).await.expect("push");
    for event in store.outbox(None, 100).expect("outbox") {
        assert!(event.next_attempt_at.as_millisecond() >= t0 + 30_000, "waited less than Retry-After");
    }
    assert!(store.due_events(t0 + 29_999, 100).expect("due").is_empty());
}

#[test]
fn backoff_grows_exponentially_with_full_jitter_and_a_cap() {
    let policy = policy();
    for attempts in 1..=12_u32 {
        let ceiling = Duration::from_secs(1 << (attempts - 1).min(20)).min(policy.max_delay);
        let samples: Vec<Duration> = (0..400).map(|_| policy.delay(attempts, None)).collect();
        assert!(samples.iter().all(|d| *d <= ceiling), "attempt {attempts}: a delay exceeded {ceiling:?}");
        let low = samples.iter().filter(|d| **d < ceiling / 4).count();
        let high = samples.iter().filter(|d| **d > ceiling * 3 / 4).count();
        assert!(
            low > 40 && high > 40,
            "attempt {attempts}: not spread over [0, {ceiling:?}] ({low} low, {high} high)"
        );
    }
    assert!(policy.delay(3, Some(Duration::from_secs(90))) >= Duration::from_secs(90));
}

#[tokio::test]
async fn a_refused_event_goes_dead_and_holds_back_its_order_but_not_others() {
    let (_dir, store) = store();
    let store = std::sync::Arc::new(store);
    let a = order_with_three_events(&store);
    let b = order_with_three_events(&store);
    let refuse = a.clone();
    let relay = ScriptedRelay::new(move |e| {
        if e.aggregate == refuse && e.aggregate_seq == 1 {
            PushResult::Rejected {
                code: "invalid_line".into(),
                message: "SKU TEA is not sold online".into(),
                shortages: Vec::new(),
            }
        } else {
            applied()
        }
    });
    let t0 = now();
    let report = push_due(&store, &relay, &policy(), t0).await.expect("push");
    assert_eq!(report.dead, 1);
    assert_eq!(
        status_of(&store, &a),
        vec![(1, OutboxStatus::Dead), (2, OutboxStatus::Pending), (3, OutboxStatus::Pending)]
    );
    assert_eq!(
        status_of(&store, &b),
        vec![(1, OutboxStatus::Sent), (2, OutboxStatus::Sent), (3, OutboxStatus::Sent)]
    );
    let dead = store.outbox(Some(OutboxStatus::Dead), 10).expect("dead");
    assert_eq!(dead[0].last_error.as_deref(), Some("invalid_line: SKU TEA is not sold online"));

    // Later rounds do not even offer A's later events while A#1 is dead.
    for round in 1..=3 {
        push_due(&store, &relay, &policy(), t0 + round * 120_000).await.expect("push");
    }
    let offered_after_dead: Vec<_> =
        relay.batches().into_iter().skip(1).flatten().filter(|(agg, _)| *agg == a).collect();
    assert!(offered_after_dead.is_empty(), "events behind a dead one were pushed: {offered_after_dead:?}");
    assert_eq!(store.outbox_stats().expect("stats").dead, 1);

    // The operator retries it (central has been fixed): A's events go in order.
    let relay = ScriptedRelay::new(|_| applied());
    store.retry_dead_event(&dead[0].event_id.to_string()).expect("retry");
    push_due(&store, &relay, &policy(), now()).await.expect("push");
    assert_eq!(relay.batches(), vec![vec![(a.clone(), 1), (a.clone(), 2), (a.clone(), 3)]]);
    assert_eq!(status_of(&store, &a).iter().filter(|(_, s)| *s == OutboxStatus::Sent).count(), 3);
    let err = store.retry_dead_event("01a21b17-303d-744e-bdc7-f36cebb38840").unwrap_err();
    assert!(err.to_string().starts_with("no dead outbox event"), "{err}");
}

#[tokio::test]
async fn retry_later_or_no_answer_holds_the_rest_of_the_order_in_the_same_batch() {
    let (_dir, store) = store();
    let store = std::sync::Arc::new(store);
    let a = order_with_three_events(&store);
    let b = order_with_three_events(&store);
    let (a2, b1) = (a.clone(), b.clone());
    let relay = ScriptedRelay::new(move |e| {
        if e.aggregate == a2 && e.aggregate_seq == 2 {
            PushResult::RetryLater { message: "sequence gap: expected 1".into() }
        } else {
            applied()
        }
    });
    let t0 = now();
    let report = push_due(&store, &relay, &policy(), t0).await.expect("push");
    assert_eq!(report.retrying, 2, "A#2 and A#3 wait");
    assert_eq!(
        status_of(&store, &a),
        vec![(1, OutboxStatus::Sent), (2, OutboxStatus::Pending), (3, OutboxStatus::Pending)]
    );
    assert_eq!(status_of(&store, &b1).iter().filter(|(_, s)| *s == OutboxStatus::Sent).count(), 3);

    // A relay that leaves an event unanswered: it is retried, not lost.
    let silent = ScriptedRelay::new(|_| applied());
    let events = store.due_events(t0 + 120_000, 100).expect("due");
    assert_eq!(events.len(), 2);
    let only_first = vec![PushOutcome { event_id: events[0].event_id, result: applied() }];
    store.record_push(&events, Ok(only_first), &policy(), t0 + 120_000).expect("record");
    assert_eq!(
        status_of(&store, &a),
        vec![(1, OutboxStatus::Sent), (2, OutboxStatus::Sent), (3, OutboxStatus::Pending)]
    );
    let pending = store.outbox(Some(OutboxStatus::Pending), 10).expect("pending");
    assert_eq!(pending[0].last_error.as_deref(), Some("central did not answer for this event"));
    push_due(&store, &silent, &policy(), t0 + 240_000).await.expect("push");
    assert_eq!(store.outbox_stats().expect("stats").pending, 0);
}

#[tokio::test]
async fn a_duplicate_answer_counts_as_sent_with_the_original_result() {
    let (_dir, store) = store();
    let store = std::sync::Arc::new(store);
    let relay = ScriptedRelay::new(|_| {
        PushResult::Duplicate(AppliedResult {
            reservation: Some("accepted".into()),
            ..AppliedResult::default()
        })
    });
    let report = push_due(&store, &relay, &policy(), now()).await.expect("push");
    assert_eq!(report.sent, 3);
    let sent = store.outbox(Some(OutboxStatus::Sent), 10).expect("sent");
    assert_eq!(sent[0].result, Some(serde_json::json!({"reservation": "accepted"})));
    assert!(sent[0].sent_at.is_some());
}
