//! Generation benchmarks: how long the generator takes on `spec/gtmhub.yaml` and on synthetic
//! specs 10× and 100× its size (`xtask::synthetic`), each against the generator merely reading
//! the same text into its tree (`codegen::load_only`) and, for comparison with other tools,
//! parsing it into `serde_yaml::Value`; and the floor the formatter sets, syn and prettyplease
//! alone on the generated source (`format_floor`).
//!
//! Run with `cargo bench -p gtmhub-tests --bench generate`. Besides criterion's own report, the
//! run ends with a table of medians, time per operation and ratios against the same-run
//! baselines, then the least generation could take given that floor (see BENCHMARKS.md).
//! The whole-process comparison with progenitor is `cargo xtask versus-progenitor`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion, SamplingMode, Throughput};
use serde_yaml::Value;
use xtask::synthetic::{operation_count, synthetic};

/// The real spec, compiled in so that the benchmark measures no file I/O.
const SPEC: &str = include_str!("../../spec/gtmhub.yaml");
/// The command named in the generated headers; its value does not matter here.
const OPTIONS: codegen::Options<'static> = codegen::Options {
    command: "cargo bench",
};
/// The sizes measured, as multiples of the real spec.
const SCALES: [usize; 3] = [1, 10, 100];
/// One spec to generate from: its text and how many operations it has.
struct Input {
    /// The criterion group, e.g. `generate_x10`.
    group: String,
    /// The size as a multiple of the real spec; `None` for the real spec as committed.
    scale: Option<usize>,
    text: String,
    operations: usize,
}

/// The real spec as committed, then the synthetic sizes. The synthetic 1× is the real spec
/// written back by `serde_yaml`, so that all three sizes share one YAML style and time per
/// operation compares like with like.
fn inputs() -> Vec<Input> {
    let real = Input {
        group: "generate_spec".to_owned(),
        scale: None,
        text: SPEC.to_owned(),
        operations: operation_count(SPEC),
    };
    let synthetic = SCALES.iter().map(|&scale| {
        let text = synthetic(SPEC, scale);
        let operations = operation_count(&text);
        Input {
            group: format!("generate_x{scale}"),
            scale: Some(scale),
            text,
            operations,
        }
    });
    std::iter::once(real).chain(synthetic).collect()
}

fn spec(text: &str) -> codegen::Spec<'_> {
    codegen::Spec {
        path: "spec/gtmhub.yaml",
        text,
    }
}

fn bench_generation(c: &mut Criterion, inputs: &[Input]) {
    for input in inputs {
        // Every synthetic spec must generate; otherwise the figures would time an error path.
        let files = codegen::generate(spec(&input.text), OPTIONS)
            .unwrap_or_else(|errors| panic!("`{}` does not generate:\n{errors}", input.group));
        assert_eq!(files.files.len(), 4);

        let mut group = c.benchmark_group(&input.group);
        group.throughput(Throughput::Elements(input.operations as u64));
        let scale = input.scale.unwrap_or(1);
        if scale >= 10 {
            // Tenths of a second to seconds per run: equal samples, fewer of them, keep the
            // run short.
            group.sampling_mode(SamplingMode::Flat);
            if scale >= 100 {
                group
                    .sample_size(10)
                    .measurement_time(Duration::from_secs(30));
            } else {
                group
                    .sample_size(20)
                    .measurement_time(Duration::from_secs(10));
            }
        }
        let text = input.text.as_str();
        group.bench_function("yaml_value", |b| {
            b.iter(|| serde_yaml::from_str::<Value>(black_box(text)).expect("valid YAML"));
        });
        group.bench_function("load", |b| {
            b.iter(|| codegen::load_only(spec(black_box(text))).expect("reads"));
        });
        group.bench_function("load_lower", |b| {
            b.iter(|| codegen::lower_only(spec(black_box(text)), OPTIONS).expect("lowers"));
        });
        group.bench_function("generate", |b| {
            b.iter(|| codegen::generate(spec(black_box(text)), OPTIONS).expect("generates"));
        });
        // The floor the formatter sets: syn and prettyplease on the generated source alone
        // (doc comments left out, as the generator keeps them out of the syntax tree), on one
        // thread, from tokens already lexed. Generation cannot take less than this divided by
        // the cores, on top of loading and lowering.
        let sources: Vec<String> = files
            .files
            .iter()
            .map(|f| without_docs(&f.contents))
            .collect();
        group.bench_function("format_floor", |b| {
            b.iter_batched(
                || lex(&sources),
                |streams| {
                    for tokens in streams {
                        let parsed =
                            syn::parse2::<syn::File>(tokens).expect("generated code parses");
                        black_box(prettyplease::unparse(&parsed));
                    }
                },
                BatchSize::PerIteration,
            );
        });
        group.finish();
    }
}

