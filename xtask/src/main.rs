//! `cargo xtask`: the project's automation, a plain workspace binary behind the alias in
//! `.cargo/config.toml`.

use std::process::ExitCode;

use anyhow::bail;
use xtask::Mode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   regenerate generated/ from spec/ (--check: write nothing, fail on drift)
  test                every check: lint, drift, fmt, clippy, rustdoc, tests, benches build
  spec                publish the spec to dist/: bundled YAML and JSON, offline HTML reference
  build-cost          print the generated crate's size and its build time alone
  corpus [--generate-only] [--compile-all] [name]
                      generate (and compile) the real-world API descriptions of the corpus";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> anyhow::Result<()> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::repo_root();
    match args.as_slice() {
        ["codegen"] => {
            let report = xtask::codegen(&root, Mode::Write)?;
            for path in &report.changed {
                println!(
                    "wrote {}",
                    path.strip_prefix(&root).unwrap_or(path).display()
                );
            }
            for path in &report.stale {
                println!(
                    "removed {}",
                    path.strip_prefix(&root).unwrap_or(path).display()
                );
            }
            println!(
                "generated/ is up to date ({} files rewritten, {} unchanged)",
                report.changed.len(),
                report.unchanged.len()
            );
            Ok(())
        }
        ["codegen", "--check"] => {
            let report = xtask::codegen(&root, Mode::Check)?;
            println!(
                "generated/ matches the spec and the generator ({} files checked)",
                report.unchanged.len()
            );
            Ok(())
        }
        ["spec"] => {
            xtask::spec::publish(&root).map(|published| println!("{}", published.summary(&root)))
        }
        ["test"] => xtask::ci::test_all(&root),
        ["build-cost"] => xtask::cost::build_cost(&root),
        ["corpus", rest @ ..] => {
            let mut options = xtask::corpus::Options::default();
            for arg in rest {
                match *arg {
                    "--generate-only" => options.generate_only = true,
                    "--compile-all" => options.compile_all = true,
                    name if !name.starts_with('-') => options.filter = Some(name.to_owned()),
                    other => bail!("unknown corpus option `{other}`\n\n{USAGE}"),
                }
            }
            xtask::corpus::corpus(&root, &options)
        }
        _ => bail!("unknown command `{}`\n\n{USAGE}", args.join(" ")),
    }
}
