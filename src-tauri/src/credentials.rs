//! The central token: in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
//! Service on Linux), or — where none answers, e.g. a Linux machine without a Secret Service — in a
//! file only the user can read, in the app's data folder. The app tells the operator which.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use serde::Serialize;

const SERVICE: &str = "app.storedesk.desktop";
const ACCOUNT: &str = "central-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TokenStorage {
    Keychain,
    /// A 0600 file, because no keychain is available.
    File,
}

pub struct Credentials {
    keychain: Option<Arc<CredentialStore>>,
    data_dir: PathBuf,
}

fn os_keychain() -> Option<Arc<CredentialStore>> {
    #[cfg(target_os = "linux")]
    let store = dbus_secret_service_keyring_store::Store::new().ok().map(|s| s as Arc<CredentialStore>);
    #[cfg(target_os = "macos")]
    let store = apple_native_keyring_store::keychain::Store::new().ok().map(|s| s as Arc<CredentialStore>);
    #[cfg(target_os = "windows")]
    let store = windows_native_keyring_store::Store::new().ok().map(|s| s as Arc<CredentialStore>);
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    let store: Option<Arc<CredentialStore>> = None;
    // A store that exists but cannot be used (no Secret Service running) is no keychain.
    store.filter(|s| {
        Entry::new_in_store(s, SERVICE, "probe")
            .and_then(|e| match e.get_password() {
                Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(other) => Err(other),
            })
            .is_ok()
    })
}

impl Credentials {
    pub fn new(data_dir: &Path) -> Self {
        // STOREDESK_NO_KEYCHAIN=1 keeps tests and demos away from the user's real keychain.
        let keychain = if std::env::var_os("STOREDESK_NO_KEYCHAIN").is_some() { None } else { os_keychain() };
        Credentials { keychain, data_dir: data_dir.to_path_buf() }
    }

    pub fn storage(&self) -> TokenStorage {
        if self.keychain.is_some() { TokenStorage::Keychain } else { TokenStorage::File }
    }

    pub fn save(&self, token: &str) -> Result<(), String> {
        match &self.keychain {
            Some(store) => Entry::new_in_store(store, SERVICE, ACCOUNT)
                .and_then(|e| e.set_password(token.trim()))
                .map_err(|e| format!("the keychain refused the token: {e}")),
            None => storedesk_sync::credentials::save_token(&self.data_dir, token)
                .map_err(|e| format!("cannot save the token: {e}")),
        }
    }

    pub fn load(&self) -> Option<String> {
        match &self.keychain {
            Some(store) => Entry::new_in_store(store, SERVICE, ACCOUNT).and_then(|e| e.get_password()).ok(),
            None => storedesk_sync::credentials::load_token(&self.data_dir).ok().flatten(),
        }
        // A token saved by the CLI (always a file) is used when the keychain has none.
        .or_else(|| storedesk_sync::credentials::load_token(&self.data_dir).ok().flatten())
    }
}