/// The source without its doc comments (whole-line `///` and `//!` comments).
fn without_docs(source: &str) -> String {
    source
        .lines()
        .filter(|line| !matches!(line.trim_start().get(..3), Some("///" | "//!")))
        .flat_map(|line| [line, "\n"])
        .collect()
}

fn lex(sources: &[String]) -> Vec<proc_macro2::TokenStream> {
    sources
        .iter()
        .map(|source| source.parse().expect("generated code lexes"))
        .collect()
}

/// Where criterion writes its results, chosen as criterion does but without `cargo metadata`,
/// so this bench can read the medians back.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// The median time in nanoseconds of `group/bench`, if it was measured by this run.
fn median_ns(dir: &Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new/estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// The medians of `benches` in `input`'s group, if this run measured them all.
fn medians<const N: usize>(
    dir: &Path,
    since: SystemTime,
    input: &Input,
    benches: [&str; N],
) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    for (slot, bench) in out.iter_mut().zip(benches) {
        *slot = median_ns(dir, &format!("{}/{bench}", input.group), since)?;
    }
    Some(out)
}

/// How a row names its spec: `real`, or its scale (`10×`).
fn label(input: &Input) -> String {
    input
        .scale
        .map_or("real".to_owned(), |scale| format!("{scale}×"))
}

/// Prints the medians of this run with time per operation and the ratios against the baselines.
fn print_summary(dir: &Path, since: SystemTime, inputs: &[Input]) {
    println!(
        "\nGeneration summary (medians of this run; ×load = generate / the generator's own read of the \
         text into its tree; ×yv = generate / serde_yaml::Value parse)"
    );
    println!(
        "{:<7} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10} {:>7} {:>7} {:>9}",
        "spec",
        "ops",
        "yaml_value",
        "load",
        "load_lower",
        "generate",
        "emit+fmt",
        "gen/op",
        "×load",
        "×yv",
        "op vs 1×"
    );
    let mut per_op_1x = None;
    for input in inputs {
        let Some([yaml, load, lower, generate]) = medians(
            dir,
            since,
            input,
            ["yaml_value", "load", "load_lower", "generate"],
        ) else {
            continue;
        };
        let per_op = generate / input.operations as f64;
        let growth = match input.scale {
            None => "-".to_owned(),
            Some(_) => {
                let base = *per_op_1x.get_or_insert(per_op);
                format!("{:.2}×", per_op / base)
            }
        };
        let label = label(input);
        println!(
            "{label:<7} {:>5} {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>7.1} µs {:>6.2}× {:>6.2}× {growth:>9}",
            input.operations,
            yaml / 1e6,
            load / 1e6,
            lower / 1e6,
            generate / 1e6,
            (generate - lower) / 1e6,
            per_op / 1e3,
            generate / load,
            generate / yaml,
        );
    }
    println!(
        "(emit+fmt = generate - load_lower; op vs 1× = time per operation over the synthetic 1× figure)"
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "\nFormatting floor (syn + prettyplease alone on the generated source, one thread; \
         least = load_lower + floor / {cores} cores, the least generation can take with this \
         output and formatter)"
    );
    println!(
        "{:<7} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "spec", "fmt floor", "÷ cores", "least", "least×yv", "gen×yv"
    );
    for input in inputs {
        let Some([yaml, lower, generate, floor]) = medians(
            dir,
            since,
            input,
            ["yaml_value", "load_lower", "generate", "format_floor"],
        ) else {
            continue;
        };
        let label = label(input);
        let least = lower + floor / cores as f64;
        println!(
            "{label:<7} {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>8.2}× {:>8.2}×",
            floor / 1e6,
            floor / cores as f64 / 1e6,
            least / 1e6,
            least / yaml,
            generate / yaml,
        );
    }
}

fn main() {
    let started = SystemTime::now();
    let dir = criterion_dir();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    let inputs = inputs();
    bench_generation(&mut criterion, &inputs);
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|arg| arg == "--bench") {
        print_summary(&dir, started, &inputs);
    }
}
