//! `storedesk-central compact`, and the compaction `serve` runs every hour (see
//! `service::feed::compact`).

use std::time::Duration;

use anyhow::Context;

use crate::db::Db;
use crate::service::feed::compact::{self, Compacted};

/// How often `serve` compacts.
const EVERY: Duration = Duration::from_secs(3600);

/// `30d`, `12h`, `90m`, `2w`: a retention window (jiff's friendly duration format; a day is 24 h).
pub fn parse_keep(text: &str) -> anyhow::Result<Duration> {
    let span: jiff::Span = text
        .trim()
        .parse()
        .with_context(|| format!("--keep {text:?}: a duration such as 30d, 12h or 90m"))?;
    let seconds = span
        .total((jiff::Unit::Second, jiff::SpanRelativeTo::days_are_24_hours()))
        .with_context(|| format!("--keep {text:?}"))?;
    if !(0.0..=1e12).contains(&seconds) {
        anyhow::bail!("--keep {text:?}: must be zero or more");
    }
    Ok(Duration::from_secs_f64(seconds))
}

pub async fn run(db: &Db, keep: Duration, json: bool) -> anyhow::Result<()> {
    let done = compact::compact(db, keep).await?;
    if json {
        return super::print_json(&done);
    }
    report(&done);
    Ok(())
}

fn report(done: &Compacted) {
    eprintln!(
        "compacted: {} superseded feed entries and {} stored answers removed; the feed starts above {}",
        done.feed_entries, done.inbox_answers, done.floor
    );
}

/// Compacts now and then every hour, for as long as the server runs; a failure is logged and
/// tried again at the next hour.
pub fn every_hour(db: Db, keep: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match compact::compact(&db, keep).await {
                Ok(done) => tracing::info!(
                    feed_entries = done.feed_entries,
                    inbox_answers = done.inbox_answers,
                    floor = done.floor,
                    "compacted"
                ),
                Err(err) => tracing::error!(%err, "compaction failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::parse_keep;

    #[test]
    fn retention_windows_read_as_people_write_them() {
        assert_eq!(parse_keep("30d").expect("30d"), std::time::Duration::from_secs(30 * 86_400));
        assert_eq!(parse_keep(" 12h ").expect("12h"), std::time::Duration::from_secs(12 * 3600));
        assert_eq!(parse_keep("0s").expect("0s"), std::time::Duration::ZERO);
        assert!(parse_keep("soon").is_err());
        assert!(parse_keep("-1d").is_err());
    }
}
