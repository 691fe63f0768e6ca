//! The device token in a file readable by its owner only (`central-token` in the data folder). The
//! desktop app prefers the OS keychain and falls back to this file where there is none.

use std::io::Write;
use std::path::{Path, PathBuf};

pub const TOKEN_FILE: &str = "central-token";

pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

/// Writes the token (replacing an older one), readable by the owner only.
pub fn save_token(data_dir: &Path, token: &str) -> std::io::Result<()> {
    let path = token_path(data_dir);
    let tmp = data_dir.join(format!("{TOKEN_FILE}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(token.trim().as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path)
}

/// The saved token, if any.
pub fn load_token(data_dir: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(token_path(data_dir)) {
        Ok(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_string())),
        Ok(_) => Ok(None),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(load_token(dir.path()).expect("load"), None);
        save_token(dir.path(), "sdt_abc\n").expect("save");
        assert_eq!(load_token(dir.path()).expect("load").as_deref(), Some("sdt_abc"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(token_path(dir.path())).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
