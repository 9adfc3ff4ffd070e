//! Writing generated files, and checking committed ones for drift.

use super::{GENERATED_MARKER, GeneratedFile};
use crate::error::Error;
use std::path::{Path, PathBuf};

/// What [`write`] did with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    Unchanged(String),
    Written(String),
    Removed(String),
}

/// A difference between the generated and the committed crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub path: String,
    /// A unified diff from the file on disk to what it should be.
    pub diff: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes each file whose content changed and removes generated files the
/// new output no longer has. Hand-written files are never touched.
///
/// All new contents are first written next to their targets as temporary
/// files; only when every one of them is on disk are they renamed into
/// place, so a failure (a full disk, a permission) leaves the old crate as
/// it was rather than half old, half new.
pub fn write(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<FileStatus>, Error> {
    let mut statuses = Vec::new();
    let mut staged: Vec<(PathBuf, PathBuf, &str)> = Vec::new();
    let result = (|| {
        for file in files {
            let path = dir.join(&file.path);
            if std::fs::read_to_string(&path).is_ok_and(|old| old == file.contents) {
                statuses.push(FileStatus::Unchanged(file.path.clone()));
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            let temp = path.with_extension("tmp~");
            std::fs::write(&temp, &file.contents).map_err(io(&temp))?;
            staged.push((temp, path, &file.path));
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (temp, _, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    for (temp, path, relative) in staged {
        std::fs::rename(&temp, &path).map_err(io(&path))?;
        statuses.push(FileStatus::Written(relative.to_owned()));
    }
    for stale in stale_files(dir, files)? {
        std::fs::remove_file(dir.join(&stale)).map_err(io(&dir.join(&stale)))?;
        statuses.push(FileStatus::Removed(stale));
    }
    Ok(statuses)
}

/// Compares the files on disk with the generated ones.
pub fn check(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Drift>, Error> {
    let mut drift = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        let old = match std::fs::read_to_string(&path) {
            Ok(old) => old,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(&path)(e)),
        };
        if old != file.contents {
            drift.push(Drift {
                path: file.path.clone(),
                diff: unified_diff(&file.path, &old, &file.contents),
            });
        }
    }
    for stale in stale_files(dir, files)? {
        let old = std::fs::read_to_string(dir.join(&stale)).unwrap_or_default();
        drift.push(Drift {
            diff: unified_diff(&stale, &old, ""),
            path: stale,
        });
    }
    Ok(drift)
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Generated files (by their marker) under `src/` and `tests/` that the new
/// output does not contain.
fn stale_files(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    for sub in ["src", "tests"] {
        collect_rs(&dir.join(sub), &mut found)?;
    }
    let mut stale: Vec<String> = found
        .into_iter()
        .filter_map(|path| {
            let relative = path
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let generated = std::fs::read_to_string(&path)
                .ok()?
                .lines()
                .next()?
                .contains(GENERATED_MARKER);
            (generated && !files.iter().any(|f| f.path == relative)).then_some(relative)
        })
        .collect();
    stale.sort();
    Ok(stale)
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}
