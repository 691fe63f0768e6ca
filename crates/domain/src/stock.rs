//! Stock levels and the arithmetic that keeps them sound.
//!
//! Every change is expressed as a [`StockDelta`] so that the store can write the same numbers to
//! the stock row and to the ledger: `on_hand` and `reserved` always equal the ledger's sums.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The most units one adjustment may move either way (a receipt, a count, damage): the same guard
/// against typos as an order line's [`MAX_QTY`](crate::line::MAX_QTY), kept on the device and at
/// central.
pub const MAX_ADJUST: i64 = crate::line::MAX_QTY;

/// One SKU's stock: `available = on_hand - reserved`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StockLevel {
    pub on_hand: i64,
    pub reserved: i64,
}

/// A change to a [`StockLevel`], as written to one ledger row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StockDelta {
    pub on_hand: i64,
    pub reserved: i64,
}

impl StockLevel {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    pub fn apply(&self, delta: StockDelta) -> StockLevel {
        StockLevel { on_hand: self.on_hand + delta.on_hand, reserved: self.reserved + delta.reserved }
    }

    /// Holds `qty` units for an order; refused when fewer are available.
    pub fn reserve(&self, qty: i64) -> Result<StockDelta, StockError> {
        if qty > self.available() {
            return Err(StockError::Insufficient { requested: qty, available: self.available().max(0) });
        }
        Ok(StockDelta { on_hand: 0, reserved: qty })
    }

    /// Gives back `qty` reserved units (cancel, or central refused the reservation).
    pub fn release(&self, qty: i64) -> Result<StockDelta, StockError> {
        if qty > self.reserved {
            return Err(StockError::ReleaseExceedsReserved { requested: qty, reserved: self.reserved });
        }
        Ok(StockDelta { on_hand: 0, reserved: -qty })
    }

    /// The reserved goods left the shop (hand-over, shipment).
    pub fn consume(&self, qty: i64) -> Result<StockDelta, StockError> {
        if qty > self.reserved {
            return Err(StockError::ReleaseExceedsReserved { requested: qty, reserved: self.reserved });
        }
        Ok(StockDelta { on_hand: -qty, reserved: -qty })
    }

    /// Returned goods go back on the shelf.
    pub fn restock(&self, qty: i64) -> StockDelta {
        StockDelta { on_hand: qty, reserved: 0 }
    }

    /// An operator's adjustment. A receipt adds, damage removes, a count may do either; none may
    /// leave fewer units on hand than are reserved for orders.
    pub fn adjust(&self, delta: i64, reason: AdjustReason) -> Result<StockDelta, StockError> {
        check_adjust(delta, reason)?;
        let on_hand = self.on_hand.checked_add(delta).ok_or(StockError::Overflow)?;
        if on_hand < self.reserved {
            return Err(StockError::BelowReserved { on_hand, reserved: self.reserved });
        }
        Ok(StockDelta { on_hand: delta, reserved: 0 })
    }
}

/// Whether `delta` may be an adjustment for `reason` at all, whatever the stock: its direction
/// and its bound ([`MAX_ADJUST`]).
pub fn check_adjust(delta: i64, reason: AdjustReason) -> Result<(), StockError> {
    let direction_ok = match reason {
        AdjustReason::Receipt => delta > 0,
        AdjustReason::Damage => delta < 0,
        AdjustReason::Count => delta != 0,
    };
    if !direction_ok {
        return Err(StockError::AdjustDirection { delta, reason });
    }
    if delta.unsigned_abs() > MAX_ADJUST.unsigned_abs() {
        return Err(StockError::AdjustTooLarge { delta });
    }
    Ok(())
}

/// Why an operator adjusted stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    /// Goods received from a supplier.
    Receipt,
    /// A stock count found a different number.
    Count,
    /// Goods damaged or lost.
    Damage,
}

impl AdjustReason {
    pub const ALL: [AdjustReason; 3] = [AdjustReason::Receipt, AdjustReason::Count, AdjustReason::Damage];

    pub fn as_str(self) -> &'static str {
        self.ledger_reason().as_str()
    }

    pub fn ledger_reason(self) -> LedgerReason {
        match self {
            AdjustReason::Receipt => LedgerReason::Receipt,
            AdjustReason::Count => LedgerReason::Count,
            AdjustReason::Damage => LedgerReason::Damage,
        }
    }
}

