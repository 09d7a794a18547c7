//! `cargo xtask`: the project's automation, a plain workspace binary behind the alias in
//! `.cargo/config.toml`.

use std::process::ExitCode;

use anyhow::bail;
use xtask::Mode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   regenerate generated/ from spec/ and report the public API changes
                      (--check: write nothing; fail on drift, or on a breaking change
                      without its version bump)
  test                every check: lint, drift and version, fmt, clippy (benches included),
                      rustdoc, tests, the mock example, the corpus
  spec                publish the spec to dist/: bundled YAML and JSON, offline HTML reference
  build-cost          print the generated crate's size and its build time alone
  synthetic N OUT     write spec/gtmhub.yaml copied N times under new names to OUT (for
                      profiling generation at scale)
  versus-progenitor [name]
                      our generator and progenitor (pinned, installed on first use) on the
                      same documents: whole-process time and peak memory, paired runs
  semver [REV|--cases]
                      cross-check the API-change report with cargo-semver-checks (pinned,
                      installed on first use): the crate now against REV (default HEAD),
                      or each kind of spec edit
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
            match xtask::api::report(&root, xtask::api::Base::Head)? {
                Some(api) => {
                    println!("{api}");
                    if xtask::api::write_changelog(&root, &api)? {
                        println!("wrote {}", xtask::api::CHANGELOG_PATH);
                    }
                }
                None => println!("public API: no committed spec to compare with"),
            }
            Ok(())
        }
        ["codegen", "--check"] => {
            let report = xtask::codegen(&root, Mode::Check)?;
            println!(
                "generated/ matches the spec and the generator ({} files checked)",
                report.unchanged.len()
            );
            xtask::check_api(&root)
        }
        ["spec"] => {
            xtask::spec::publish(&root).map(|published| println!("{}", published.summary(&root)))
        }
        ["test"] => xtask::ci::test_all(&root),
        ["build-cost"] => xtask::cost::build_cost(&root),
        ["semver", "--cases"] => xtask::semver::check_cases(&root),
        ["versus-progenitor"] => xtask::versus::versus(&root, None),
        ["synthetic", copies, out] => {
            let copies: usize = copies
                .parse()
                .map_err(|_| anyhow::anyhow!("synthetic: `{copies}` is not a number of copies"))?;
            let spec = std::fs::read_to_string(root.join(xtask::SPEC_PATH))?;
            std::fs::write(out, xtask::synthetic::synthetic(&spec, copies))?;
            println!("wrote {out}: spec/gtmhub.yaml copied {copies}× under new names");
            Ok(())
        }
        ["versus-progenitor", name] => xtask::versus::versus(&root, Some(name)),
        ["semver"] => xtask::semver::cross_check(&root, "HEAD"),
        ["semver", rev] if !rev.starts_with('-') => xtask::semver::cross_check(&root, rev),
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
