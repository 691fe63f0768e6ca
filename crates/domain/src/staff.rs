//! Staff: roles, what each may do (one table, [`PERMISSIONS`]), the store's limits on refunds
//! and discounts, and the PIN a person signs in with. Checked by the device's core and again by
//! central for every event it receives; the UI only mirrors it.

use std::fmt;

use crate::OrderEvent;

/// A staff member's role; each one may do what the one before it may, and more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Supervisor,
    Manager,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Cashier, Role::Supervisor, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
        }
    }

    /// The lowest role that may do `permission` (a role above it may too).
    pub fn needed_for(permission: Permission) -> Role {
        PERMISSIONS.iter().find(|(p, _)| *p == permission).map_or(Role::Manager, |(_, role)| *role)
    }

    /// Whether this role may do `permission` at all (limits aside).
    pub fn may(self, permission: Permission) -> bool {
        self >= Role::needed_for(permission)
    }
}

crate::named!(Role, "role");

/// What a step needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Sell,
    TakePayment,
    HandOver,
    /// Confirm stock, hold, ship and deliver a fulfilment order.
    Fulfil,
    Cancel,
    Refund,
    Discount,
    AdjustStock,
    ChangePrices,
    ChangeSettings,
    ManageStaff,
    ViewReports,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::Sell,
        Permission::TakePayment,
        Permission::HandOver,
        Permission::Fulfil,
        Permission::Cancel,
        Permission::Refund,
        Permission::Discount,
        Permission::AdjustStock,
        Permission::ChangePrices,
        Permission::ChangeSettings,
        Permission::ManageStaff,
        Permission::ViewReports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::TakePayment => "take_payment",
            Permission::HandOver => "hand_over",
            Permission::Fulfil => "fulfil",
            Permission::Cancel => "cancel",
            Permission::Refund => "refund",
            Permission::Discount => "discount",
            Permission::AdjustStock => "adjust_stock",
            Permission::ChangePrices => "change_prices",
            Permission::ChangeSettings => "change_settings",
            Permission::ManageStaff => "manage_staff",
            Permission::ViewReports => "view_reports",
        }
    }

    /// What an order step needs.
    pub fn for_step(event: OrderEvent) -> Permission {
        match event {
            OrderEvent::Pay => Permission::TakePayment,
            OrderEvent::HandOver => Permission::HandOver,
            OrderEvent::ConfirmStock | OrderEvent::Hold | OrderEvent::Ship | OrderEvent::Deliver => {
                Permission::Fulfil
            }
            OrderEvent::Cancel => Permission::Cancel,
            OrderEvent::Refund => Permission::Refund,
        }
    }

    /// Whether the store's limits bound this permission below a manager.
    fn limited(self) -> bool {
        matches!(self, Permission::Refund | Permission::Discount)
    }
}

crate::named!(Permission, "permission");

/// The one table of who may do what: each permission and the lowest role that has it.
pub const PERMISSIONS: [(Permission, Role); 12] = [
    (Permission::Sell, Role::Cashier),
    (Permission::TakePayment, Role::Cashier),
    (Permission::HandOver, Role::Cashier),
    (Permission::Fulfil, Role::Cashier),
    (Permission::Cancel, Role::Supervisor),
    (Permission::Refund, Role::Supervisor),
    (Permission::Discount, Role::Supervisor),
    (Permission::AdjustStock, Role::Manager),
    (Permission::ChangePrices, Role::Manager),
    (Permission::ChangeSettings, Role::Manager),
    (Permission::ManageStaff, Role::Manager),
    (Permission::ViewReports, Role::Manager),
];

/// A store's limits on what a supervisor may do alone (a manager has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Limits {
    /// The largest refund, in minor units, a supervisor may give.
    pub refund_max_minor: i64,
    /// The largest discount, in percent of the line or order, a supervisor may give.
    pub discount_max_percent: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { refund_max_minor: 50_000, discount_max_percent: 20 }
    }
}

/// Why a step was refused: the permission (and, over a limit, the amount) it needs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{role} may not {permission}: it needs a {needed} (or a {needed}'s approval)", permission = .permission.as_str(), role = .role.as_str(), needed = .needed.as_str())]
    Permission { role: Role, permission: Permission, needed: Role },
    #[error("{amount} is over the {role}'s limit of {limit} for {permission}: it needs a manager's approval", permission = .permission.as_str(), role = .role.as_str())]
    OverLimit { role: Role, permission: Permission, amount: i64, limit: i64 },
}

