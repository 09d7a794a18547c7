//! `cargo xtask semver`: the API-change report cross-checked by a semver tool that reads the
//! compiled crates, the pinned `cargo-semver-checks` (installed from crates.io into
//! `target/tools` on first use; it takes minutes to build, so CI does not run it).
//!
//! `cargo xtask semver [REV]` compares the generated crate now with the one at `REV` (default
//! `HEAD`): our report (the spec at `REV` against the spec now, through the IR) beside
//! cargo-semver-checks' verdict on the two crates. `cargo xtask semver --cases` generates the
//! crate from each edit of [`CASES`] and requires both to class it the same way.
//!
//! The two can differ for good reasons, which the output names: a change of the wire alone
//! (a property or path sent differently) is breaking for us and invisible to a tool that reads
//! Rust signatures; a change of the generator between `REV` and now is visible to the tool and
//! not to a spec-to-spec report.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};
use codegen::diff::Class;
use serde_yaml::{Mapping, Value};

use crate::tools::{Scratch, run_bounded};
use crate::{CODEGEN_COMMAND, GENERATED_DIR, SPEC_PATH};

/// The pinned cargo-semver-checks.
pub const SEMVER_CHECKS_VERSION: &str = "0.51.0";
/// How long installing it may take (it is built from source).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(3600);
/// How long one comparison may take (two rustdoc builds of the crate).
const CHECK_TIMEOUT: Duration = Duration::from_secs(1200);

/// One way a maintainer edits the spec, and how dependent crates feel it: the changes the
/// report must list as (class, Rust item, part of the description).
pub struct Case {
    /// What the edit does.
    pub name: &'static str,
    /// The edit, on the spec as a YAML value.
    pub edit: fn(&mut Value),
    /// The expected changes; empty for an edit of documentation only.
    pub expected: &'static [(Class, &'static str, &'static str)],
    /// Why cargo-semver-checks cannot see this break, if it cannot: it reads Rust signatures,
    /// not the wire, and does not compare the types of fields and arguments.
    pub unseen: Option<&'static str>,
}

/// The value at a path of plain keys.
pub fn at<'a>(value: &'a mut Value, path: &[&str]) -> &'a mut Value {
    path.iter().fold(value, |node, key| {
        node.get_mut(*key)
            .unwrap_or_else(|| panic!("the spec has no `{key}` on the way to {path:?}"))
    })
}

fn map(value: &mut Value) -> &mut Mapping {
    value.as_mapping_mut().expect("a mapping")
}

fn badge_request(spec: &mut Value) -> &mut Value {
    at(spec, &["components", "schemas", "badgeRequest"])
}

fn list_badges_parameters(spec: &mut Value) -> &mut Vec<Value> {
    at(spec, &["paths", "/badges", "get", "parameters"])
        .as_sequence_mut()
        .expect("a list")
}

fn query_parameter(name: &str, required: bool) -> Value {
    let mut parameter = Mapping::new();
    parameter.insert("name".into(), name.into());
    parameter.insert("in".into(), "query".into());
    parameter.insert("required".into(), required.into());
    let mut schema = Mapping::new();
    schema.insert("type".into(), "string".into());
    parameter.insert("schema".into(), Value::Mapping(schema));
    Value::Mapping(parameter)
}

/// Gives the badge's `type` an enumeration, which the pages do not declare, so enum edits
/// have something to edit.
pub fn with_badge_type_enum(spec: &mut Value) {
    map(at(badge_request(spec), &["properties", "type"])).insert(
        "enum".into(),
        vec![Value::from("gold"), Value::from("silver")].into(),
    );
}

fn badge_type_values(spec: &mut Value) -> &mut Vec<Value> {
    at(badge_request(spec), &["properties", "type", "enum"])
        .as_sequence_mut()
        .expect("a list")
}

use Class::{Additive, Breaking};

