//! Saving, opening and importing off the UI thread. A save writes a snapshot of the project
//! taken with the history's position, so editing goes on while it runs; the unsaved mark then
//! clears only if nothing changed since the snapshot. Anything that must wait for the save
//! (closing, quitting, opening another project) waits behind a "Saving…" modal. Opening and
//! importing parse on a worker behind a modal with a spinner; each frame polls for the result.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use chrono::NaiveDate;

use super::super::SitewatchApp;
use super::{DialogPurpose, Pending};
use crate::editing::History;
use crate::interchange::geojson::plain_feature_count;
use crate::interchange::{
    ImportOptions, Imported, InterchangeError, import_edit, import_file_with,
};
use crate::model::Project;
use crate::model::io::{Loaded, ProjectError, load, save_atomic};
use crate::model::project_file::rebase_layer_files;
use crate::ui::file_modals::{reading_modal, saving_modal};

/// A file job run on a worker thread (tests hold it at its start with a gate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileWork {
    /// Writing the project to this file.
    Save(PathBuf),
    /// Reading a project from this file.
    Open(PathBuf),
    /// Reading annotations to import from this file.
    Import(PathBuf),
}

/// Called on the worker thread before each job starts.
pub type FileWorkGate = Arc<dyn Fn(&FileWork) + Send + Sync>;

/// A worker's answer, taken once: polled each frame, or waited for.
struct Answer<T> {
    rx: Receiver<T>,
    taken: Option<T>,
}

impl<T> Answer<T> {
    /// The answer once it has come; `Err(())` when the worker died without one.
    fn poll(&mut self) -> Option<Result<T, ()>> {
        if let Some(answer) = self.taken.take() {
            return Some(Ok(answer));
        }
        match self.rx.try_recv() {
            Ok(answer) => Some(Ok(answer)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(())),
        }
    }

    fn wait(&mut self) {
        if self.taken.is_none() {
            self.taken = self.rx.recv().ok();
        }
    }
}

fn spawn<T: Send + 'static>(
    ctx: &egui::Context,
    gate: Option<FileWorkGate>,
    work: FileWork,
    job: impl FnOnce() -> T + Send + 'static,
) -> Answer<T> {
    let (tx, rx) = mpsc::channel();
    let ctx = ctx.clone();
    std::thread::spawn(move || {
        if let Some(gate) = gate {
            gate(&work);
        }
        let _ = tx.send(job());
        ctx.request_repaint();
    });
    Answer { rx, taken: None }
}

/// A save in flight.
struct SaveJob {
    path: PathBuf,
    /// The history's position when the snapshot was taken.
    position: u64,
    /// What waits for the save (close, quit, open …), behind the "Saving…" modal.
    then: Option<Pending>,
    answer: Answer<Result<(), ProjectError>>,
}

/// What a read job gives back.
enum Read {
    /// The project, and when it failed and the file is plain `GeoJSON`, its feature count.
    Project(Box<Result<Loaded, ProjectError>>, Option<usize>),
    Import(Result<Imported, InterchangeError>),
}

/// An open or import in flight.
struct ReadJob {
    work: FileWork,
    /// The history's position when the read started.
    position: u64,
    answer: Answer<Read>,
}

/// The file jobs of the window.
#[derive(Default)]
pub(crate) struct FileJobs {
    gate: Option<FileWorkGate>,
    save: Option<SaveJob>,
    read: Option<ReadJob>,
}

impl SitewatchApp {
    /// Holds each file job at its start, on its worker thread (tests).
    pub fn set_file_work_gate(&mut self, gate: FileWorkGate) {
        self.files.jobs.gate = Some(gate);
    }

    /// True while a save runs on its worker.
    #[must_use]
    pub fn is_saving(&self) -> bool {
        self.files.jobs.save.is_some()
    }

    /// Blocks until the running save, open or import has its result; the next frame takes it
    /// (tests; the window never waits).
    pub fn wait_for_file_work(&mut self) {
        if let Some(job) = &mut self.files.jobs.save {
            job.answer.wait();
        }
        if let Some(job) = &mut self.files.jobs.read {
            job.answer.wait();
        }
    }