/// Whether `role` may do `permission` for `amount` (minor units for a refund, percent for a
/// discount; `None` where the step has no amount) within the store's `limits`.
pub fn check(
    role: Role,
    permission: Permission,
    amount: Option<i64>,
    limits: &Limits,
) -> Result<(), Refused> {
    if !role.may(permission) {
        return Err(Refused::Permission { role, permission, needed: Role::needed_for(permission) });
    }
    if role == Role::Manager || !permission.limited() {
        return Ok(());
    }
    let limit = match permission {
        Permission::Refund => limits.refund_max_minor,
        _ => i64::from(limits.discount_max_percent),
    };
    match amount {
        Some(amount) if amount > limit => Err(Refused::OverLimit { role, permission, amount, limit }),
        _ => Ok(()),
    }
}

/// A PIN as typed: 4 to 8 digits. Never shown: its `Debug` and `Display` print `****`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub fn parse(text: &str) -> Result<Pin, PinError> {
        let digits = text.trim();
        if !(4..=8).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinError);
        }
        Ok(Pin(digits.to_string()))
    }

    /// The digits, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// A PIN that is not 4 to 8 digits (what was typed is not repeated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a PIN is 4 to 8 digits")]
pub struct PinError;

/// The roles table as Markdown, as ARCHITECTURE.md shows it (a test keeps the two the same).
pub fn permissions_table() -> String {
    let mut out = String::from("| permission | cashier | supervisor | manager |\n|---|---|---|---|\n");
    for (permission, _) in PERMISSIONS {
        let cell = |role: Role| match (role.may(permission), role != Role::Manager && permission.limited()) {
            (false, _) => "",
            (true, true) => "up to the limit",
            (true, false) => "yes",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            permission.as_str(),
            cell(Role::Cashier),
            cell(Role::Supervisor),
            cell(Role::Manager)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Named as _;

    #[test]
    fn every_permission_is_in_the_table_once() {
        for p in Permission::ALL {
            assert_eq!(PERMISSIONS.iter().filter(|(q, _)| *q == p).count(), 1, "{p:?}");
        }
    }

    #[test]
    fn a_cashier_sells_but_may_not_refund_and_a_manager_may_do_everything() {
        let limits = Limits::default();
        for p in [Permission::Sell, Permission::TakePayment, Permission::HandOver] {
            assert_eq!(check(Role::Cashier, p, None, &limits), Ok(()));
        }
        let refused = check(Role::Cashier, Permission::Refund, Some(100), &limits).expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "cashier may not refund: it needs a supervisor (or a supervisor's approval)"
        );
        for p in Permission::ALL {
            assert_eq!(check(Role::Manager, p, Some(i64::MAX), &limits), Ok(()), "{p:?}");
        }
        assert!(!Role::Supervisor.may(Permission::AdjustStock));
    }

    #[test]
    fn a_supervisor_refunds_up_to_the_stores_limit() {
        let limits = Limits { refund_max_minor: 10_000, discount_max_percent: 15 };
        assert_eq!(check(Role::Supervisor, Permission::Refund, Some(10_000), &limits), Ok(()));
        let over = check(Role::Supervisor, Permission::Refund, Some(10_001), &limits).expect_err("over");
        assert!(matches!(over, Refused::OverLimit { limit: 10_000, amount: 10_001, .. }), "{over:?}");
        assert!(check(Role::Supervisor, Permission::Discount, Some(16), &limits).is_err());
        assert_eq!(check(Role::Supervisor, Permission::Discount, Some(15), &limits), Ok(()));
    }

    #[test]
    fn order_steps_map_to_permissions() {
        assert_eq!(Permission::for_step(OrderEvent::Refund), Permission::Refund);
        assert_eq!(Permission::for_step(OrderEvent::Ship), Permission::Fulfil);
        assert!(Role::Cashier.may(Permission::for_step(OrderEvent::HandOver)));
        assert!(!Role::Cashier.may(Permission::for_step(OrderEvent::Cancel)));
    }

    #[test]
    fn pins_are_4_to_8_digits_and_never_shown() {
        for good in ["1234", "12345678", " 0042 "] {
            assert!(Pin::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["123", "123456789", "12a4", "", "１２３４"] {
            assert_eq!(Pin::parse(bad), Err(PinError), "{bad:?}");
        }
        let pin = Pin::parse("2468").expect("pin");
        assert_eq!(format!("{pin:?} {pin}"), "Pin(****) ****");
        assert_eq!(pin.expose(), "2468");
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Ok(role));
        }
        for p in Permission::ALL {
            assert_eq!(Permission::from_name(p.name()), Ok(p));
        }
    }

    #[test]
    fn architecture_md_shows_this_table() {
        let doc = include_str!("../../../ARCHITECTURE.md");
        assert!(
            doc.contains(&permissions_table()),
            "ARCHITECTURE.md's roles table differs from the code; it should read:\n{}",
            permissions_table()
        );
    }
}
