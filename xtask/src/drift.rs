//! The one drift function: writes generated files (`Mode::Write`) or fails when the committed
//! ones differ from what the generator produces (`Mode::Check`), with a short diff and the
//! command that fixes it. Used by `cargo xtask codegen`, `cargo xtask codegen --check` and a
//! workspace test.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// What [`ensure_files`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files whose bytes change and delete stale generated files.
    Write,
    /// Write nothing; fail if anything would change.
    Check,
}

/// What [`ensure_files`] found (and, in write mode, did).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files that were (or would be) rewritten.
    pub changed: Vec<PathBuf>,
    /// Generated files that no longer come out of the generator and were (or would be) removed.
    pub stale: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
}

/// The marker every generated file carries in its first line.
pub const MARKER: &str = "@generated";

/// Makes `dir` hold exactly `files` (name, contents) among its `@generated` files.
///
/// Line endings are normalised before comparing, so a checkout with CRLF line endings is not
/// drift. Files are written only when their bytes change, through a temporary file and a rename.
pub fn ensure_files(
    mode: Mode,
    dir: &Path,
    files: &[(String, String)],
    fix_command: &str,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut diffs = String::new();
    for (name, contents) in files {
        let path = dir.join(name);
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        };
        let wanted = normalize(contents);
        if current.as_deref().map(normalize).as_deref() == Some(wanted.as_str()) {
            report.unchanged.push(path);
            continue;
        }
        match mode {
            Mode::Write => write_atomically(&path, &wanted)?,
            Mode::Check => diffs.push_str(&short_diff(
                &path,
                current.as_deref().unwrap_or(""),
                &wanted,
            )),
        }
        report.changed.push(path);
    }
    for stale in stale_files(dir, files)? {
        if mode == Mode::Write {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        } else {
            let _ = writeln!(
                diffs,
                "{} is generated but no longer produced by the generator",
                stale.display()
            );
        }
        report.stale.push(stale);
    }
    if mode == Mode::Check && (!report.changed.is_empty() || !report.stale.is_empty()) {
        bail!(
            "generated code is out of date with the spec and the generator:\n{diffs}\n\
             Run `{fix_command}` and commit the result. Generated files are never edited by hand: \
             change spec/ or codegen/ instead."
        );
    }
    Ok(report)
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn write_atomically(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let temporary = path.with_extension("rs.tmp");
    std::fs::write(&temporary, contents)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("renaming onto {}", path.display()))
}

/// `@generated` files in `dir` that the generator did not produce this time.
fn stale_files(dir: &Path, files: &[(String, String)]) -> anyhow::Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut stale = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".rs") || files.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text
            .lines()
            .next()
            .is_some_and(|first| first.contains(MARKER))
        {
            stale.push(path);
        }
    }
    stale.sort();
    Ok(stale)
}

/// A unified diff of at most 40 lines, enough to see what drifted.
fn short_diff(path: &Path, current: &str, wanted: &str) -> String {
    const MAX_LINES: usize = 40;
    let current = normalize(current);
    let diff = similar::TextDiff::from_lines(current.as_str(), wanted);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{} (committed)", path.display()),
            &format!("{} (generated)", path.display()),
        )
        .to_string();
    let total = text.lines().count();
    let mut out: String = text
        .lines()
        .take(MAX_LINES)
        .map(|l| format!("{l}\n"))
        .collect();
    if total > MAX_LINES {
        let _ = writeln!(out, "… {} more diff lines", total - MAX_LINES);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-drift-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn files(body: &str) -> Vec<(String, String)> {
        vec![("a.rs".to_owned(), format!("// {MARKER} by test\n{body}\n"))]
    }

    #[test]
    fn write_then_check_is_clean_and_rewrites_nothing() {
        let dir = scratch("clean");
        let report = ensure_files(Mode::Write, &dir, &files("x"), "fix").unwrap();
        assert_eq!(report.changed.len(), 1);
        let report = ensure_files(Mode::Check, &dir, &files("x"), "fix").unwrap();
        assert_eq!(report.unchanged.len(), 1);
        let report = ensure_files(Mode::Write, &dir, &files("x"), "fix").unwrap();
        assert!(report.changed.is_empty());
    }

    #[test]
    fn check_fails_on_a_hand_edit_with_a_diff_and_the_fix() {
        let dir = scratch("edit");
        ensure_files(Mode::Write, &dir, &files("x"), "cargo xtask codegen").unwrap();
        std::fs::write(
            dir.join("a.rs"),
            format!("// {MARKER} by test\nhand edit\n"),
        )
        .unwrap();
        let error =
            ensure_files(Mode::Check, &dir, &files("x"), "cargo xtask codegen").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("-hand edit"), "{message}");
        assert!(message.contains("+x"), "{message}");
        assert!(message.contains("Run `cargo xtask codegen`"), "{message}");
        // Check mode wrote nothing.
        assert!(
            std::fs::read_to_string(dir.join("a.rs"))
                .unwrap()
                .contains("hand edit")
        );
    }

    #[test]
    fn crlf_checkouts_are_not_drift() {
        let dir = scratch("crlf");
        std::fs::write(dir.join("a.rs"), format!("// {MARKER} by test\r\nx\r\n")).unwrap();
        assert!(ensure_files(Mode::Check, &dir, &files("x"), "fix").is_ok());
    }

    #[test]
    fn stale_generated_files_are_drift_and_removed_on_write() {
        let dir = scratch("stale");
        std::fs::write(dir.join("old.rs"), format!("// {MARKER} by test\n")).unwrap();
        std::fs::write(dir.join("lib.rs"), "//! hand-written\n").unwrap();
        ensure_files(Mode::Write, &dir, &files("x"), "fix").unwrap();
        assert!(!dir.join("old.rs").exists());
        assert!(
            dir.join("lib.rs").exists(),
            "hand-written files are never touched"
        );
        std::fs::write(dir.join("old.rs"), format!("// {MARKER} by test\n")).unwrap();
        let error = ensure_files(Mode::Check, &dir, &files("x"), "fix").unwrap_err();
        assert!(error.to_string().contains("no longer produced"), "{error}");
    }
}
