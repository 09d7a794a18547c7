//! `cargo xtask test`: every check the project has, in the order that fails fastest — the
//! README's test command and what `.ci/run` runs on a clean clone.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::{Mode, SPEC_PATH, tools};

/// One named step.
struct Step<'a> {
    name: &'a str,
    run: Box<dyn Fn() -> anyhow::Result<()> + 'a>,
}

/// Installs the pinned linters if needed, then lints the spec, checks for drift and the version
/// rule, checks formatting, runs clippy (every target, benchmarks included) and rustdoc with
/// warnings denied, runs every test and the mock example, and runs the real-world corpus.
/// Stops at the first failing step and names it.
pub fn test_all(root: &Path) -> anyhow::Result<()> {
    let cargo = |args: &'static [&'static str]| -> Box<dyn Fn() -> anyhow::Result<()>> {
        Box::new(move || run(root, cargo_command().args(args)))
    };
    let steps = [
        Step {
            name: "install the pinned spec linters (npm ci, .venv)",
            run: Box::new(|| {
                tools::ensure_node_tools(root)?;
                tools::ensure_python_tools(root).map(drop)
            }),
        },
        Step {
            name: "lint the spec (redocly, spectral, openapi-spec-validator)",
            run: Box::new(|| tools::lint_spec(root, &root.join(SPEC_PATH))),
        },
        Step {
            name: "generated/ matches the spec, and its version the API changes (cargo xtask codegen --check)",
            run: Box::new(|| {
                crate::codegen(root, Mode::Check)?;
                crate::check_api(root)
            }),
        },
        Step {
            name: "formatting (cargo fmt --check)",
            run: cargo(&["fmt", "--all", "--check"]),
        },
        Step {
            // Every target, so the benchmarks are compiled (checked) here too, without the
            // release build of every dependency that `cargo bench --no-run` would cost.
            name: "clippy with warnings denied (every target, benchmarks included)",
            run: cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ]),
        },
        Step {
            name: "rustdoc with warnings denied",
            run: Box::new(|| {
                run(
                    root,
                    cargo_command()
                        .args(["doc", "--workspace", "--no-deps", "--locked"])
                        .env("RUSTDOCFLAGS", "-D warnings"),
                )
            }),
        },
        Step {
            name: "every test (cargo test --workspace)",
            run: cargo(&["test", "--workspace", "--locked"]),
        },
        Step {
            name: "the mock example runs against its local server",
            run: cargo(&[
                "run",
                "--quiet",
                "--locked",
                "-p",
                "gtmhub",
                "--features",
                "mock",
                "--example",
                "mock",
            ]),
        },
        Step {
            name: "the real-world corpus: every document generates as recorded, the smaller ones compile clippy-clean (cargo xtask corpus)",
            run: Box::new(|| crate::corpus::corpus(root, &crate::corpus::Options::default())),
        },
    ];
    let started = Instant::now();
    for (index, step) in steps.iter().enumerate() {
        println!("==> [{}/{}] {}", index + 1, steps.len(), step.name);
        let begun = Instant::now();
        (step.run)().with_context(|| format!("step failed: {}", step.name))?;
        println!("    ok ({:.1} s)", begun.elapsed().as_secs_f64());
    }
    println!(
        "all {} checks passed in {:.0} s",
        steps.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The cargo that runs this xtask (so the same toolchain runs every step).
fn cargo_command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(root: &Path, command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .current_dir(root)
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{:?} exited with {status}", command.get_program());
    }
    Ok(())
}
