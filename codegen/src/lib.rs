//! OpenAPI 3.0 to Rust client generator: spec text in, formatted Rust source out, no I/O.
//!
//! The whole pipeline is [`generate`]:
//!
//! 1. `load`: YAML text → `openapiv3::OpenAPI` (parse errors carry the file and JSON pointer);
//! 2. `lower`: `openapiv3` → our own IR ([`ir::Api`]): names decided once, every
//!    unsupported construct reported together with its pointer;
//! 3. `emit`: IR → token streams, one emitter per item kind;
//! 4. `format`: tokens → `prettyplease` source with an `@generated` header.
//!
//! Steps 3 and 4 run once per output file, each file on its own thread (token streams cannot
//! cross threads, so a file is emitted and formatted where it is made).
//!
//! Only `load` and `lower` know `openapiv3`; only `emit` uses `quote!`; only `format` touches
//! `syn` and `prettyplease`. Generated code depends on the API-agnostic runtime crate
//! `codegen-runtime` (the workspace's `runtime/`), which is never copied.

pub mod error;
pub mod ir;
pub mod names;

mod emit;
mod format;
mod load;
mod lower;

pub use error::{Diagnostic, Errors};

/// One OpenAPI document to generate from.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// How the document is named in diagnostics and in the `@generated` header,
    /// for example `spec/gtmhub.yaml`.
    pub path: &'a str,
    /// The document's YAML (or JSON) text.
    pub text: &'a str,
}

/// Settings that shape the output but are not part of the spec.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The command that regenerates the output, named in every file's `@generated` header.
    pub command: &'a str,
}

/// One generated source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name relative to the generated crate's `src/` directory, e.g. `types.rs`.
    pub name: &'static str,
    /// Complete file contents, starting with the `@generated` header line.
    pub contents: String,
}

/// Runs the whole pipeline: spec text in, generated files out (`types.rs`, `client.rs`), or
/// every problem found in the spec. Never panics, never returns partial output.
pub fn generate(spec: Spec<'_>, options: Options<'_>) -> Result<Vec<GeneratedFile>, Errors> {
    let document = load::load(spec)?;
    let api = lower::lower(spec, &document, options)?;
    // Each file is emitted and formatted on its own thread; the files come back in order.
    let results: Vec<_> = std::thread::scope(|scope| {
        let jobs: Vec<_> = emit::FILES
            .iter()
            .map(|file| {
                let job =
                    scope.spawn(|| format::format(spec, options, file.name, (file.emit)(&api)));
                (file.name, job)
            })
            .collect();
        jobs.into_iter()
            .map(|(name, job)| (name, job.join()))
            .collect()
    });
    let mut files = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for (name, result) in results {
        match result {
            Ok(Ok(file)) => files.push(file),
            Ok(Err(problem)) => problems.push(problem),
            Err(_) => problems.push(format::internal(
                spec,
                format!("emitting `{name}` panicked"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Errors(problems))
    }
}

/// Lowers a spec to the IR without emitting code; used by tests and tools that inspect the API.
pub fn lower_only(spec: Spec<'_>, options: Options<'_>) -> Result<ir::Api, Errors> {
    let document = load::load(spec)?;
    lower::lower(spec, &document, options)
}