    /// Saves to the project's file, then does `then`; with no file, or a read-only one, asks for
    /// another with Save As (and does `then` once that is written).
    pub(crate) fn save_then(&mut self, ctx: &egui::Context, then: Option<Pending>) {
        let Some(path) = self.project_path.clone() else {
            self.files.after_save = then;
            self.open_dialog(ctx, DialogPurpose::SaveAs);
            return;
        };
        // Said at once (the worker checks again): Save As is offered before any work is done.
        if std::fs::metadata(crate::model::atomic_file::resolve_target(&path))
            .is_ok_and(|m| m.permissions().readonly())
        {
            self.report(
                &ProjectError::ReadOnly {
                    origin: path.display().to_string(),
                }
                .to_string(),
            );
            self.files.after_save = then;
            self.open_dialog(ctx, DialogPurpose::SaveAs);
            return;
        }
        self.start_save(ctx, path, then);
    }

    /// Writes a snapshot of the project to `path` on a worker, then does `then`.
    pub(crate) fn start_save(&mut self, ctx: &egui::Context, path: PathBuf, then: Option<Pending>) {
        if let Some(job) = &mut self.files.jobs.save {
            // One save at a time: what waits on this one waits on the running one.
            if job.then.is_none() {
                job.then = then;
            }
            return;
        }
        let snapshot = rebase_layer_files(&self.project, self.project_path.as_deref(), &path);
        let position = self.history.position();
        // An edit from now on is a step of its own, so Undo can return to the saved state.
        self.history.break_coalescing();
        let target = path.clone();
        let answer = spawn(
            ctx,
            self.files.jobs.gate.clone(),
            FileWork::Save(path.clone()),
            move || save_atomic(&snapshot, &target),
        );
        self.files.jobs.save = Some(SaveJob {
            path,
            position,
            then,
            answer,
        });
    }

    /// Opens a project file on a worker; on failure the current project and its path stay.
    pub(crate) fn start_open(&mut self, ctx: &egui::Context, path: &Path) {
        let target = path.to_path_buf();
        let answer = spawn(
            ctx,
            self.files.jobs.gate.clone(),
            FileWork::Open(target.clone()),
            move || {
                let loaded = load(&target);
                let plain = loaded
                    .is_err()
                    .then(|| plain_feature_count(&target))
                    .flatten();
                Read::Project(Box::new(loaded), plain)
            },
        );
        self.files.jobs.read = Some(ReadJob {
            work: FileWork::Open(path.to_path_buf()),
            position: self.history.position(),
            answer,
        });
    }

    /// Reads annotations to import on a worker; they arrive as one undoable edit.
    pub(crate) fn start_import(
        &mut self,
        ctx: &egui::Context,
        path: &Path,
        options: ImportOptions,
    ) {
        let target = path.to_path_buf();
        let project: Project = self.project.clone();
        let date: NaiveDate = self.date;
        let answer = spawn(
            ctx,
            self.files.jobs.gate.clone(),
            FileWork::Import(target.clone()),
            move || Read::Import(import_file_with(&target, &project, date, &options)),
        );
        self.files.jobs.read = Some(ReadJob {
            work: FileWork::Import(path.to_path_buf()),
            position: self.history.position(),
            answer,
        });
    }

    /// Once a frame: takes finished jobs' results.
    pub(crate) fn poll_file_jobs(&mut self, ctx: &egui::Context) {
        if let Some(job) = &mut self.files.jobs.save
            && let Some(answer) = job.answer.poll()
            && let Some(job) = self.files.jobs.save.take()
        {
            self.saved(ctx, job, answer);
        }
        if let Some(job) = &mut self.files.jobs.read
            && let Some(answer) = job.answer.poll()
            && let Some(job) = self.files.jobs.read.take()
        {
            self.read(ctx, &job, answer);
        }
    }

