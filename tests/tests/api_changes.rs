//! What spec edits do to the generated crate's users. A copy of `spec/gtmhub.yaml` is edited in
//! each of the ways of `xtask::semver::CASES` (the same edits `cargo xtask semver --cases`
//! hands to cargo-semver-checks), and each must be classed as dependent crates feel it, with
//! a pointer to what caused it. Then the maintainer's loop of `cargo xtask codegen` on a scratch
//! git repository: a breaking edit is reported against `HEAD`, `--check` refuses it until the
//! version is bumped and the changelog has its entry, and an additive edit asks only for the
//! smaller bump.

use std::path::{Path, PathBuf};
use std::process::Command;

use gtmhub_tests::repo_root;
use xtask::SPEC_PATH;
use xtask::api::{self, Base, CHANGELOG_PATH, MANIFEST_PATH};
use xtask::semver::{CASES, case_base};

#[test]
fn each_kind_of_spec_edit_is_classed_as_dependent_crates_feel_it() {
    let base = case_base(&repo_root()).unwrap();
    let base_text = serde_yaml::to_string(&base).unwrap();
    assert!(CASES.len() >= 12, "a dozen ways of editing the spec");
    for case in CASES {
        let mut edited = base.clone();
        (case.edit)(&mut edited);
        let text = serde_yaml::to_string(&edited).unwrap();
        let changes = codegen::compare(
            codegen::Spec {
                path: "base.yaml",
                text: &base_text,
            },
            codegen::Spec {
                path: "edited.yaml",
                text: &text,
            },
            codegen::Options {
                command: "cargo xtask codegen",
            },
        )
        .unwrap_or_else(|errors| panic!("{}: {errors}", case.name));
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            changes.len(),
            case.expected.len(),
            "{}: {shown:#?}",
            case.name
        );
        for (change, (class, item, what)) in changes.iter().zip(case.expected) {
            assert_eq!(change.class, *class, "{}: {change}", case.name);
            assert_eq!(change.item, *item, "{}: {change}", case.name);
            assert!(
                change.what.contains(what),
                "{}: {change} lacks {what:?}",
                case.name
            );
            // The pointer names the place in the document that caused the change.
            let document: serde_json::Value = if change.class == codegen::diff::Class::Breaking
                && change.what.contains("removed")
            {
                serde_yaml::from_value(base.clone()).unwrap()
            } else {
                serde_yaml::from_value(edited.clone()).unwrap()
            };
            assert!(
                document.pointer(&change.pointer).is_some(),
                "{}: {change}: nothing at the pointer",
                case.name
            );
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.test"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// A git repository with the real spec and `generated/Cargo.toml` at version 0.2.0, committed.
fn scratch_repo(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gtmhub-api-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    std::fs::create_dir_all(dir.join("generated")).unwrap();
    std::fs::copy(repo_root().join(SPEC_PATH), dir.join(SPEC_PATH)).unwrap();
    std::fs::write(
        dir.join(MANIFEST_PATH),
        "[package]\nname = \"gtmhub\"\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "start"]);
    dir
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join(SPEC_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the spec has {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn set_version(dir: &Path, version: &str) {
    std::fs::write(
        dir.join(MANIFEST_PATH),
        format!("[package]\nname = \"gtmhub\"\nversion = \"{version}\"\n"),
    )
    .unwrap();
}

#[test]
fn a_breaking_edit_needs_its_version_and_changelog_entry() {
    let dir = scratch_repo("breaking");
    edit(&dir, "operationId: getBadge\n", "operationId: fetchBadge\n");

    // What `cargo xtask codegen` prints against HEAD.
    let report = api::report(&dir, Base::Head).unwrap().expect("a report");
    let shown = report.to_string();
    assert!(
        shown.contains(
            "breaking: `Client::get_badge`: operation `getBadge` (GET /badges/{id}) removed"
        ),
        "{shown}"
    );
    assert!(shown.contains("additive: `Client::fetch_badge`"), "{shown}");
    assert!(
        shown.contains("says 0.2.0, but a breaking change needs 0.3.0: set `version = \"0.3.0\"`"),
        "{shown}"
    );

    // `--check` (uncommitted edits on the main branch compare with HEAD) refuses it.
    let check = api::report(&dir, Base::MergeBase).unwrap().unwrap();
    let error = format!("{:#}", api::check(&dir, &check).unwrap_err());
    assert!(error.contains("set `version = \"0.3.0\"`"), "{error}");

    // With the bump, the changelog entry is still missing.
    set_version(&dir, "0.3.0");
    let check = api::report(&dir, Base::MergeBase).unwrap().unwrap();
    let error = format!("{:#}", api::check(&dir, &check).unwrap_err());
    assert!(error.contains("has no `## 0.3.0` entry"), "{error}");

    // `cargo xtask codegen` writes it, and writing again changes nothing.
    let report = api::report(&dir, Base::Head).unwrap().unwrap();
    assert!(api::write_changelog(&dir, &report).unwrap());
    assert!(!api::write_changelog(&dir, &report).unwrap());
    let changelog = std::fs::read_to_string(dir.join(CHANGELOG_PATH)).unwrap();
    assert!(
        changelog.contains("## 0.3.0\n\n- breaking: `Client::get_badge`"),
        "{changelog}"
    );
    api::check(&dir, &api::report(&dir, Base::MergeBase).unwrap().unwrap()).unwrap();

    // Committed, the clean tree on the main branch is checked against the commit before.
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "rename getBadge"]);
    let committed = api::report(&dir, Base::MergeBase).unwrap().unwrap();
    assert!(committed.base.starts_with("HEAD^"), "{}", committed.base);
    assert_eq!(committed.changes.len(), 2);
    api::check(&dir, &committed).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_additive_edit_needs_a_patch_bump_and_a_docs_edit_nothing() {
    let dir = scratch_repo("additive");
    edit(
        &dir,
        "        name:\n          description: Name of the badge.\n          type: string\n        pattern:",
        "        name:\n          description: Name of the badge.\n          type: string\n        colour:\n          type: string\n        pattern:",
    );
    let report = api::report(&dir, Base::Head).unwrap().unwrap();
    assert!(!report.breaking());
    assert_eq!(report.required.as_deref(), Some("0.2.1"), "{report}");
    assert!(
        report
            .to_string()
            .contains("an additive change needs 0.2.1"),
        "{report}"
    );
    set_version(&dir, "0.2.1");
    assert!(api::report(&dir, Base::Head).unwrap().unwrap().version_ok());

    let dir = scratch_repo("docs");
    edit(&dir, "summary: Get a badge", "summary: Fetch one badge");
    let report = api::report(&dir, Base::Head).unwrap().unwrap();
    assert!(report.changes.is_empty(), "{report}");
    assert!(report.to_string().contains("unchanged"), "{report}");
    assert!(!api::write_changelog(&dir, &report).unwrap());
    api::check(&dir, &api::report(&dir, Base::MergeBase).unwrap().unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
