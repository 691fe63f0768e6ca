//! The admin credential `serve` uses: from the environment, else a private file made at first
//! start.

use std::path::Path;

use anyhow::{Context, bail};

use crate::service::stores;

/// The admin credential: `STOREDESK_CENTRAL_ADMIN_TOKEN`, else the file (created with a new one,
/// readable by its owner only, at first start).
pub(super) fn admin_credential(file: &Path) -> anyhow::Result<String> {
    if let Ok(token) = std::env::var("STOREDESK_CENTRAL_ADMIN_TOKEN")
        && !token.trim().is_empty()
    {
        return Ok(token.trim().to_string());
    }
    if file.exists() {
        let token =
            std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        if token.trim().is_empty() {
            bail!("{} is empty; delete it to create a new admin credential", file.display());
        }
        return Ok(token.trim().to_string());
    }
    let token = stores::new_token("sda_");
    write_private(file, &token)?;
    eprintln!("created the admin credential in {} (keep it secret)", file.display());
    Ok(token)
}

fn write_private(file: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file).with_context(|| format!("cannot create {}", file.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}
