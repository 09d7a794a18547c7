//! Emitting and formatting the files on every core: each file is its head and its units (one
//! per type or operation, see [`crate::emit::FILES`]); the heads and chunks of units are jobs
//! that threads take in turn, each emitting and formatting its job where it runs (token
//! streams cannot cross threads), and the files are put together in order. The output is the
//! same whatever the number of threads; time and peak memory follow the largest job, not the
//! largest file.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::emit::{Context, FILES, docs};
use crate::error::{Diagnostic, Errors};
use crate::ir::Api;
use crate::{GeneratedFile, Options, Spec, format};

/// Units per job: large enough that a job's overhead (one parse, one print) is small, small
/// enough that the threads finish together and a job's syntax tree stays small.
const UNITS_PER_JOB: usize = 24;

/// One job: a file's head, or a run of its units.
#[derive(Clone, Copy)]
struct Job {
    file: usize,
    /// `None` for the head; else the units `start..end`.
    units: Option<(usize, usize)>,
}

/// Emits and formats every file of `api`, in [`FILES`] order.
pub(crate) fn files(
    spec: Spec<'_>,
    options: Options<'_>,
    api: &Api,
) -> Result<Vec<GeneratedFile>, Errors> {
    let context = Context::new(api);
    let mut jobs = Vec::new();
    for (file, emitter) in FILES.iter().enumerate() {
        jobs.push(Job { file, units: None });
        let count = (emitter.units)(api);
        for start in (0..count).step_by(UNITS_PER_JOB) {
            jobs.push(Job {
                file,
                units: Some((start, (start + UNITS_PER_JOB).min(count))),
            });
        }
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<String, String>>>> = Mutex::new(vec![None; jobs.len()]);
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(index) else { break };
            let emitter = &FILES[job.file];
            // Docs are registered on this thread while the job is emitted (see `emit::docs`).
            drop(docs::take());
            let tokens = match job.units {
                None => (emitter.head)(&context),
                Some((start, end)) => (start..end)
                    .map(|unit| (emitter.unit)(&context, unit))
                    .collect(),
            };
            let text = format::format_items(tokens, &docs::take());
            results
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)[index] = Some(text);
        }
    };
    let panicked = std::thread::scope(|scope| {
        // A thread the system refuses is one fewer helper: the jobs are still all done here.
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        work();
        handles
            .into_iter()
            .map(|h| h.join())
            .filter(Result::is_err)
            .count()
    });
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut parts: Vec<Vec<String>> = vec![Vec::new(); FILES.len()];
    let mut problems: Vec<Diagnostic> = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        let name = FILES[job.file].name;
        match result {
            Some(Ok(text)) => parts[job.file].push(text),
            Some(Err(error)) => problems.push(format::internal(
                spec,
                format!("the generated `{name}` does not parse ({error})"),
            )),
            None => problems.push(format::internal(
                spec,
                format!("emitting `{name}` panicked"),
            )),
        }
    }
    if panicked > 0 && problems.is_empty() {
        problems.push(format::internal(
            spec,
            "an emitting thread panicked".to_owned(),
        ));
    }
    if !problems.is_empty() {
        problems.dedup_by(|a, b| a.message == b.message);
        return Err(Errors(problems));
    }
    Ok(FILES
        .iter()
        .zip(parts)
        .map(|(emitter, parts)| format::file(spec, options, emitter.name, parts))
        .collect())
}