/// The edits, applied to `spec/gtmhub.yaml` with [`with_badge_type_enum`] applied first.
pub const CASES: &[Case] = &[
    Case {
        name: "remove an operation",
        edit: |s| {
            map(at(s, &["paths", "/badges/{id}"])).remove("get");
        },
        expected: &[(
            Breaking,
            "Client::get_badge",
            "operation `getBadge` (GET /badges/{id}) removed",
        )],
        unseen: None,
    },
    Case {
        name: "rename an operation",
        edit: |s| *at(s, &["paths", "/badges/{id}", "get", "operationId"]) = "fetchBadge".into(),
        expected: &[
            (Breaking, "Client::get_badge", "removed"),
            (
                Additive,
                "Client::fetch_badge",
                "operation `fetchBadge` (GET /badges/{id}) added",
            ),
        ],
        unseen: None,
    },
    Case {
        name: "add an operation",
        edit: |s| {
            let mut get = at(s, &["paths", "/badges/{id}", "get"]).clone();
            *at(&mut get, &["operationId"]) = "getBadgeHistory".into();
            let mut item = Mapping::new();
            item.insert("get".into(), get);
            map(at(s, &["paths"])).insert("/badges/{id}/history".into(), Value::Mapping(item));
        },
        expected: &[(Additive, "Client::get_badge_history", "added")],
        unseen: None,
    },
    Case {
        name: "add a required parameter",
        edit: |s| list_badges_parameters(s).push(query_parameter("region", true)),
        expected: &[(
            Breaking,
            "Client::list_badges",
            "parameter `region` (query `region`) added, required",
        )],
        unseen: None,
    },
    Case {
        name: "add an optional parameter",
        edit: |s| list_badges_parameters(s).push(query_parameter("region", false)),
        expected: &[(
            Additive,
            "Client::list_badges",
            "parameter `region` (query `region`) added, optional",
        )],
        unseen: None,
    },
    Case {
        name: "make a property required",
        edit: |s| {
            map(badge_request(s)).insert("required".into(), vec![Value::from("name")].into());
        },
        expected: &[(
            Breaking,
            "types::BadgeRequest::name",
            "now `String` instead of `Option<String>`",
        )],
        unseen: None,
    },
    Case {
        name: "add an optional property",
        edit: |s| {
            let mut schema = Mapping::new();
            schema.insert("type".into(), "string".into());
            map(at(badge_request(s), &["properties"]))
                .insert("colour".into(), Value::Mapping(schema));
        },
        expected: &[(
            Additive,
            "types::BadgeRequest::colour",
            "field added (property `colour`), optional",
        )],
        unseen: None,
    },
    Case {
        name: "add an enum value",
        edit: |s| badge_type_values(s).push("bronze".into()),
        expected: &[(
            Additive,
            "types::BadgeRequestType::Bronze",
            "enum value `bronze` added",
        )],
        unseen: None,
    },
    Case {
        name: "remove an enum value",
        edit: |s| badge_type_values(s).retain(|v| v != "silver"),
        expected: &[(
            Breaking,
            "types::BadgeRequestType::Silver",
            "enum value `silver` removed",
        )],
        unseen: None,
    },
    Case {
        name: "change a type",
        edit: |s| *at(badge_request(s), &["properties", "name", "type"]) = "integer".into(),
        expected: &[(
            Breaking,
            "types::BadgeRequest::name",
            "now `Option<i64>` instead of `Option<String>`",
        )],
        unseen: None,
    },
    Case {
        name: "change a wire name, keeping the Rust name",
        edit: |s| {
            let properties = map(at(badge_request(s), &["properties"]));
            let mut name = properties.remove("name").expect("name");
            map(&mut name).insert("x-rust-name".into(), "name".into());
            properties.insert("title".into(), name);
        },
        expected: &[(
            Breaking,
            "types::BadgeRequest::name",
            "now the property `title` on the wire instead of `name`",
        )],
        unseen: None,
    },
    Case {
        name: "change a path",
        edit: |s| {
            let paths = map(at(s, &["paths"]));
            let item = paths.remove("/badges/current").expect("the path");
            paths.insert("/badges/mine".into(), item);
        },
        expected: &[(
            Breaking,
            "Client::list_current_user_badges",
            "now GET /badges/mine instead of GET /badges/current",
        )],
        unseen: None,
    },
    Case {
        name: "change only documentation",
        edit: |s| {
            *at(s, &["paths", "/badges", "get", "description"]) = "Lists badges.".into();
            *at(badge_request(s), &["properties", "name", "description"]) = "The name.".into();
            *at(s, &["info", "description"]) = "Rewritten.".into();
        },
        expected: &[],
        unseen: None,
    },
];