    fn saved(
        &mut self,
        ctx: &egui::Context,
        job: SaveJob,
        answer: Result<Result<(), ProjectError>, ()>,
    ) {
        let SaveJob {
            path,
            position,
            then,
            ..
        } = job;
        let result = answer.unwrap_or_else(|()| {
            Err(ProjectError::Write {
                origin: path.display().to_string(),
                source: std::io::Error::other("the save stopped before it finished"),
            })
        });
        match result {
            Ok(()) => {
                let rebased =
                    rebase_layer_files(&self.project, self.project_path.as_deref(), &path);
                if rebased != self.project {
                    self.project = rebased;
                    self.scene_cache.invalidate();
                    self.compare.scene.invalidate();
                }
                self.project_path = Some(path.clone());
                // Clean only if nothing changed since the snapshot.
                self.history.mark_saved_at(position);
                self.remember_recent(&path);
                self.clear_recovery();
                self.files.last_autosave_s = None;
                if let Some(action) = then {
                    // Asks again if the project changed while it was being saved.
                    self.guard(ctx, action);
                }
            }
            Err(e @ ProjectError::ReadOnly { .. }) => {
                self.report(&crate::app::error_chain(&e));
                self.files.after_save = then;
                self.open_dialog(ctx, DialogPurpose::SaveAs);
            }
            Err(e) => self.report(&crate::app::error_chain(&e)),
        }
    }

    fn read(&mut self, ctx: &egui::Context, job: &ReadJob, answer: Result<Read, ()>) {
        let (FileWork::Open(path) | FileWork::Import(path) | FileWork::Save(path)) = &job.work;
        match answer {
            Ok(Read::Project(loaded, plain)) => match *loaded {
                // Work done while the file was read is never dropped unasked: ask, then read
                // the file again.
                Ok(_) if self.history.position() != job.position && self.history.is_dirty() => {
                    self.files.pending = Some(Pending::Open(path.clone()));
                }
                Ok(Loaded { project, warnings }) => {
                    self.remember_recent(path);
                    self.replace_project(project, Some(path.clone()), warnings, History::new());
                    self.clear_recovery();
                }
                Err(e) => match plain {
                    Some(features) => {
                        self.offer_features_as_project(path, features, crate::app::error_chain(&e));
                    }
                    None => self.report(&crate::app::error_chain(&e)),
                },
            },
            Ok(Read::Import(Ok(imported))) => {
                let origin = path.display().to_string();
                self.messages.push(imported.summary(&origin));
                self.messages
                    .extend(imported.warnings.iter().take(8).cloned());
                if imported.warnings.len() > 8 {
                    self.messages.push(format!(
                        "… and {} more warnings",
                        imported.warnings.len() - 8
                    ));
                }
                if let Some(edit) = import_edit(&self.project, &imported) {
                    self.apply_edit(ctx, edit, None);
                }
            }
            Ok(Read::Import(Err(InterchangeError::UnknownEncoding { .. }))) => {
                self.ask_shapefile_encoding(path);
            }
            Ok(Read::Import(Err(e))) => self.report(&crate::app::error_chain(&e)),
            Err(()) => self.report(&format!(
                "Reading stopped before it finished: {}",
                path.display()
            )),
        }
    }

    /// The "Saving…" modal while something waits on a save, and the reading modal.
    pub(crate) fn file_job_modals(&self, ctx: &egui::Context) {
        if let Some(job) = &self.files.jobs.save
            && job.then.is_some()
        {
            saving_modal(ctx, &job.path);
        }
        if let Some(job) = &self.files.jobs.read {
            match &job.work {
                FileWork::Open(path) => reading_modal(ctx, "Opening", path),
                FileWork::Import(path) => reading_modal(ctx, "Importing", path),
                FileWork::Save(_) => {}
            }
        }
    }

    /// Holds `action` until the running save is done; false when no save runs.
    pub(crate) fn defer_to_save(&mut self, action: &Pending) -> bool {
        match &mut self.files.jobs.save {
            Some(job) => {
                if job.then.is_none() {
                    job.then = Some(action.clone());
                }
                true
            }
            None => false,
        }
    }
}
