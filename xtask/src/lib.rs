//! Project automation shared by the `xtask` binary and the workspace tests: regeneration with
//! its drift check, and the paths they work on.

pub mod api;
pub mod ci;
pub mod corpus;
pub mod cost;
pub mod drift;
pub mod semver;
pub mod spec;
pub mod synthetic;
pub mod tools;
pub mod versus;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub use drift::Mode;

/// The spec, relative to the repository root.
pub const SPEC_PATH: &str = "spec/gtmhub.yaml";
/// Where generated files go, relative to the repository root.
pub const GENERATED_DIR: &str = "generated/src";
/// The command that regenerates `generated/`, named in every generated file's header.
pub const CODEGEN_COMMAND: &str = "cargo xtask codegen";

/// The repository root, found from this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Generates the client from the spec and writes it to `generated/src` (`Mode::Write`) or
/// checks that what is there is up to date (`Mode::Check`). Generation happens entirely in
/// memory first, so a spec the generator rejects never leaves a half-written crate.
pub fn codegen(root: &Path, mode: Mode) -> anyhow::Result<drift::Report> {
    let spec_path = root.join(SPEC_PATH);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading the spec at {}", spec_path.display()))?;
    let files = codegen::generate(
        codegen::Spec {
            path: SPEC_PATH,
            text: &text,
        },
        codegen::Options {
            command: CODEGEN_COMMAND,
        },
    )
    .map_err(|errors| anyhow::anyhow!("{errors}"))
    .context("generating the client from the spec")?;
    for warning in &files.warnings {
        eprintln!("{warning}");
    }
    let files: Vec<(String, String)> = files
        .files
        .into_iter()
        .map(|f| (f.name.to_owned(), f.contents))
        .collect();
    drift::ensure_files(mode, &root.join(GENERATED_DIR), &files, CODEGEN_COMMAND)
}

/// The API half of `cargo xtask codegen --check`: prints what the spec edits since the merge
/// base do to the crate's public API, and fails when the version or changelog does not follow.
pub fn check_api(root: &Path) -> anyhow::Result<()> {
    match api::report(root, api::Base::MergeBase)? {
        Some(report) => {
            println!("{report}");
            api::check(root, &report)
        }
        None => {
            println!("public API: no base commit to compare with");
            Ok(())
        }
    }
}
