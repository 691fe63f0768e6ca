//! Several statements sent to the database as one round trip.
//!
//! sqlx runs each SQLite connection on its own worker thread: every statement is a hand-off to
//! that thread and back, and under load those wake-ups cost more than the statements (measured:
//! over half of central's CPU with 16–18 statements per push). A [`Batch`] joins its statements
//! into one query string on SQLite — one hand-off, the statements run in order — and runs them
//! one after another on PostgreSQL, whose protocol takes one statement per prepared query.
//!
//! SQLite's multi-statement queries are a behaviour sqlx keeps but calls deprecated
//! (launchbadge/sqlx#3108); should it go, [`Batch::fetch`] takes PostgreSQL's path for both (the
//! `is_sqlite` test in it), at the cost of the hand-offs.
//! Every statement of a batch numbers its parameters through [`super::param`] and
//! [`super::placeholders`] (SQLite's `?`, bound in order across the joined statements).

use sqlx::Either;
use sqlx::any::AnyRow;

use super::{Val, is_sqlite, push_param};
use crate::error::{CentralError, Result};

/// Statements to run together, in order; each one's rows come back apart.
#[derive(Default)]
pub struct Batch {
    statements: Vec<(String, Vec<Val>)>,
}

impl Batch {
    /// Adds a statement; returns its index in [`Batch::fetch`]'s answer.
    pub fn add(&mut self, sql: String, args: Vec<Val>) -> usize {
        self.statements.push((sql, args));
        self.statements.len() - 1
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Adds `head VALUES (...), (...) tail` for `rows`, in chunks that stay under both dialects'
    /// parameter limits. Every row has the same number of values.
    pub fn insert_many(&mut self, conn: &sqlx::AnyConnection, head: &str, rows: &[Vec<Val>], tail: &str) {
        let Some(width) = rows.first().map(Vec::len) else { return };
        let sqlite = is_sqlite(conn);
        let per_chunk = (30_000 / width.max(1)).max(1);
        for chunk in rows.chunks(per_chunk) {
            let mut sql = String::with_capacity(head.len() + chunk.len() * width * 5 + tail.len());
            sql.push_str(head);
            sql.push_str(" VALUES ");
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push(',');
                    }
                    n += 1;
                    push_param(&mut sql, sqlite, n);
                }
                sql.push(')');
            }
            sql.push_str(tail);
            self.add(sql, chunk.concat());
        }
    }

    /// Runs the statements in order; the rows of each, by index.
    pub async fn fetch(self, conn: &mut sqlx::AnyConnection) -> Result<Vec<Vec<AnyRow>>> {
        let count = self.statements.len();
        if count <= 1 || !is_sqlite(conn) {
            let mut rows = Vec::with_capacity(count);
            for (sql, args) in self.statements {
                rows.push(bind(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *conn).await?);
            }
            return Ok(rows);
        }
        let mut sql = String::new();
        let mut all = Vec::new();
        for (statement, args) in self.statements {
            sql.push_str(&statement);
            sql.push_str(";\n");
            all.extend(args);
        }
        let mut rows: Vec<Vec<AnyRow>> = Vec::with_capacity(count);
        let mut current = Vec::new();
        // Each statement's rows are followed by its result: that is where one ends.
        #[allow(deprecated)]
        let mut stream = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), all).fetch_many(&mut *conn);
        while let Some(step) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            match step? {
                Either::Left(_) => rows.push(std::mem::take(&mut current)),
                Either::Right(row) => current.push(row),
            }
        }
        if rows.len() != count {
            return Err(CentralError::Database(sqlx::Error::Protocol(format!(
                "a batch of {count} statements answered {} results",
                rows.len()
            ))));
        }
        Ok(rows)
    }

    /// Runs the statements in order, for their effects.
    pub async fn execute(self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        self.fetch(conn).await.map(drop)
    }
}

fn bind(
    mut query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    args: Vec<Val>,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    for value in args {
        query = match value {
            Val::Int(v) => query.bind(v),
            Val::Text(v) => query.bind(v),
            Val::OptInt(v) => query.bind(v),
            Val::OptText(v) => query.bind(v),
        };
    }
    query
}

/// Runs `head VALUES (...), (...) tail` for `rows` (see [`Batch::insert_many`]).
pub async fn insert_many(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    rows: &[Vec<Val>],
    tail: &str,
) -> Result<()> {
    let mut batch = Batch::default();
    batch.insert_many(conn, head, rows, tail);
    batch.execute(conn).await
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Row};

    use super::*;
    use crate::db::placeholders;

    /// The rows of each statement of a joined SQLite batch come back apart, statements without
    /// rows included, and the parameters are bound in order across the statements.
    #[tokio::test]
    async fn a_batch_answers_each_statement_apart() -> Result<()> {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:").await?;
        let mut batch = Batch::default();
        batch.add("CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT)".into(), Vec::new());
        batch.insert_many(
            &conn,
            "INSERT INTO t (k, v)",
            &[vec![Val::Text("a".into()), Val::Int(1)], vec![Val::Text("b".into()), Val::Int(2)]],
            "",
        );
        let both = format!("SELECT v FROM t WHERE k IN ({}) ORDER BY v", placeholders(&conn, 1, 2));
        let first = batch.add(both, vec![Val::Text("a".into()), Val::Text("b".into())]);
        let none = batch.add(
            format!("SELECT v FROM t WHERE k = {}", placeholders(&conn, 1, 1)),
            vec![Val::Text("z".into())],
        );
        let last =
            batch.add(format!("SELECT k FROM t WHERE v = {}", placeholders(&conn, 1, 1)), vec![Val::Int(2)]);
        let rows = batch.fetch(&mut conn).await?;
        assert_eq!(rows.len(), 5);
        let values: Vec<i64> = rows[first].iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        assert_eq!(values, vec![1, 2]);
        assert!(rows[none].is_empty());
        let keys: Vec<String> = rows[last].iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        assert_eq!(keys, vec!["b".to_string()]);
        Ok(())
    }

    /// A failing statement fails the batch, and what ran before it stays inside the caller's
    /// transaction (which the caller rolls back).
    #[tokio::test]
    async fn a_failing_statement_fails_the_batch() -> Result<()> {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:").await?;
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)").execute(&mut conn).await?;
        let mut tx = conn.begin().await?;
        let mut batch = Batch::default();
        batch.add(
            format!("INSERT INTO t (k) VALUES ({})", placeholders(&tx, 1, 1)),
            vec![Val::Text("a".into())],
        );
        batch.add(
            format!("INSERT INTO t (k) VALUES ({})", placeholders(&tx, 1, 1)),
            vec![Val::Text("a".into())],
        );
        assert!(batch.execute(&mut tx).await.is_err());
        tx.rollback().await?;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t").fetch_one(&mut conn).await?;
        assert_eq!(count, 0);
        Ok(())
    }
}
