//! Narrowing the store's figures to one till: the Orders list, the dashboard and the reports
//! cover the whole store unless the operator picks a till. A till's figures are those of the
//! orders it took (their payments and refunds included, wherever they were taken); stock belongs
//! to the store and is never narrowed. The central platform's orders belong to no till.

use crate::Store;
use crate::error::Result;

/// The till to narrow to, as typed or chosen: blank is the whole store; codes compare in capitals.
pub fn till_filter(till: Option<&str>) -> Option<String> {
    till.map(str::trim).filter(|t| !t.is_empty()).map(str::to_ascii_uppercase)
}

/// A staff code to narrow to: blank is everyone; codes compare in capitals (as tills').
pub fn staff_filter(staff: Option<&str>) -> Option<String> {
    till_filter(staff)
}

/// SQL: the ids of the orders the person in parameter `?n` took a step in or approved (through
/// the timeline's indexes by actor and by approver).
pub(crate) fn orders_of_staff(n: usize) -> String {
    format!(
        "SELECT order_id FROM order_timeline WHERE actor = ?{n}
         UNION SELECT order_id FROM order_timeline WHERE approved_by = ?{n}"
    )
}

impl Store {
    /// Every till that has taken an order here, and this device's own, in order (`T1`, `T2`, `T10`).
    pub fn tills(&self) -> Result<Vec<String>> {
        let own = self.settings()?.till.to_string();
        let mut tills = self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT DISTINCT till FROM orders WHERE till IS NOT NULL")?;
            let rows =
                stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        if !tills.contains(&own) {
            tills.push(own);
        }
        tills.sort_by_key(|t| (t.trim_start_matches('T').parse::<u32>().unwrap_or(u32::MAX), t.clone()));
        Ok(tills)
    }
}
