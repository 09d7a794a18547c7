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
