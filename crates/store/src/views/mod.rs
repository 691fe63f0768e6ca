//! What the desktop app's screens read: the dashboard's figures (`dashboard`), pages of the
//! orders list (`order_list`, fast on a million orders), the operator's preferences (`prefs`) and
//! the tills they can be narrowed to (`tills`).
//! The catalog search and a product's threshold live with the catalog.

mod dashboard;
mod order_list;
mod prefs;
mod tills;

pub use dashboard::{Dashboard, MinuteCount, StatusCount, StockTotals};
pub use order_list::{OrderPage, OrderQuery, OrderSummary};
pub use prefs::DEFAULT_LOW_STOCK_THRESHOLD;
pub(crate) use tills::orders_of_staff;
pub use tills::{staff_filter, till_filter};
