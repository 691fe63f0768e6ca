//! A real central server on a loopback port, for tests.

use std::net::SocketAddr;

use storedesk_central::Db;
use storedesk_central::http::{self, AdminToken, Settings};
use storedesk_central::service::catalog::{self, ProductInput};
use storedesk_central::service::{stock, stores};

pub const ADMIN: &str = "sda_test_admin_credential";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server for tests, or `None` when skipping was asked for explicitly.
pub fn postgres_url() -> Option<String> {
    match std::env::var("STOREDESK_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("STOREDESK_SKIP_POSTGRES").as_deref() == Ok("1") => None,
        _ => panic!(
            "STOREDESK_TEST_POSTGRES_URL is not set: start PostgreSQL (scripts/setup.sh does) or set STOREDESK_SKIP_POSTGRES=1 to skip on purpose"
        ),
    }
}

pub struct TestCentral {
    pub url: String,
    pub address: SocketAddr,
    pub db: Db,
    pub database_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestCentral {
    /// Starts central on a fresh database; `None` when the backend is skipped on purpose.
    pub async fn start(backend: Backend) -> Option<TestCentral> {
        Self::start_with(backend, Settings::new(AdminToken::new(ADMIN).expect("admin token"))).await
    }

    pub async fn start_with(backend: Backend, settings: Settings) -> Option<TestCentral> {
        let (database_url, dir, postgres) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                (format!("sqlite://{}", dir.path().join("central.db").display()), Some(dir), None)
            }
            Backend::Postgres => {
                let base = postgres_url()?;
                let name = format!("sdtest_{}", uuid_like());
                let admin = admin_pool(&base).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create database");
                admin.close().await;
                let url = with_database(&base, &name);
                (url, None, Some((base, name)))
            }
        };
        let db = Db::connect(&database_url).await.expect("connect central's database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(http::serve(db.clone(), listener, settings, async {
            let _ = stopped.await;
        }));
        Some(TestCentral {
            url: format!("http://{address}"),
            address,
            db,
            database_url,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
            postgres,
        })
    }

    /// Adds a store; returns its first till's (`T1`) token.
    pub async fn add_store(&self, code: &str) -> String {
        stores::add_store(&self.db, code, None, "CNY").await.expect("add store").1.token
    }

    /// Adds a till to a store; returns it (its code, token and join code).
    pub async fn add_till(&self, code: &str) -> storedesk_central::service::tills::NewTill {
        let store = stores::store_by_code(&self.db, code).await.expect("store");
        storedesk_central::service::tills::add_till(&self.db, &store, None).await.expect("add till")
    }

    pub async fn products(&self, products: &[(&str, &str, i64)]) {
        let input: Vec<ProductInput> = products
            .iter()
            .map(|(sku, name, price)| ProductInput {
                sku: (*sku).into(),
                name: (*name).into(),
                price_minor: *price,
                active: true,
            })
            .collect();
        catalog::upsert_products(&self.db, &input).await.expect("products");
    }

    pub async fn receive(&self, code: &str, sku: &str, qty: i64) {
        let store = stores::store_by_code(&self.db, code).await.expect("store");
        stock::receive(&self.db, &store, sku, qty).await.expect("receive");
    }

    /// `(on_hand, reserved)` of a SKU at a store, as central has it.
    pub async fn level(&self, code: &str, sku: &str) -> (i64, i64) {
        let store = stores::store_by_code(&self.db, code).await.expect("store");
        let rows = stock::list(&self.db, &store).await.expect("stock");
        rows.iter().find(|r| r.sku == sku).map_or((0, 0), |r| (r.on_hand, r.reserved))
    }

    /// Stops accepting, finishes what is in flight, and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        self.shutdown().await;
        self.db.close().await;
        if let Some((base, name)) = self.postgres.take() {
            let admin = admin_pool(&base).await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }

    /// Stops the HTTP server only (the database stays), e.g. to take central "down".
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Another stateless replica of this central on the same database (PostgreSQL: several
    /// replicas are how central grows), on its own loopback port; stopped when dropped.
    pub async fn replica(&self) -> Replica {
        let db = Db::connect(&self.database_url).await.expect("connect the replica");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let settings = Settings::new(AdminToken::new(ADMIN).expect("admin token"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(http::serve(db, listener, settings, async {
            let _ = stopped.await;
        }));
        Replica { address, _stop: stop }
    }

    /// Starts the HTTP server again on the same address.
    pub async fn restart(&mut self) {
        self.shutdown().await;
        let listener = tokio::net::TcpListener::bind(self.address).await.expect("rebind");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let settings = Settings::new(AdminToken::new(ADMIN).expect("admin token"));
        self.server = Some(tokio::spawn(http::serve(self.db.clone(), listener, settings, async {
            let _ = stopped.await;
        })));
        self.stop = Some(stop);
    }
}

/// A second central process's worth of server: its own pool and port, the same database.
pub struct Replica {
    pub address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn admin_pool(base: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(1).connect(base).await.expect("connect to PostgreSQL")
}

fn with_database(base: &str, name: &str) -> String {
    let (head, query) = base.split_once('?').map_or((base, None), |(h, q)| (h, Some(q)));
    let prefix = head.rsplit_once('/').map_or(head, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

fn uuid_like() -> String {
    format!("{:016x}{:08x}", fastrand::u64(..), std::process::id())
}
