//! Where the environment's [`Data`] lives: in memory behind one lock, optionally saved to a file.
//!
//! One `RwLock` guards everything: handlers take it briefly and never across an `.await`, so the
//! emulator stays simple and consistent under concurrent requests. The entities themselves are in
//! `entities.rs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::entities::Data;

/// Shared handle to the environment's [`Data`], optionally kept in a file.
///
/// With a file, every write is saved before the write lock is released, so before the response
/// that acknowledges it is sent: the JSON snapshot goes to `<file>.tmp`, is fsynced, renamed over
/// `<file>` and the directory fsynced. A `kill -9` at any moment leaves either the old or the new
/// snapshot, never a torn one, and never loses an acknowledged change. (A JSON snapshot rather than
/// SQLite: the data is small, one document keeps every write consistent, and there is no schema
/// to migrate.)
#[derive(Clone, Default)]
pub struct Store {
    data: Arc<RwLock<Data>>,
    file: Option<Arc<PathBuf>>,
}

/// Why the state file (`--state`) cannot be used; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write the state file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the state file {path} is not valid emulator state ({source}); move it away to start from the seed"
    )]
    Corrupt {
        path: String,
        source: serde_json::Error,
    },
}

impl Store {
    /// Data kept in memory only.
    pub fn new(data: Data) -> Self {
        Self {
            data: Arc::new(RwLock::new(data)),
            file: None,
        }
    }

    /// Data kept in `file`: loaded from it when it exists, else `seed()` saved to it. Errors: the
    /// file cannot be read or written ([`StoreError::Io`]) or is not emulator data
    /// ([`StoreError::Corrupt`]).
    pub fn open(file: &Path, seed: impl FnOnce() -> Data) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            path: file.display().to_string(),
            source,
        };
        let data = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                path: file.display().to_string(),
                source,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let data = seed();
                save(&data, file).map_err(io)?;
                data
            }
            Err(e) => return Err(io(e)),
        };
        tracing::info!(file = %file.display(), "emulator state loaded");
        Ok(Self {
            data: Arc::new(RwLock::new(data)),
            file: Some(Arc::new(file.to_path_buf())),
        })
    }

    /// Read access, shared with other readers.
    pub fn read(&self) -> RwLockReadGuard<'_, Data> {
        // A panic while holding the lock cannot leave the maps half-written in a way that matters
        // more than refusing all further requests would: keep serving.
        self.data
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Exclusive write access; the data is saved when the guard is dropped.
    pub fn write(&self) -> WriteGuard<'_> {
        WriteGuard {
            guard: self
                .data
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            file: self.file.as_deref().map(PathBuf::as_path),
        }
    }
}

/// Exclusive access to the [`Data`]; dropping it saves the data to the store's file, if any
/// (errors are logged: the change stays in memory).
pub struct WriteGuard<'a> {
    guard: RwLockWriteGuard<'a, Data>,
    file: Option<&'a Path>,
}

impl std::ops::Deref for WriteGuard<'_> {
    type Target = Data;
    fn deref(&self) -> &Data {
        &self.guard
    }
}

impl std::ops::DerefMut for WriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut Data {
        &mut self.guard
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        if let Some(file) = self.file
            && let Err(e) = save(&self.guard, file)
        {
            tracing::error!(file = %file.display(), error = %e, "cannot save the emulator state");
        }
    }
}

/// Atomic, durable snapshot: write `<file>.tmp`, fsync, rename over `<file>`, fsync the directory.
fn save(data: &Data, file: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let bytes = serde_json::to_vec(data).map_err(std::io::Error::other)?;
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = file.with_extension("json.tmp");
    let mut out = std::fs::File::create(&tmp)?;
    out.write_all(&bytes)?;
    out.sync_all()?;
    std::fs::rename(&tmp, file)?;
    std::fs::File::open(dir)?.sync_all()
}
