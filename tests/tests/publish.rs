//! Publishing the spec (`cargo xtask spec`): the bundled YAML and JSON say exactly what the
//! source says and pass the source's linters, and the offline HTML reference, opened from disk in
//! headless Chromium with the network blocked, lists every operation and shows the deprecated
//! ones as deprecated.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use gtmhub_tests::SpecDoc;
use serde_json::Value;
use xtask::spec::Published;
use xtask::tools;

/// How many operations the two reference pages have, and how many of them are deprecated.
const OPERATIONS: usize = 26;
const DEPRECATED: usize = 13;

fn root() -> PathBuf {
    xtask::repo_root()
}

/// Runs `cargo xtask spec` once for all the tests in this file.
fn published() -> &'static Published {
    static PUBLISHED: OnceLock<Result<Published, String>> = OnceLock::new();
    let result =
        PUBLISHED.get_or_init(|| xtask::spec::publish(&root()).map_err(|e| format!("{e:#}")));
    match result {
        Ok(published) => published,
        Err(error) => panic!("cargo xtask spec failed: {error}"),
    }
}

/// Prints a line that shows even when the test passes and its output is captured.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The first JSON pointer at which `a` and `b` differ, with both values there.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{at}/{}", gtmhub_tests::escape(key));
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => {
                        if let Some(found) = first_difference(u, v, &here) {
                            return Some(found);
                        }
                    }
                    (u, v) => return Some(format!("{here}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

/// Every `$ref` string in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[test]
fn bundles_say_what_the_source_says_with_no_external_refs() {
    let published = published();
    let yaml: Value = serde_yaml::from_str(&read(&published.yaml)).expect("dist YAML parses");
    let json: Value = serde_json::from_str(&read(&published.json)).expect("dist JSON parses");
    let source = SpecDoc::load().root;

    if let Some(difference) = first_difference(&yaml, &json, "#") {
        panic!("dist/gtmhub.yaml and dist/gtmhub.json differ at {difference}");
    }
    if let Some(difference) = first_difference(&source, &yaml, "#") {
        panic!("the bundle differs from spec/gtmhub.yaml at {difference}");
    }
    assert_eq!(yaml, json);
    assert_eq!(source, yaml);

    let mut targets = Vec::new();
    refs(&json, &mut targets);
    assert!(
        !targets.is_empty(),
        "the bundle keeps internal component $refs"
    );
    for target in &targets {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref left in the bundle: {target}"));
        assert!(json.pointer(pointer).is_some(), "dangling $ref {target}");
    }
    say(&format!(
        "bundles: dist/gtmhub.yaml and dist/gtmhub.json parse to the same document as \
         spec/gtmhub.yaml; {} internal $refs, none external",
        targets.len()
    ));
}

#[test]
fn bundles_pass_the_source_linters_and_a_wrong_example_still_fails() {
    let root = root();
    let published = published();
    for path in [&published.yaml, &published.json] {
        if let Err(error) = tools::lint_spec(&root, path) {
            panic!("{error:#}");
        }
    }
    say(
        "lint: dist/gtmhub.yaml and dist/gtmhub.json pass redocly lint, spectral lint and openapi-spec-validator",
    );

    // Nothing is ignored: a wrong type in an example of a bundle fails lint.
    let mut json: Value = serde_json::from_str(&read(&published.json)).expect("dist JSON parses");
    let total = json
        .pointer_mut(
            "/paths/~1accounts~1users/get/responses/200/content/application~1json/example/totalCount",
        )
        .expect("the getUsers response example has totalCount");
    *total = Value::String("two".to_owned());
    let scratch = tools::Scratch::new("wrong-example").expect("scratch directory");
    let wrong = scratch.0.join("gtmhub.json");
    std::fs::write(&wrong, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let error = match tools::lint_spec(&root, &wrong) {
        Ok(()) => panic!("a bundle with a wrong example passed lint"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("no-invalid-media-type-examples")
            && error.contains("oas3-valid-media-example")
            && error.contains("totalCount"),
        "lint failed for another reason than the wrong example:\n{error}"
    );
    say("lint: a bundle copy whose getUsers example has totalCount: \"two\" fails redocly lint");
}

/// One operation as the spec describes it.
#[derive(Debug, Clone)]
struct Operation {
    id: String,
    summary: String,
    tag: String,
    deprecated: bool,
}

fn spec_operations() -> Vec<Operation> {
    let spec = SpecDoc::load();
    spec.operations()
        .iter()
        .map(|op| Operation {
            id: op.id().to_owned(),
            summary: op.operation["summary"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            tag: op.operation["tags"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            deprecated: op.operation["deprecated"] == Value::Bool(true),
        })
        .collect()
}

/// One entry of Redoc's sidebar menu.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MenuItem {
    /// `operation`, `group` (a tag) or `default` (the overview).
    kind: String,
    /// The entry's route, such as `#/badges/getbadge`.
    href: String,
    /// The entry's text: the tag name or the operation's summary.
    label: String,
    /// Whether Redoc marks the entry as deprecated (its method badge has `tag-http-deprecated`).
    deprecated: bool,
}

/// The value of the first attribute `name` in `html`, entities decoded.
fn attribute(html: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')?;
    Some(
        html[start..start + end]
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The sidebar entries in a rendered Redoc page. Each entry is a `Menu/MenuItem` element whose
/// link holds the label and, for operations, the method badge.
fn menu_items(dom: &str) -> Vec<MenuItem> {
    const MARKER: &str = r#"data-component-name="Menu/MenuItem""#;
    dom.match_indices(MARKER)
        .filter_map(|(at, _)| {
            let item = &dom[at..];
            let opening = &item[..item.find('>')?];
            let kind = attribute(opening, "class")?
                .split_whitespace()
                .find_map(|class| class.strip_prefix("menu-item-type-").map(str::to_owned))?;
            let link = &item[..item.find("</a>")?];
            let href = attribute(link, "href")?;
            Some(MenuItem {
                kind,
                // The page is prerendered with links such as `/badges`, which hydration leaves in
                // place; once Redoc's hash router renders a page, they read `#/badges`. Both
                // name the same route.
                href: if href.starts_with('/') {
                    format!("#{href}")
                } else {
                    href
                },
                label: attribute(link, "data-text")?,
                deprecated: link.contains("tag-http-deprecated"),
            })
        })
        .collect()
}

/// The operation sections Redoc rendered in the page body (it renders them lazily, as they come
/// into view), each with whether its heading carries the "Deprecated" badge.
fn rendered_operations(dom: &str) -> Vec<(String, bool)> {
    dom.match_indices(r#"data-item-kind="httpItem""#)
        .filter_map(|(at, _)| {
            let start = dom[..at].rfind('<')?;
            let opening = &dom[start..start + dom[start..].find('>')?];
            let section = attribute(opening, "data-section-id")?;
            let rest = &dom[at..];
            let heading = &rest[rest.find("<h2")?..];
            let heading = &heading[..heading.find("</h2>")?];
            let badge = heading.contains(r#"data-component-name="Tag/Tag""#)
                && heading.to_ascii_lowercase().contains(">deprecated<");
            Some((format!("#{section}"), badge))
        })
        .collect()
}

/// What [`check_reference`] found on a page that passed.
#[derive(Debug)]
struct Checked {
    listed: usize,
    marked_deprecated: usize,
    badges: Vec<String>,
    plain_headings: Vec<String>,
}

/// Checks the rendered pages of the reference (the overview, then one page per tag keyed by the
/// tag's link) against the spec's operations.
fn check_reference(
    overview: &str,
    tag_pages: &BTreeMap<String, String>,
    operations: &[Operation],
) -> Result<Checked, String> {
    let mut problems = Vec::new();
    let groups: BTreeMap<String, String> = menu_items(overview)
        .into_iter()
        .filter(|item| item.kind == "group")
        .map(|item| (item.label, item.href))
        .collect();
    let mut checked = Checked {
        listed: 0,
        marked_deprecated: 0,
        badges: Vec::new(),
        plain_headings: Vec::new(),
    };
    for operation in operations {
        let Some(group) = groups.get(&operation.tag) else {
            problems.push(format!(
                "{}: its tag {:?} is not in the sidebar",
                operation.id, operation.tag
            ));
            continue;
        };
        let Some(page) = tag_pages.get(group) else {
            problems.push(format!(
                "{}: the page {group} was not rendered",
                operation.id
            ));
            continue;
        };
        let href = format!("{group}/{}", operation.id.to_lowercase());
        let items: Vec<MenuItem> = menu_items(page)
            .into_iter()
            .filter(|item| item.kind == "operation" && item.href == href)
            .collect();
        let Some(item) = items.first() else {
            problems.push(format!(
                "{} ({:?}) is not listed: no sidebar entry links to {href}",
                operation.id, operation.summary
            ));
            continue;
        };
        if item.label != operation.summary {
            problems.push(format!(
                "{}: the sidebar says {:?}, the spec's summary is {:?}",
                operation.id, item.label, operation.summary
            ));
        }
        if item.deprecated != operation.deprecated {
            problems.push(format!(
                "{}: deprecated is {} in the spec but the sidebar shows {}",
                operation.id,
                operation.deprecated,
                if item.deprecated {
                    "it deprecated"
                } else {
                    "it as current"
                }
            ));
        }
        checked.listed += 1;
        checked.marked_deprecated += usize::from(item.deprecated);
        for (section, badge) in rendered_operations(page) {
            if section != href {
                continue;
            }
            match (badge, operation.deprecated) {
                (true, true) => checked.badges.push(operation.id.clone()),
                (false, false) => checked.plain_headings.push(operation.id.clone()),
                (badge, _) => problems.push(format!(
                    "{}: deprecated is {} in the spec but its heading {} the Deprecated badge",
                    operation.id,
                    operation.deprecated,
                    if badge { "has" } else { "lacks" }
                )),
            }
        }
    }
    let deprecated = operations.iter().filter(|op| op.deprecated).count();
    if checked.marked_deprecated != deprecated {
        problems.push(format!(
            "the sidebar marks {} operations deprecated, the spec {deprecated}",
            checked.marked_deprecated
        ));
    }
    if checked.badges.is_empty() {
        problems.push("no rendered operation heading shows the Deprecated badge".to_owned());
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn reference_page_lists_every_operation_offline_in_chromium() {
    let published = published();
    let Some(chromium) = tools::find_chromium() else {
        let reason = format!(
            "Chromium not found at {} or as `chromium` on PATH; install Debian's chromium \
             package (bash .ci/run does) to run the browser check",
            tools::CHROMIUM_PATH
        );
        // CI installs Chromium, so there a missing browser is a broken setup, not a skip.
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
            panic!("CI is set but {reason}");
        }
        say(&format!(
            "skipped: reference_page_lists_every_operation_offline_in_chromium: {reason}"
        ));
        return;
    };

    let operations = spec_operations();
    assert_eq!(operations.len(), OPERATIONS, "the spec's operations");
    let deprecated = operations.iter().filter(|op| op.deprecated).count();
    assert_eq!(deprecated, DEPRECATED, "the spec's deprecated operations");

    let version = tools::chromium_version(&chromium).unwrap_or_else(|e| format!("{e:#}"));
    let page = tools::file_url(&published.html);
    say(&format!(
        "browser: {version} ({}), network blocked, opening {page}",
        chromium.display()
    ));

    let screenshot = published.screenshot();
    let _ = std::fs::remove_file(&screenshot);
    let overview = tools::render_offline(&chromium, &page, Some(&screenshot))
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        std::fs::metadata(&screenshot).is_ok_and(|m| m.len() > 0),
        "Chromium saved no screenshot at {}",
        screenshot.display()
    );

    // Redoc shows one tag at a time: a tag's operations are listed in the sidebar, and drawn in
    // the body, when the page's location is that tag's link.
    let mut tag_pages = BTreeMap::new();
    let mut console = overview.console.clone();
    for group in menu_items(&overview.dom)
        .into_iter()
        .filter(|item| item.kind == "group")
    {
        let rendered = tools::render_offline(&chromium, &format!("{page}{}", group.href), None)
            .unwrap_or_else(|e| panic!("{e:#}"));
        console.extend(rendered.console);
        tag_pages.insert(group.href, rendered.dom);
    }
    let crashed: Vec<&String> = console
        .iter()
        .filter(|line| line.contains("Uncaught"))
        .collect();
    assert!(
        crashed.is_empty(),
        "the page's scripts failed: {crashed:#?}"
    );

    let checked = match check_reference(&overview.dom, &tag_pages, &operations) {
        Ok(checked) => checked,
        Err(problems) => panic!("the HTML reference {page} is wrong:\n{problems}"),
    };
    assert_eq!(checked.listed, OPERATIONS);
    assert_eq!(checked.marked_deprecated, DEPRECATED);

    // The check itself notices a missing operation: drop one entry from a copy of a tag page.
    let (group, dom) = tag_pages.iter().next_back().expect("at least one tag page");
    let dropped = menu_items(dom)
        .into_iter()
        .find(|item| item.kind == "operation")
        .expect("an operation entry");
    let mut without_one = tag_pages.clone();
    without_one.insert(
        group.clone(),
        dom.replace(&format!("href=\"{}\"", dropped.href), "href=\"#/gone\""),
    );
    let error = check_reference(&overview.dom, &without_one, &operations)
        .expect_err("a page missing an operation fails the check");
    assert!(
        error.contains(&format!("no sidebar entry links to {}", dropped.href)),
        "{error}"
    );

    let refused = console
        .iter()
        .filter(|line| line.contains("Content Security Policy"))
        .count();
    say(&format!(
        "browser: {} of {OPERATIONS} operations listed in the sidebar of {} tag pages, {} marked \
         deprecated; Deprecated badge on the rendered heading of {}, none on {}",
        checked.listed,
        tag_pages.len(),
        checked.marked_deprecated,
        checked.badges.join(", "),
        checked.plain_headings.join(", ")
    ));
    say(&format!(
        "browser: {refused} request(s) of Redoc's own refused by the page's Content-Security-Policy; \
         screenshot saved to {}",
        screenshot
            .strip_prefix(root())
            .unwrap_or(&screenshot)
            .display()
    ));
}
