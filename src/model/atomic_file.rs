//! Atomic file writes that keep the file what it was: a unique temp file beside the real target
//! (symlinks resolved) with the target's mode, fsync, rename, fsync the folder; stray temp files
//! of crashed writes cleared once they are old.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Stray temp files of saves older than this are litter from a crash, not a save in progress.
pub const STALE_TEMP_AGE: Duration = Duration::from_hours(1);

/// Writes bytes atomically (temp file beside the real target, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, &mut |_| Ok(()))
}

/// Where an atomic write stands when [`write_atomic_with`] calls its hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteStep {
    /// The temp file is written and synced; the target is not yet replaced.
    TempWritten,
}

/// The file a path stands for: a symlink's target, so the link itself stays a link.
pub(crate) fn resolve_target(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.sitewatch-")
}

/// Removes `.NAME.sitewatch-*.tmp` files beside `path` last changed more than
/// [`STALE_TEMP_AGE`] before `now` (younger ones may be another instance's save in progress).
/// Returns how many were removed.
pub fn remove_stale_temps(path: &Path, now: SystemTime) -> usize {
    let (dir, name) = dir_and_name(path);
    let prefix = temp_prefix(&name);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if !(file_name.starts_with(&prefix) && file_name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn dir_and_name(path: &Path) -> (PathBuf, String) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned());
    (dir.to_path_buf(), name)
}

/// Tells temp files of saves in one process apart.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Creates a new, unique temp file beside the target (never opening an existing one).
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let prefix = temp_prefix(name);
    let mut last_error = None;
    for _ in 0..16 {
        let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tag = format!("{:x}{n:x}{nanos:x}", std::process::id());
        let tmp = dir.join(format!("{prefix}{tag}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free temp file name")))
}

/// Writes bytes to a new, uniquely named temp file beside the real target of `path` (symlinks
/// resolved), with the target's mode, synced. Returns the temp file and the real target; on an
/// error nothing is left behind.
pub fn write_temp_beside(path: &Path, bytes: &[u8]) -> std::io::Result<(PathBuf, PathBuf)> {
    let target = resolve_target(path);
    let (dir, name) = dir_and_name(&target);
    let existing_mode = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let (tmp, mut file) = create_temp(&dir, &name)?;
    let result = (|| {
        // An existing file keeps its mode; a new one gets 0666 less the umask, from the OS.
        if let Some(permissions) = existing_mode {
            file.set_permissions(permissions)?;
        }
        file.write_all(bytes)?;
        file.sync_all()
    })();
    drop(file);
    match result {
        Ok(()) => Ok((tmp, target)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Renames a temp file from [`write_temp_beside`] over its target and syncs the folder.
pub fn rename_into_place(tmp: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::rename(tmp, target)?;
    let (dir, _) = dir_and_name(target);
    if let Ok(d) = std::fs::File::open(&dir) {
        // Persist the rename itself; not every platform allows syncing a folder.
        let _ = d.sync_all();
    }
    Ok(())
}

/// [`write_atomic`] with a hook called at each step; an error from the hook stops the write there
/// as a crash or a full disk would, so tests can check that the old file survives.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    hook: &mut dyn FnMut(WriteStep) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (tmp, target) = write_temp_beside(path, bytes)?;
    let result = hook(WriteStep::TempWritten).and_then(|()| rename_into_place(&tmp, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
