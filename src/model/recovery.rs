//! Autosave and recovery: unsaved work is written to a recovery file in the user's data folder
//! while the project has changes, and offered back on the next start if the app did not close
//! normally. A normal save or close removes it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::io::{Loaded, ProjectError, parse, to_json_string, write_atomic};
use super::project::Project;

/// Why the recovery file could not be written, read or removed.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// A file operation failed.
    #[error("recovery file ({source}): {origin}")]
    Io {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The recovered project does not parse.
    #[error("the recovered work cannot be read: {0}")]
    Project(#[from] ProjectError),
    /// The description beside it does not parse.
    #[error("the recovery description is damaged ({source}): {origin}")]
    Meta {
        /// Which file.
        origin: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// What is known about recovered work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The project's file when the work was autosaved; `None` for a project never saved.
    pub project_path: Option<PathBuf>,
    /// The project's name.
    pub name: String,
    /// When it was written (local time, RFC 3339).
    pub saved_at: String,
}

/// Recovered work: the project and where it came from.
#[derive(Debug)]
pub struct Recovered {
    /// The project as autosaved.
    pub loaded: Loaded,
    /// Where it came from.
    pub info: RecoveryInfo,
}

/// The recovery files in one folder.
#[derive(Clone, Debug)]
pub struct RecoveryStore {
    dir: PathBuf,
}

const PROJECT_FILE: &str = "recovery.geojson";
const INFO_FILE: &str = "recovery.json";

impl RecoveryStore {
    /// A store in this folder (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store in the user's data folder (`~/.local/share/sitewatch/recovery` on Linux).
    #[must_use]
    pub fn in_user_data() -> Option<Self> {
        directories::ProjectDirs::from("org", "Sitewatch", "sitewatch")
            .map(|d| Self::new(d.data_dir().join("recovery")))
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecoveryError + '_ {
        move |source| RecoveryError::Io {
            origin: path.display().to_string(),
            source,
        }
    }

    /// Writes the project (atomically), with where it came from.
    pub fn write(
        &self,
        project: &Project,
        project_path: Option<&Path>,
    ) -> Result<(), RecoveryError> {
        std::fs::create_dir_all(&self.dir).map_err(Self::io(&self.dir))?;
        let project_file = self.dir.join(PROJECT_FILE);
        write_atomic(&project_file, to_json_string(project).as_bytes())
            .map_err(Self::io(&project_file))?;
        let info = RecoveryInfo {
            project_path: project_path.map(Path::to_path_buf),
            name: project.name.clone(),
            saved_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        };
        let info_file = self.dir.join(INFO_FILE);
        let text = serde_json::to_string_pretty(&info).unwrap_or_default();
        write_atomic(&info_file, text.as_bytes()).map_err(Self::io(&info_file))
    }

    /// The recovered work, if a recovery file is there.
    pub fn read(&self) -> Result<Option<Recovered>, RecoveryError> {
        let project_file = self.dir.join(PROJECT_FILE);
        let text = match std::fs::read_to_string(&project_file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::io(&project_file)(e)),
        };
        let loaded = parse(&text, &project_file.display().to_string())?;
        let info_file = self.dir.join(INFO_FILE);
        let info = match std::fs::read_to_string(&info_file) {
            Ok(t) => serde_json::from_str(&t).map_err(|source| RecoveryError::Meta {
                origin: info_file.display().to_string(),
                source,
            })?,
            // The project was written but not its description: still worth offering.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => RecoveryInfo {
                project_path: None,
                name: loaded.project.name.clone(),
                saved_at: String::new(),
            },
            Err(e) => return Err(Self::io(&info_file)(e)),
        };
        Ok(Some(Recovered { loaded, info }))
    }

    /// Removes the recovery files (after a normal save or close, or when the user declines them).
    pub fn clear(&self) -> Result<(), RecoveryError> {
        for name in [PROJECT_FILE, INFO_FILE] {
            let path = self.dir.join(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Self::io(&path)(e)),
            }
        }
        Ok(())
    }
}