/// The spec the cases start from, as YAML text.
pub fn case_base(root: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(root.join(SPEC_PATH))
        .with_context(|| format!("reading {SPEC_PATH}"))?;
    let mut spec: Value = serde_yaml::from_str(&text).context("parsing the spec")?;
    with_badge_type_enum(&mut spec);
    Ok(spec)
}

/// The pinned cargo-semver-checks, installed into `target/tools` if missing.
fn semver_checks(root: &Path) -> anyhow::Result<PathBuf> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin/cargo-semver-checks");
    let installed = Command::new(&bin)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SEMVER_CHECKS_VERSION));
    if !installed {
        eprintln!(
            "installing cargo-semver-checks {SEMVER_CHECKS_VERSION} into target/tools (takes minutes)…"
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        run_bounded(
            Command::new(cargo)
                .args([
                    "install",
                    "--locked",
                    "--version",
                    SEMVER_CHECKS_VERSION,
                    "--root",
                ])
                .arg(&tools)
                .arg("cargo-semver-checks"),
            INSTALL_TIMEOUT,
        )?
        .ensure_success("installing cargo-semver-checks")?;
    }
    Ok(bin)
}

/// Whether cargo-semver-checks finds a breaking change in the `gtmhub` crate from the workspace
/// at `baseline` to the one at `current`, with its output.
fn tool_verdict(
    root: &Path,
    bin: &Path,
    current: &Path,
    baseline: &Path,
) -> anyhow::Result<(bool, String)> {
    // Pre-1.0, a patch release admits additive changes and no breaking one, so the tool fails
    // exactly when something breaks. The crate is not published, so it is named explicitly.
    let finished = run_bounded(
        Command::new(bin)
            .args([
                "semver-checks",
                "check-release",
                "--release-type",
                "patch",
                "-p",
                "gtmhub",
            ])
            .arg("--manifest-path")
            .arg(current.join("Cargo.toml"))
            .arg("--baseline-root")
            .arg(baseline)
            .env("CARGO_TARGET_DIR", root.join("target/semver"))
            .current_dir(root),
        CHECK_TIMEOUT,
    )?;
    verdict(&finished)
}

/// Reads a cargo-semver-checks run: breaking when a lint failed; an error when it did not check.
fn verdict(finished: &crate::tools::Finished) -> anyhow::Result<(bool, String)> {
    let text = finished.text();
    if !text.contains("Checked [") {
        bail!("cargo-semver-checks did not check the crate:\n{text}");
    }
    Ok((text.contains("--- failure "), text))
}

/// A copy of the workspace the generated crate builds in, with `generated/src` as given, so
/// cargo-semver-checks can build it beside the real one. Returns the copy's root.
fn crate_copy(
    root: &Path,
    dir: &Path,
    files: &[codegen::GeneratedFile],
) -> anyhow::Result<PathBuf> {
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(root.join(file), dir.join(file))?;
    }
    let status = Command::new("cp")
        .args(["-r", "runtime", "generated", "codegen", "xtask", "tests"])
        .arg(dir)
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("copying the workspace failed");
    }
    for file in files {
        std::fs::write(dir.join(GENERATED_DIR).join(file.name), &file.contents)?;
    }
    Ok(dir.to_owned())
}

/// Generates the crate's files from spec text.
fn generate(text: &str) -> anyhow::Result<Vec<codegen::GeneratedFile>> {
    codegen::generate(
        codegen::Spec {
            path: SPEC_PATH,
            text,
        },
        codegen::Options {
            command: CODEGEN_COMMAND,
        },
    )
    .map(|generated| generated.files)
    .map_err(|errors| anyhow::anyhow!("{errors}"))
}

