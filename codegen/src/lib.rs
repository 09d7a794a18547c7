//! OpenAPI 3.0 and 3.1 to Rust client generator: spec text in, formatted Rust source out, no I/O.
//!
//! The whole pipeline is [`generate`]:
//!
//! 1. `load`: JSON or YAML text → the document tree (`doc`), version checked (syntax errors
//!    carry the file, line and column);
//! 2. `lower`: the tree → our own IR ([`ir::Api`]), reading schemas as JSON Schema means them:
//!    names decided once, every problem reported together with its JSON pointer (and line),
//!    warnings beside errors;
//! 3. `emit`: IR → token streams, one emitter per item kind;
//! 4. `format`: tokens → `prettyplease` source with an `@generated` header.
//!
//! [`compare`] runs steps 1 and 2 on two versions of a document and [`diff`]s the IRs: what
//! an edit does to the generated crate's users, breaking or additive.
//!
//! Steps 3 and 4 run per part of a file (its head, then chunks of its units: one per type or
//! operation) on every core, and `assemble` puts the files together in order; token streams
//! cannot cross threads, so a part is emitted and formatted where it is made.
//!
//! Only `load` and `lower` read the document; only `emit` uses `quote!`; only `format` touches
//! `syn` and `prettyplease`. Generated code depends on the API-agnostic runtime crate
//! `codegen-runtime` (the workspace's `runtime/`), which is never copied.

pub mod diff;
pub mod error;
pub mod ir;
pub mod names;

mod assemble;
mod doc;
mod emit;
mod format;
mod load;
mod lower;
mod yaml;

pub use error::{Diagnostic, Errors, Severity};

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

/// What [`generate`] makes: the files, and the warnings about the document that did not stop
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The files, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Problems that did not stop generation, in document order.
    pub warnings: Vec<Diagnostic>,
}

/// One generated source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name relative to the generated crate's `src/` directory, e.g. `types.rs`.
    pub name: &'static str,
    /// Complete file contents, starting with the `@generated` header line.
    pub contents: String,
}

/// Runs the whole pipeline: spec text in, generated files out (`types.rs`, `client.rs`,
/// `shapes.rs`, `mock.rs`) with the warnings, or every problem found in the spec. Never panics,
/// never returns partial output.
pub fn generate(spec: Spec<'_>, options: Options<'_>) -> Result<Generated, Errors> {
    let (document, api, warnings) = load_and_lower(spec, options)?;
    // Lowering has read all it needs from the tree. Freeing a large tree takes as long as a
    // good part of lowering, so it is done beside emitting instead of before it.
    let files = if spec.text.len() >= DROP_BESIDE {
        std::thread::scope(|scope| {
            // Where no thread can be made, the closure and with it the tree are freed here.
            let _ = std::thread::Builder::new().spawn_scoped(scope, move || drop(document));
            assemble::files(spec, options, &api)
        })?
    } else {
        drop(document);
        assemble::files(spec, options, &api)?
    };
    Ok(Generated { files, warnings })
}

/// Documents from this size on have their tree freed on a thread of its own.
const DROP_BESIDE: usize = 256 * 1024;

/// Reads a document into the generator's tree and drops it: what any generator must do before
/// anything else, and so the baseline the generation benchmark divides by.
pub fn load_only(spec: Spec<'_>) -> Result<(), Errors> {
    load::load(spec)
        .map(drop)
        .map_err(|errors| locate_all(spec, errors))
}

/// Lowers a spec to the IR without emitting code, with the warnings; used by tests and tools
/// that inspect the API (the API-change report compares two of these).
pub fn lower_only(
    spec: Spec<'_>,
    options: Options<'_>,
) -> Result<(ir::Api, Vec<Diagnostic>), Errors> {
    load_and_lower(spec, options).map(|(_, api, warnings)| (api, warnings))
}

/// Steps 1 and 2, keeping the document tree for the caller to free.
fn load_and_lower(
    spec: Spec<'_>,
    options: Options<'_>,
) -> Result<(load::Document, ir::Api, Vec<Diagnostic>), Errors> {
    let document = load::load(spec).map_err(|errors| locate_all(spec, errors))?;
    let (api, warnings) =
        lower::lower(spec, &document, options).map_err(|errors| locate_all(spec, errors))?;
    Ok((document, api, locate(spec, warnings)))
}

/// What changing the API description from `old` to `new` does to the generated crate's
/// public API: every difference, classed breaking or additive (see [`diff`]). Both documents
/// are lowered in memory with this generator, so the comparison is exact and fast.
pub fn compare(
    old: Spec<'_>,
    new: Spec<'_>,
    options: Options<'_>,
) -> Result<Vec<diff::Change>, Errors> {
    let (old, _) = lower_only(old, options)?;
    let (new, _) = lower_only(new, options)?;
    Ok(diff::diff(&old, &new))
}

/// Adds the line and column of each diagnostic's pointer where the text shows it.
fn locate(spec: Spec<'_>, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for diagnostic in &mut diagnostics {
        if diagnostic.location.is_none() {
            diagnostic.location = load::locate(spec.text, &diagnostic.pointer);
        }
    }
    diagnostics
}

fn locate_all(spec: Spec<'_>, errors: Errors) -> Errors {
    Errors(locate(spec, errors.0))
}
