//! A staff member's PIN as it is kept and travels: only ever as a salted, slow hash — Argon2id
//! (RFC 9106) in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), made
//! where the PIN is typed (central's `staff add`, a stand-alone till's `staff add`) and checked
//! by every till of the store, offline too.
//!
//! The cost is OWASP's first recommendation for Argon2id: 19 MiB of memory, 2 passes, 1 lane —
//! about 30–60 ms per check on one core of a shop's PC (`storedesk-dev bench pin` measures it),
//! so a sign-in stays well under 200 ms while every guess costs an attacker as much. A hash
//! records its own parameters: raising them later leaves older hashes readable.

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use storedesk_domain::Pin;

/// Memory in KiB, passes, lanes.
pub const COST: (u32, u32, u32) = (19_456, 2, 1);

/// The most characters a PHC string of ours has (central refuses longer ones from anywhere).
pub const MAX_LEN: usize = 200;

/// A PIN's hash. Its `Debug` hides it: it never reaches a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PinHash(String);

/// A stored hash that is not one of ours (damaged or foreign).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the stored PIN hash is not an Argon2id PHC string")]
pub struct BadPinHash;

fn hasher() -> Argon2<'static> {
    let (m, t, p) = COST;
    // The constant parameters are valid; `default()` is the same cost should that ever change.
    let params = Params::new(m, t, p, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl PinHash {
    /// Hashes `pin` with a fresh random salt.
    pub fn new(pin: &Pin) -> PinHash {
        let salt = SaltString::generate(&mut OsRng);
        match hasher().hash_password(pin.expose().as_bytes(), &salt) {
            Ok(hash) => PinHash(hash.to_string()),
            // Only an output or salt of the wrong length fails, and ours are fixed.
            Err(e) => unreachable!("argon2 with fixed parameters failed: {e}"),
        }
    }

    /// A hash read from a database or from central, checked to be an Argon2id PHC string.
    pub fn parse(text: &str) -> Result<PinHash, BadPinHash> {
        if text.len() > MAX_LEN {
            return Err(BadPinHash);
        }
        let parsed = PasswordHash::new(text).map_err(|_| BadPinHash)?;
        if parsed.algorithm.as_str() != "argon2id" || parsed.hash.is_none() {
            return Err(BadPinHash);
        }
        Ok(PinHash(text.to_string()))
    }

    /// Whether `pin` is the PIN this hash was made from (constant time in the hash).
    pub fn verify(&self, pin: &Pin) -> bool {
        PasswordHash::new(&self.0)
            .is_ok_and(|parsed| hasher().verify_password(pin.expose().as_bytes(), &parsed).is_ok())
    }

    /// The PHC string, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinHash(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_checks_its_pin_and_no_other() {
        let pin = Pin::parse("2468").expect("pin");
        let hash = PinHash::new(&pin);
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
        assert!(!hash.as_str().contains("2468"));
        assert!(hash.verify(&pin));
        assert!(!hash.verify(&Pin::parse("2469").expect("pin")));
        assert_ne!(PinHash::new(&pin), hash, "every hash has its own salt");
        assert_eq!(format!("{hash:?}"), "PinHash(…)");
        assert_eq!(PinHash::parse(hash.as_str()), Ok(hash));
    }

    #[test]
    fn foreign_or_damaged_hashes_are_refused() {
        for bad in ["", "2468", "$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$aGFzaA", &"$".repeat(300)] {
            assert_eq!(PinHash::parse(bad), Err(BadPinHash), "{bad:?}");
        }
    }
}