/// `cargo xtask semver --cases`: every case of [`CASES`] classed by both.
pub fn check_cases(root: &Path) -> anyhow::Result<()> {
    let bin = semver_checks(root)?;
    let base = case_base(root)?;
    let base_text = serde_yaml::to_string(&base)?;
    let scratch = Scratch::new("semver-cases")?;
    let baseline_dir = scratch.0.join("baseline");
    std::fs::create_dir_all(&baseline_dir)?;
    let baseline = crate_copy(root, &baseline_dir, &generate(&base_text)?)?;
    let mut disagreements = Vec::new();
    for case in CASES {
        let mut edited = base.clone();
        (case.edit)(&mut edited);
        let text = serde_yaml::to_string(&edited)?;
        let ours = codegen::compare(
            codegen::Spec {
                path: "base",
                text: &base_text,
            },
            codegen::Spec {
                path: "edited",
                text: &text,
            },
            codegen::Options {
                command: CODEGEN_COMMAND,
            },
        )
        .map_err(|errors| anyhow::anyhow!("{errors}"))?;
        let our_breaking = ours.iter().any(|c| c.class == Class::Breaking);
        let dir = scratch.0.join("current");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let current = crate_copy(root, &dir, &generate(&text)?)?;
        let (tool_breaking, output) = tool_verdict(root, &bin, &current, &baseline)?;
        let verdict = match (our_breaking, tool_breaking, case.unseen) {
            (a, b, _) if a == b => "agree".to_owned(),
            (true, false, Some(reason)) => format!("agree (the tool cannot see it: {reason})"),
            _ => "DISAGREE".to_owned(),
        };
        println!(
            "{:<45} ours: {:<9} cargo-semver-checks: {:<9} {verdict}",
            case.name,
            if our_breaking {
                "breaking"
            } else if ours.is_empty() {
                "none"
            } else {
                "additive"
            },
            if tool_breaking { "breaking" } else { "fine" },
        );
        if verdict == "DISAGREE" {
            disagreements.push(format!("{}:\n{output}", case.name));
        }
    }
    if !disagreements.is_empty() {
        bail!("the classifications differ:\n{}", disagreements.join("\n"));
    }
    Ok(())
}

/// `cargo xtask semver [REV]`: the crate now against the crate at `rev`.
pub fn cross_check(root: &Path, rev: &str) -> anyhow::Result<()> {
    let bin = semver_checks(root)?;
    let finished = run_bounded(
        Command::new(&bin)
            .args([
                "semver-checks",
                "check-release",
                "--release-type",
                "patch",
                "-p",
                "gtmhub",
            ])
            .args(["--baseline-rev", rev])
            .env("CARGO_TARGET_DIR", root.join("target/semver"))
            .current_dir(root),
        CHECK_TIMEOUT,
    )?;
    let (tool_breaking, output) = verdict(&finished)?;
    let old_spec = Command::new("git")
        .args(["show", &format!("{rev}:{SPEC_PATH}")])
        .current_dir(root)
        .output()
        .context("running git show")?;
    if !old_spec.status.success() {
        bail!("{SPEC_PATH} does not exist at {rev}");
    }
    let old_spec = String::from_utf8_lossy(&old_spec.stdout).into_owned();
    let new_spec = std::fs::read_to_string(root.join(SPEC_PATH))?;
    let ours = codegen::compare(
        codegen::Spec {
            path: "old",
            text: &old_spec,
        },
        codegen::Spec {
            path: SPEC_PATH,
            text: &new_spec,
        },
        codegen::Options {
            command: CODEGEN_COMMAND,
        },
    )
    .map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let our_breaking = ours.iter().any(|c| c.class == Class::Breaking);
    println!("{output}");
    println!(
        "against {rev}: our report (spec edits) says {}, cargo-semver-checks (the crates) says {}",
        if our_breaking {
            "breaking"
        } else if ours.is_empty() {
            "no change"
        } else {
            "additive"
        },
        if tool_breaking {
            "breaking"
        } else {
            "not breaking"
        }
    );
    if tool_breaking && !our_breaking {
        println!("the difference comes from the generator, which changed between {rev} and now");
    }
    Ok(())
}
