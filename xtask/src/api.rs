//! The API-change report of `cargo xtask codegen`: what an edit of the spec does to the
//! generated crate's users, computed by the generator from the spec as committed and the spec
//! as it is now (both lowered in memory), the version of `generated/Cargo.toml` that this
//! calls for, and the entry it adds to `generated/CHANGELOG.md`.
//!
//! `cargo xtask codegen` compares with `HEAD` and writes the changelog entry; `--check`
//! compares with what CI sees (the merge base with the main branch) and fails when a breaking
//! change comes without the version bump it needs, or the changelog lacks its entry.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};
use codegen::diff::{Change, Class};

use crate::{CODEGEN_COMMAND, SPEC_PATH};

/// The generated crate's manifest and changelog, relative to the repository root.
pub const MANIFEST_PATH: &str = "generated/Cargo.toml";
/// See [`MANIFEST_PATH`].
pub const CHANGELOG_PATH: &str = "generated/CHANGELOG.md";

/// The spec edit's effect on the generated crate.
#[derive(Debug, Clone)]
pub struct ApiReport {
    /// What the comparison was made against, e.g. `HEAD (1b80550)`.
    pub base: String,
    /// Every change, in item order.
    pub changes: Vec<Change>,
    /// The crate version at the base.
    pub base_version: String,
    /// The crate version now (`generated/Cargo.toml`).
    pub version: String,
    /// The version the changes call for (`None` without changes).
    pub required: Option<String>,
}

impl ApiReport {
    /// Whether the crate's version is high enough for the changes.
    pub fn version_ok(&self) -> bool {
        self.required
            .as_deref()
            .is_none_or(|required| codegen::diff::satisfies(&self.version, required))
    }

    /// The version the changelog entry is for: the crate's own, or the one it must become.
    pub fn entry_version(&self) -> &str {
        match &self.required {
            Some(required) if !self.version_ok() => required,
            _ => &self.version,
        }
    }

    /// Whether any change is breaking.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(|c| c.class == Class::Breaking)
    }
}

impl std::fmt::Display for ApiReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.changes.is_empty() {
            return write!(
                f,
                "public API: unchanged since {} (documentation aside)",
                self.base
            );
        }
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count();
        writeln!(
            f,
            "public API since {}: {} change(s), {breaking} breaking",
            self.base,
            self.changes.len()
        )?;
        for change in &self.changes {
            writeln!(f, "  {change}")?;
        }
        let required = self.required.as_deref().unwrap_or_default();
        if self.version_ok() {
            write!(
                f,
                "version: {} (was {}; these changes need at least {required})",
                self.version, self.base_version
            )
        } else {
            write!(
                f,
                "version: {MANIFEST_PATH} says {}, but {} needs {required}: set `version = \"{required}\"`",
                self.version,
                if self.breaking() {
                    "a breaking change"
                } else {
                    "an additive change"
                }
            )
        }
    }
}

/// Which commit to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The last commit (what `cargo xtask codegen` reports against).
    Head,
    /// What CI sees: the merge base with the main branch (`$CODEGEN_BASE`, else `origin/main`,
    /// `main` or `master`); on the main branch itself, the commit before `HEAD` unless the
    /// working tree has uncommitted spec edits.
    MergeBase,
}

/// Compares the spec at `base` with the spec in the working tree. `Ok(None)` when there is no
/// committed spec to compare with (not a git checkout, or a shallow one without the base).
pub fn report(root: &Path, base: Base) -> anyhow::Result<Option<ApiReport>> {
    let Some((rev, label)) = resolve(root, base) else {
        return Ok(None);
    };
    let Some(old_spec) = git_show(root, &rev, SPEC_PATH) else {
        return Ok(None);
    };
    let spec_path = root.join(SPEC_PATH);
    let new_spec = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let options = codegen::Options {
        command: CODEGEN_COMMAND,
    };
    let old_name = format!("{SPEC_PATH} at {label}");
    let changes = codegen::compare(
        codegen::Spec {
            path: &old_name,
            text: &old_spec,
        },
        codegen::Spec {
            path: SPEC_PATH,
            text: &new_spec,
        },
        options,
    )
    .map_err(|errors| anyhow::anyhow!("{errors}"))
    .context("comparing the spec with the committed one")?;
    let manifest = std::fs::read_to_string(root.join(MANIFEST_PATH))
        .with_context(|| format!("reading {MANIFEST_PATH}"))?;
    let version = package_version(&manifest).context("generated/Cargo.toml has no version")?;
    let base_version = git_show(root, &rev, MANIFEST_PATH)
        .as_deref()
        .and_then(package_version)
        .unwrap_or_else(|| version.clone());
    let required = codegen::diff::required_version(&base_version, &changes);
    Ok(Some(ApiReport {
        base: label,
        changes,
        base_version,
        version,
        required,
    }))
}

