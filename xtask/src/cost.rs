//! `cargo xtask build-cost`: what the generated crate costs its users (lines of generated code,
//! build time of the crate alone). Placeholder until the benchmark work lands.

use std::path::Path;

/// Measures and prints the figures.
pub fn build_cost(_root: &Path) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask build-cost` is not implemented yet")
}
