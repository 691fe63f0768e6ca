//! A device for tests: its own data folder, store and sync engine.

use std::sync::Arc;

use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, OrderEvent, PaymentMethod};
use storedesk_store::Store;
use storedesk_store::orders::{NewOrder, Order, OrderAction, PaymentInput};
use storedesk_store::settings::StoreSetup;
use storedesk_store::sync_state::keys;
use storedesk_sync::latency::LatencyRecorder;
use storedesk_sync::{CentralClient, RoundReport, SyncEngine, credentials};

pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub engine: SyncEngine,
}

impl Device {
    /// A new device of store `code`, configured to sync with `central_url`.
    pub fn new(code: &str, central_url: &str, token: &str) -> Device {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open_dir(dir.path()).expect("open store"));
        store
            .init(StoreSetup {
                code: code.into(),
                name: None,
                currency: "CNY".into(),
                time_zone: Some("UTC".into()),
            })
            .expect("init");
        configure(dir.path(), &store, central_url, token);
        let engine = engine(dir.path(), store.clone(), central_url, token);
        Device { dir, store, engine }
    }

    /// A new device of store `code` connected as the till whose token it is: central is asked
    /// who it is (at `central_url`, no faults) before it sells, as `sync configure` does.
    pub async fn connected(code: &str, central_url: &str, token: &str) -> Device {
        let device = Device::new(code, central_url, token);
        let client =
            CentralClient::new(central_url, token, Arc::new(LatencyRecorder::new())).expect("client");
        storedesk_sync::connect::adopt(&device.store, &client).await.expect("become the token's till");
        device
    }

    /// This device's till code.
    pub fn till(&self) -> String {
        self.store.settings().expect("settings").till.to_string()
    }

    /// The same device pushing at most `events` per request (more requests, more faults met).
    pub fn with_batches_of(self, events: usize, central_url: &str, token: &str) -> Device {
        let policy = storedesk_store::relay::RetryPolicy { batch_size: events, ..Default::default() };
        let engine = engine(self.dir.path(), self.store.clone(), central_url, token).with_policy(policy);
        Device { engine, ..self }
    }

    /// Reopens the device's folder (after a crash of another process using it).
    pub fn reopen(&mut self, central_url: &str, token: &str) {
        let store = Arc::new(Store::open_dir(self.dir.path()).expect("reopen store"));
        self.engine = engine(self.dir.path(), store.clone(), central_url, token);
        self.store = store;
    }

    pub async fn sync(&self) -> RoundReport {
        self.engine.round(true).await.expect("sync round")
    }

    /// Syncs until a round completes; panics after `max` rounds.
    pub async fn sync_until_complete(&self, max: usize) -> RoundReport {
        for _ in 0..max {
            let report = self.sync().await;
            if report.complete {
                return report;
            }
        }
        panic!("sync did not complete in {max} rounds: {:?}", self.sync().await);
    }

    pub fn order(&self, channel: Channel, lines: &[&str]) -> Result<Order, storedesk_store::StoreError> {
        let lines = lines.iter().map(|l| parse_line(l).expect("line")).collect();
        self.store.place_order(NewOrder { channel, lines, customer: None, actor: "test".into() })
    }

    pub fn pay(&self, number: &str) -> Order {
        self.store
            .pay(number, PaymentInput { method: PaymentMethod::Card, amount_minor: None }, "test")
            .expect("pay")
    }

    pub fn act(&self, number: &str, event: OrderEvent) -> Result<Order, storedesk_store::StoreError> {
        self.store.apply(number, OrderAction::new(event, "test"))
    }

    /// `(on_hand, reserved)` of a SKU in this device's stock view.
    pub fn level(&self, sku: &str) -> (i64, i64) {
        let row = self.store.stock_level(sku).expect("stock level");
        (row.on_hand, row.reserved)
    }
}

pub fn configure(dir: &std::path::Path, store: &Store, central_url: &str, token: &str) {
    credentials::save_token(dir, token).expect("save token");
    store.set_sync_value(keys::CENTRAL_URL, central_url).expect("configure");
}

fn engine(_dir: &std::path::Path, store: Arc<Store>, central_url: &str, token: &str) -> SyncEngine {
    let client = CentralClient::new(central_url, token, Arc::new(LatencyRecorder::new())).expect("client");
    SyncEngine::new(store, client)
}