/// Fails when the version does not follow the changes, or the changelog lacks their entry.
pub fn check(root: &Path, report: &ApiReport) -> anyhow::Result<()> {
    if !report.version_ok() {
        bail!("{report}");
    }
    if report.changes.is_empty() {
        return Ok(());
    }
    let changelog = std::fs::read_to_string(root.join(CHANGELOG_PATH)).unwrap_or_default();
    let heading = format!("## {}", report.version);
    if !changelog.lines().any(|line| line.trim_end() == heading) {
        bail!(
            "{report}\n{CHANGELOG_PATH} has no `{heading}` entry for these changes: run `{CODEGEN_COMMAND}`"
        );
    }
    Ok(())
}

/// Writes `generated/CHANGELOG.md`: the changelog as committed at `HEAD`, with the report's
/// changes added under the version they call for (a new entry on top, or the entry of that
/// version if `HEAD` already has one). Running it again gives the same file.
pub fn write_changelog(root: &Path, report: &ApiReport) -> anyhow::Result<bool> {
    let path = root.join(CHANGELOG_PATH);
    let committed = git_show(root, "HEAD", CHANGELOG_PATH);
    if committed.is_none() && report.changes.is_empty() {
        return Ok(false);
    }
    let wanted = with_entry(&committed.unwrap_or_else(changelog_header), report);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == wanted {
        return Ok(false);
    }
    std::fs::write(&path, wanted).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

fn changelog_header() -> String {
    format!(
        "# Changelog of the `gtmhub` crate\n\n\
         What each version changed in the crate's public API, newest first. Entries are written by\n\
         `{CODEGEN_COMMAND}` from the edits of `{SPEC_PATH}` (breaking: dependent code stops\n\
         compiling or sends or reads something else; additive: nothing existing changes). Changes\n\
         of the generator itself are described in the commits.\n"
    )
}

/// `changelog` with the report's changes under its version's heading.
fn with_entry(changelog: &str, report: &ApiReport) -> String {
    if report.changes.is_empty() {
        return changelog.to_owned();
    }
    let mut bullets = String::new();
    for class in [Class::Breaking, Class::Additive] {
        for change in report.changes.iter().filter(|c| c.class == class) {
            let _ = writeln!(
                bullets,
                "- {class}: `{}`: {} (`#{}`)",
                change.item, change.what, change.pointer
            );
        }
    }
    let heading = format!("## {}", report.entry_version());
    let lines: Vec<&str> = changelog.lines().collect();
    if let Some(index) = lines.iter().position(|line| line.trim_end() == heading) {
        // The version's entry exists: its bullets go first, after the heading and blank line.
        let mut out: Vec<String> = lines[..=index].iter().map(|l| (*l).to_owned()).collect();
        out.push(String::new());
        out.extend(bullets.lines().map(str::to_owned));
        let rest = lines[index + 1..]
            .iter()
            .skip_while(|line| line.trim().is_empty());
        out.extend(rest.map(|l| (*l).to_owned()));
        return out.join("\n") + "\n";
    }
    // A new entry, above the newest one (or at the end of the header).
    let first = lines
        .iter()
        .position(|line| line.starts_with("## "))
        .unwrap_or(lines.len());
    let mut out: Vec<String> = lines[..first].iter().map(|l| (*l).to_owned()).collect();
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.push(String::new());
    out.push(heading);
    out.push(String::new());
    out.extend(bullets.lines().map(str::to_owned));
    if first < lines.len() {
        out.push(String::new());
        out.extend(lines[first..].iter().map(|l| (*l).to_owned()));
    }
    out.join("\n") + "\n"
}

/// The `version` of a Cargo manifest's `[package]`.
fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("version") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// The revision to compare with and how to name it.
fn resolve(root: &Path, base: Base) -> Option<(String, String)> {
    let head = git(root, &["rev-parse", "--short", "HEAD"])?;
    match base {
        Base::Head => Some(("HEAD".to_owned(), format!("HEAD ({head})"))),
        Base::MergeBase => {
            let main = std::env::var("CODEGEN_BASE")
                .ok()
                .into_iter()
                .chain(["origin/main", "main", "master"].map(str::to_owned))
                .find(|name| git(root, &["rev-parse", "--verify", "--quiet", name]).is_some())?;
            let merge_base = git(root, &["merge-base", "HEAD", &main])?;
            let head_full = git(root, &["rev-parse", "HEAD"])?;
            if merge_base != head_full {
                let short = git(root, &["rev-parse", "--short", &merge_base])?;
                return Some((merge_base, format!("the merge base with {main} ({short})")));
            }
            // On the main branch: uncommitted edits are compared with HEAD, a clean tree
            // with the commit before.
            let edited = git_show(root, "HEAD", SPEC_PATH).is_some_and(|committed| {
                std::fs::read_to_string(root.join(SPEC_PATH)).is_ok_and(|now| now != committed)
            });
            if edited {
                return Some(("HEAD".to_owned(), format!("HEAD ({head})")));
            }
            let parent = git(
                root,
                &["rev-parse", "--short", "--verify", "--quiet", "HEAD^"],
            )?;
            Some(("HEAD^".to_owned(), format!("HEAD^ ({parent})")))
        }
    }
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A file as committed at `rev`, if it exists there.
fn git_show(root: &Path, rev: &str, path: &str) -> Option<String> {
    let output = Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .current_dir(root)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(changes: Vec<Change>, version: &str) -> ApiReport {
        let required = codegen::diff::required_version("0.1.0", &changes);
        ApiReport {
            base: "HEAD (abc1234)".to_owned(),
            changes,
            base_version: "0.1.0".to_owned(),
            version: version.to_owned(),
            required,
        }
    }

    fn change(class: Class, item: &str) -> Change {
        Change {
            class,
            item: item.to_owned(),
            what: "removed".to_owned(),
            pointer: "/paths/~1a/get".to_owned(),
        }
    }

    #[test]
    fn a_breaking_change_without_its_version_says_which_version_to_set() {
        let breaking = report(vec![change(Class::Breaking, "Client::a")], "0.1.0");
        assert!(!breaking.version_ok());
        let shown = breaking.to_string();
        assert!(
            shown.contains("breaking: `Client::a`: removed (at #/paths/~1a/get)"),
            "{shown}"
        );
        assert!(
            shown.contains("a breaking change needs 0.2.0: set `version = \"0.2.0\"`"),
            "{shown}"
        );
        assert!(report(vec![change(Class::Breaking, "Client::a")], "0.2.0").version_ok());
        assert!(report(vec![], "0.1.0").version_ok());
    }

    #[test]
    fn changelog_entries_go_on_top_and_rerunning_gives_the_same_file() {
        let header = changelog_header();
        let first = report(
            vec![
                change(Class::Additive, "Client::b"),
                change(Class::Breaking, "Client::a"),
            ],
            "0.1.0",
        );
        let once = with_entry(&header, &first);
        assert!(once.starts_with(&header), "{once}");
        assert!(
            once.ends_with(
                "## 0.2.0\n\n- breaking: `Client::a`: removed (`#/paths/~1a/get`)\n\
                 - additive: `Client::b`: removed (`#/paths/~1a/get`)\n"
            ),
            "{once}"
        );
        // A later version's entry goes above; the same version's bullets join its entry.
        let mut second = report(vec![change(Class::Breaking, "Client::c")], "0.3.0");
        second.required = Some("0.3.0".to_owned());
        let twice = with_entry(&once, &second);
        let newest = twice.find("## 0.3.0").unwrap();
        assert!(newest < twice.find("## 0.2.0").unwrap(), "{twice}");
        let same = report(vec![change(Class::Additive, "Client::d")], "0.2.0");
        let joined = with_entry(&once, &same);
        assert_eq!(joined.matches("## 0.2.0").count(), 1, "{joined}");
        assert!(
            joined.contains("## 0.2.0\n\n- additive: `Client::d`"),
            "{joined}"
        );
        assert_eq!(with_entry(&header, &report(vec![], "0.1.0")), header);
    }

    #[test]
    fn the_package_version_is_read_from_the_package_table_only() {
        let manifest =
            "[package]\nname = \"x\"\nversion = \"0.4.1\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(package_version(manifest).as_deref(), Some("0.4.1"));
        assert_eq!(package_version("[dependencies]\nversion = \"1\"\n"), None);
    }
}
