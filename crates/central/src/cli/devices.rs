//! `storedesk-central device add|list|revoke`: a store's tills.

use clap::Subcommand;

use super::print_json;
use crate::db::Db;
use crate::service::stores;
use crate::service::tills::{self, NewTill};

#[derive(Subcommand, Debug)]
pub enum DeviceCommand {
    /// Add a till to a store: prints its code, its token and a one-time join code (with a QR code)
    Add {
        #[arg(long)]
        store: String,
        /// What the till is called (its code when absent)
        #[arg(long)]
        name: Option<String>,
        /// Central's address as tills reach it; the QR code then carries it with the join code
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A store's tills
    List {
        #[arg(long)]
        store: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a till up again on a new machine (its disk died): revokes its tokens, forgets its
    /// machine, and prints a new token and join code; the till keeps its code and numbers
    Replace {
        #[arg(long)]
        store: String,
        /// The till's code, e.g. T2
        till: String,
        /// Central's URL as the till reaches it, for the QR code's join link
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a till and all its tokens
    Revoke {
        #[arg(long)]
        store: String,
        /// The till's code, e.g. T2
        till: String,
    },
}

pub async fn run(db: &Db, command: DeviceCommand) -> anyhow::Result<()> {
    match command {
        DeviceCommand::Add { store, name, url, json } => {
            let store = stores::store_by_code(db, &store).await?;
            let till = tills::add_till(db, &store, name.as_deref()).await?;
            if json {
                return print_json(&till);
            }
            print_new_till(&till, url.as_deref());
        }
        DeviceCommand::List { store, json } => {
            let list = tills::list_tills(db, &stores::store_by_code(db, &store).await?).await?;
            if json {
                return print_json(&list);
            }
            println!("TILL  NAME  CLAIMED  REVOKED");
            for t in list {
                let yes = |b: bool| if b { "yes" } else { "no" };
                println!("{}  {}  {}  {}", t.till, t.name, yes(t.claimed), yes(t.revoked));
            }
        }
        DeviceCommand::Replace { store, till, url, json } => {
            let store = stores::store_by_code(db, &store).await?;
            let till = tills::replace_till(db, &store, &till).await?;
            if json {
                return print_json(&till);
            }
            print_new_till(&till, url.as_deref());
        }
        DeviceCommand::Revoke { store, till } => {
            tills::revoke_till(db, &stores::store_by_code(db, &store).await?, &till).await?;
            eprintln!("revoked till {} of {}", till.to_ascii_uppercase(), store.to_ascii_uppercase());
        }
    }
    Ok(())
}

/// What the join code's QR code says: the code alone, or a link that carries central's address.
pub fn join_payload(url: Option<&str>, code: &str) -> String {
    match url {
        Some(url) => format!("storedesk://join?central={}&code={code}", url.trim_end_matches('/')),
        None => code.to_string(),
    }
}

fn print_new_till(till: &NewTill, url: Option<&str>) {
    println!("till   {} ({}) of {}", till.till, till.name, till.store);
    println!("token  {}", till.token);
    println!("join   {}  (one-time, 15 minutes)", till.join_code);
    let payload = join_payload(url, &till.join_code);
    match qrcode::QrCode::new(payload.as_bytes()) {
        Ok(qr) => {
            let picture = qr
                .render::<qrcode::render::unicode::Dense1x2>()
                .dark_color(qrcode::render::unicode::Dense1x2::Light)
                .light_color(qrcode::render::unicode::Dense1x2::Dark)
                .build();
            println!("{picture}");
        }
        Err(e) => eprintln!("(no QR code: {e})"),
    }
    eprintln!(
        "on the till: storedesk join --central URL --code {}, or the app's first screen",
        till.join_code
    );
}
