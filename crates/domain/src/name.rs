//! Names: the snake_case word each of the domain's enums is stored and sent as, and reading one
//! back, with one error that says what was expected.

/// An enum with a fixed set of values, each known by one name.
pub trait Named: Copy + Sized + 'static {
    /// Every value, in a stable order.
    const ALL: &'static [Self];
    /// What a value is, for messages ("order status").
    const WHAT: &'static str;

    fn name(self) -> &'static str;

    /// The value called `text` (surrounding blanks ignored).
    fn from_name(text: &str) -> Result<Self, UnknownName> {
        let wanted = text.trim();
        Self::ALL.iter().copied().find(|v| v.name() == wanted).ok_or_else(|| UnknownName {
            what: Self::WHAT,
            text: text.to_string(),
            expected: Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {text:?} (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub text: String,
    pub expected: String,
}

/// Implements [`Named`] for an enum with an `ALL` array and an `as_str` method.
#[macro_export]
macro_rules! named {
    ($type:ty, $what:literal) => {
        impl $crate::name::Named for $type {
            const ALL: &'static [Self] = &<$type>::ALL;
            const WHAT: &'static str = $what;
            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}
