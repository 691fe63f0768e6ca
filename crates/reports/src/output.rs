//! All-or-nothing output: the report is written to a hidden temporary file in the target's folder
//! and renamed over the target only when complete. Dropping an [`AtomicFile`] without committing
//! removes the temporary file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::ReportError;

pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    pub fn create(target: &Path) -> Result<Self, ReportError> {
        if target.file_name().is_none() || target.is_dir() {
            return Err(ReportError::Invalid(format!("{} is a folder; give a file name", target.display())));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(ReportError::Invalid(format!("the folder {} does not exist", dir.display())));
        }
        let temp = tempfile::Builder::new()
            .prefix(".storedesk-report-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|error| ReportError::Io { path: dir.clone(), error })?;
        Ok(AtomicFile { temp, target: target.to_path_buf() })
    }

    /// Where writers write (the temporary file).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// A buffered writer on the temporary file.
    pub fn writer(&self) -> Result<BufWriter<File>, ReportError> {
        let file = self.temp.reopen().map_err(|error| self.io(error))?;
        Ok(BufWriter::with_capacity(256 * 1024, file))
    }

    pub fn io(&self, error: std::io::Error) -> ReportError {
        ReportError::Io { path: self.target.clone(), error }
    }

    /// Makes the report durable and puts it in place; returns its size.
    pub fn commit(self) -> Result<u64, ReportError> {
        let target = self.target.clone();
        let io = |error| ReportError::Io { path: target.clone(), error };
        self.temp.as_file().sync_all().map_err(io)?;
        let bytes = self.temp.as_file().metadata().map_err(io)?.len();
        self.temp.persist(&target).map_err(|e| ReportError::Io { path: target.clone(), error: e.error })?;
        Ok(bytes)
    }
}

/// Writes `bytes` to the temporary file (formats that render in memory: PDF).
pub fn write_all(file: &AtomicFile, bytes: &[u8]) -> Result<(), ReportError> {
    let mut w = file.writer()?;
    w.write_all(bytes).map_err(|e| file.io(e))?;
    w.flush().map_err(|e| file.io(e))
}