/// Why a stock ledger row exists; every number on screen can be explained by these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LedgerReason {
    /// Goods left the shop for an order (hand-over or shipment).
    Sale,
    Reservation,
    Release,
    Receipt,
    Count,
    Damage,
    /// Goods came back on a refund.
    Return,
    /// Central's view replaced the device's (sync).
    Sync,
}

impl LedgerReason {
    pub const ALL: [LedgerReason; 8] = [
        LedgerReason::Sale,
        LedgerReason::Reservation,
        LedgerReason::Release,
        LedgerReason::Receipt,
        LedgerReason::Count,
        LedgerReason::Damage,
        LedgerReason::Return,
        LedgerReason::Sync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LedgerReason::Sale => "sale",
            LedgerReason::Reservation => "reservation",
            LedgerReason::Release => "release",
            LedgerReason::Receipt => "receipt",
            LedgerReason::Count => "count",
            LedgerReason::Damage => "damage",
            LedgerReason::Return => "return",
            LedgerReason::Sync => "sync",
        }
    }

    /// Whether a row with this reason belongs to an order (otherwise it carries its own reason).
    pub fn is_order_movement(self) -> bool {
        match self {
            LedgerReason::Sale | LedgerReason::Reservation | LedgerReason::Release | LedgerReason::Return => {
                true
            }
            LedgerReason::Receipt | LedgerReason::Count | LedgerReason::Damage | LedgerReason::Sync => false,
        }
    }
}

crate::named!(AdjustReason, "adjustment reason");
crate::named!(LedgerReason, "ledger reason");

impl fmt::Display for LedgerReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("not enough stock: {requested} requested, {available} available")]
    Insufficient { requested: i64, available: i64 },
    #[error("cannot release {requested}: only {reserved} reserved")]
    ReleaseExceedsReserved { requested: i64, reserved: i64 },
    #[error("the adjustment would leave {on_hand} on hand, below the {reserved} reserved for orders")]
    BelowReserved { on_hand: i64, reserved: i64 },
    #[error("a {} adjustment cannot be {delta} ({})", reason.as_str(), match reason {
        AdjustReason::Receipt => "a receipt adds stock",
        AdjustReason::Damage => "damage removes stock",
        AdjustReason::Count => "a count must change something",
    })]
    AdjustDirection { delta: i64, reason: AdjustReason },
    #[error("an adjustment of {delta} is out of range (at most {MAX_ADJUST} units either way)")]
    AdjustTooLarge { delta: i64 },
    #[error("stock quantity out of range")]
    Overflow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_refuses_more_than_available() {
        let level = StockLevel { on_hand: 5, reserved: 3 };
        assert_eq!(level.reserve(2), Ok(StockDelta { on_hand: 0, reserved: 2 }));
        let err = level.reserve(3).unwrap_err();
        assert_eq!(err, StockError::Insufficient { requested: 3, available: 2 });
        assert_eq!(err.to_string(), "not enough stock: 3 requested, 2 available");
    }

    #[test]
    fn consume_lowers_on_hand_and_reserved() {
        let level = StockLevel { on_hand: 5, reserved: 3 };
        let after = level.apply(level.consume(3).expect("reserved"));
        assert_eq!(after, StockLevel { on_hand: 2, reserved: 0 });
        assert!(after.release(1).is_err());
    }

    #[test]
    fn adjustments_keep_on_hand_above_reserved_and_match_their_reason() {
        let level = StockLevel { on_hand: 5, reserved: 3 };
        assert!(level.adjust(-2, AdjustReason::Damage).is_ok());
        assert!(matches!(
            level.adjust(-3, AdjustReason::Count),
            Err(StockError::BelowReserved { on_hand: 2, .. })
        ));
        assert!(matches!(level.adjust(-1, AdjustReason::Receipt), Err(StockError::AdjustDirection { .. })));
        assert!(matches!(level.adjust(1, AdjustReason::Damage), Err(StockError::AdjustDirection { .. })));
        assert!(matches!(level.adjust(0, AdjustReason::Count), Err(StockError::AdjustDirection { .. })));
        assert!(level.adjust(MAX_ADJUST, AdjustReason::Receipt).is_ok());
        assert!(matches!(
            level.adjust(MAX_ADJUST + 1, AdjustReason::Receipt),
            Err(StockError::AdjustTooLarge { .. })
        ));
        assert!(matches!(
            level.adjust(i64::MIN, AdjustReason::Count),
            Err(StockError::AdjustTooLarge { .. })
        ));
    }
}
