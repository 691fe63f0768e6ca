//! `storedesk-dev`: demo data and the core's benchmarks (see the crate's `lib.rs`).

mod bench_bootstrap;
mod bench_load;
mod bench_report;
mod bench_storage;
mod bench_sync;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use storedesk_dev::saga::{SagaBenchOptions, run_saga_bench};
use storedesk_store::Store;

#[derive(Parser, Debug)]
#[command(name = "storedesk-dev", version, about = "Storedesk's demo data and benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure the core's speed
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Demo data
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(Subcommand, Debug)]
enum DemoCommand {
    /// Add N synthetic past orders spread over the last D days to a device's store (for demos and
    /// benchmarks; they carry payments and timelines but move no stock)
    History {
        /// The device's data folder [env: STOREDESK_DATA_DIR]
        #[arg(long, env = "STOREDESK_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 2_000)]
        orders: usize,
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    #[arg(long, default_value_t = 50)]
    stores: usize,
    #[arg(long, default_value_t = 8)]
    tills_per_store: usize,
    /// Measured seconds per step
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The first step's requests per second (all tills together)
    #[arg(long, default_value_t = 200)]
    start_rate: usize,
    /// Each step's rate is the last one's times this
    #[arg(long, default_value_t = 1.25)]
    factor: f64,
    #[arg(long, default_value_t = 12)]
    max_steps: usize,
    /// Stop stepping up once the P99 passes this
    #[arg(long, default_value_t = 50.0)]
    p99_ms: f64,
    /// Also run on PostgreSQL: a URL to a server's `postgres` database (a scratch database is
    /// created there and dropped after)
    #[arg(long, env = "STOREDESK_TEST_POSTGRES_URL")]
    postgres: Option<String>,
    /// Run each backend again with central exporting traces, sampled at this ratio (0.01 = 1 %),
    /// to a stand-in collector on loopback, and print the cost
    #[arg(long, value_name = "RATIO")]
    traced: Option<f64>,
    #[arg(long)]
    json: bool,
}

impl LoadArgs {
    fn options(self) -> anyhow::Result<bench_load::LoadOptions> {
        if self.stores == 0 || self.tills_per_store == 0 || self.seconds == 0 || self.start_rate == 0 {
            bail!("--stores, --tills-per-store, --seconds and --start-rate must be at least 1");
        }
        if self.factor.is_nan() || self.factor <= 1.0 {
            bail!("--factor must be over 1");
        }
        if self.traced.is_some_and(|r| !(r > 0.0 && r <= 1.0)) {
            bail!("--traced must be a ratio over 0 and at most 1 (0.01 = 1 %)");
        }
        Ok(bench_load::LoadOptions {
            stores: self.stores,
            tills_per_store: self.tills_per_store,
            seconds: self.seconds,
            start_rate: self.start_rate,
            factor: self.factor,
            max_steps: self.max_steps,
            p99_target_ms: self.p99_ms,
            postgres: self.postgres,
            traced: self.traced,
        })
    }
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// What a PIN's hash costs at sign-in, next to SHA-256, and how long guessing one would take
    Pin {
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        #[arg(long)]
        json: bool,
    },
    /// Place N fulfilment orders and compare with the raw one-row-insert ceiling
    Saga {
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
        #[arg(long)]
        json: bool,
    },
    /// Rows per second and peak memory of each report format over N synthetic orders
    Report {
        #[arg(long, default_value_t = 1_000_000)]
        orders: usize,
        #[arg(long)]
        json: bool,
    },
    /// A new till's first sync against central with 1x, 10x and 100x history, with the ratio to 1x
    Bootstrap {
        #[arg(long, default_value_t = 5_000)]
        products: usize,
        #[arg(long)]
        json: bool,
    },
    /// Central (its own process) under hundreds of tills at stepped constant rates, with goose
    Load(LoadArgs),
    /// Central's database size per order after N orders, before and after compaction
    Storage {
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Also on PostgreSQL: a URL to a server's `postgres` database (a scratch database is made)
        #[arg(long, env = "STOREDESK_TEST_POSTGRES_URL")]
        postgres: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Push throughput, initial pull and concurrent devices against a real central on loopback
    Sync {
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, default_value_t = 100_000)]
        products: usize,
        #[arg(long, default_value_t = 50)]
        devices: usize,
        /// Central's database [default: a temporary SQLite file]
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo(DemoCommand::History { data_dir, orders, days }) => {
            let store = Store::open_dir(&data_dir).with_context(|| data_dir.display().to_string())?;
            storedesk_dev::seed::seed_orders(&store, orders, days)?;
            eprintln!("added {orders} past orders over {days} days to {}", data_dir.display());
            Ok(())
        }
        Command::Bench(BenchCommand::Saga { orders, json }) => {
            if orders == 0 {
                bail!("--orders must be at least 1");
            }
            let report = run_saga_bench(&SagaBenchOptions { orders })?;
            print(&report, json)
        }
        Command::Bench(BenchCommand::Pin { rounds, json }) => {
            if rounds == 0 {
                bail!("--rounds must be at least 1");
            }
            print(&storedesk_dev::bench_pin::run(rounds)?, json)
        }
        Command::Bench(BenchCommand::Report { orders, json }) => bench_report::bench(orders, json),
        Command::Bench(BenchCommand::Bootstrap { products, json }) => {
            if products == 0 {
                bail!("--products must be at least 1");
            }
            let report = runtime()?.block_on(bench_bootstrap::run(products))?;
            print(&report, json)
        }
        Command::Bench(BenchCommand::Load(args)) => {
            let json = args.json;
            let report = runtime()?.block_on(bench_load::run(&args.options()?))?;
            print(&report, json)
        }
        Command::Bench(BenchCommand::Storage { orders, postgres, json }) => {
            if orders == 0 {
                bail!("--orders must be at least 1");
            }
            let report = runtime()?.block_on(bench_storage::run(orders, postgres.as_deref()))?;
            print(&report, json)
        }
        Command::Bench(BenchCommand::Sync { events, products, devices, database_url, json }) => {
            if events == 0 || products == 0 {
                bail!("--events and --products must be at least 1");
            }
            let report = runtime()?.block_on(bench_sync::run(events, products, devices, database_url))?;
            print(&report, json)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn print<T: serde::Serialize + std::fmt::Display>(report: &T, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
