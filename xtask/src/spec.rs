//! `cargo xtask spec`: publishes the spec to `dist/` for other teams (bundled YAML and JSON, an
//! offline HTML reference). Placeholder until the publishing work lands.

use std::path::Path;

/// Builds `dist/` from `spec/`.
pub fn publish(_root: &Path) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask spec` is not implemented yet")
}
