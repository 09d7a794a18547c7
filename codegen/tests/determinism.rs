//! Generation is deterministic: the same spec gives the same bytes, run after run, and the
//! order of the output follows the spec, not hashing.

const SPEC: &str = include_str!("../../spec/gtmhub.yaml");

fn generate(text: &str) -> Vec<codegen::GeneratedFile> {
    codegen::generate(
        codegen::Spec {
            path: "spec/gtmhub.yaml",
            text,
        },
        codegen::Options { command: "test" },
    )
    .expect("the real spec generates")
    .files
}

#[test]
fn the_same_spec_gives_the_same_bytes() {
    let first = generate(SPEC);
    for _ in 0..3 {
        assert_eq!(generate(SPEC), first);
    }
}

#[test]
fn output_follows_the_order_of_the_spec() {
    let files = generate(SPEC);
    let client = &files
        .iter()
        .find(|f| f.name == "client.rs")
        .unwrap()
        .contents;
    // Operations appear in document order: the Deprecated page's first, then the Badges page's.
    let position = |needle: &str| {
        client
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    assert!(position("pub fn get_users(") < position("pub fn list_announcements("));
    assert!(position("pub fn list_announcements(") < position("pub fn list_badges("));
    assert!(position("pub fn list_badges(") < position("pub fn delete_badge("));
}

/// Set in the child process of [`the_same_bytes_when_no_thread_can_be_made`]: where it writes
/// what it generated.
const CHILD_OUTPUT: &str = "CODEGEN_TEST_NO_THREADS_OUTPUT";

/// Where the system refuses every new thread, generation still succeeds, on the calling
/// thread alone, with the same bytes: loading in parts, freeing the tree and the emitting jobs
/// each fall back to the caller instead of panicking. The refusal is real: the test runs
/// itself again inside a `pids` cgroup that allows the process one task. That needs a
/// writable cgroup v1 `pids` controller (root on Linux, as in CI); elsewhere the test says so
/// on stderr and checks nothing else.
#[test]
fn the_same_bytes_when_no_thread_can_be_made() {
    if let Some(output) = std::env::var_os(CHILD_OUTPUT) {
        let refused = std::thread::Builder::new().spawn(|| ()).is_err();
        let files = generate(SPEC);
        let mut bytes = format!("threads refused: {refused}\n").into_bytes();
        for file in files {
            bytes.extend_from_slice(file.contents.as_bytes());
        }
        std::fs::write(output, bytes).expect("the child writes its output");
        return;
    }
    let controller = std::path::Path::new("/sys/fs/cgroup/pids");
    let group = controller.join(format!("codegen-test-{}", std::process::id()));
    if std::fs::create_dir(&group).is_err() {
        eprintln!(
            "skipped: cannot make a cgroup under {} (not root, or no cgroup v1 pids controller)",
            controller.display()
        );
        return;
    }
    std::fs::write(group.join("pids.max"), "1").expect("pids.max is writable");
    let output = std::env::temp_dir().join(format!("codegen-no-threads-{}", std::process::id()));
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"echo $$ > "$1/cgroup.procs" && shift && exec "$@""#)
        .arg("sh")
        .arg(&group)
        .arg(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "the_same_bytes_when_no_thread_can_be_made",
            "--test-threads=1",
        ])
        .env(CHILD_OUTPUT, &output)
        .status()
        .expect("the child runs");
    let _ = std::fs::remove_dir(&group);
    assert!(
        status.success(),
        "generation without threads failed: {status}"
    );
    let written = std::fs::read_to_string(&output).expect("the child wrote its output");
    let _ = std::fs::remove_file(&output);
    let (refused, contents) = written.split_once('\n').expect("a first line");
    assert_eq!(
        refused, "threads refused: true",
        "the cgroup did not refuse threads"
    );
    let expected: String = generate(SPEC).into_iter().map(|f| f.contents).collect();
    assert!(contents == expected, "the output differs without threads");
}
