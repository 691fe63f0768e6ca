//! Secrets central hands out (device tokens, the admin credential, join codes) and the hash it
//! keeps of them instead (SHA-256: they are long and random, so a fast hash is enough).

use sha2::{Digest, Sha256};

/// A new random token (two v4 UUIDs: 244 random bits from the OS's generator).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
