//! Every sample on the pages through its generated type and back, and property-based round
//! trips of every request and response type with values generated from the spec's schemas
//! (proptest).
//!
//! The type of each operation's body is taken from the generated client itself: the response
//! type from what `send()` returns, the request type from the argument the method takes, so a
//! sample can only be checked against the type the client really uses for it.

use std::collections::BTreeMap;
use std::future::Future;

use gtmhub::types;
use gtmhub::{Client, Error, ResponseValue};
use gtmhub_tests::{
    SpecDoc, escape, json_difference, media_object, page_sample, repo_root, request_schema,
    success_schema, verbatim_sample,
};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------------
// The types of the operations, taken from the client.
// ---------------------------------------------------------------------------------------------

/// Decodes JSON text into a generated type and encodes the typed value back to JSON.
type Codec = Box<dyn Fn(&str) -> Result<Value, serde_json::Error>>;

fn codec_of<T: DeserializeOwned + Serialize + 'static>() -> Codec {
    Box::new(|text| {
        let typed: T = serde_json::from_str(text)?;
        serde_json::to_value(&typed)
    })
}

/// The codec of the type an operation's `send()` decodes its success body into. The call is
/// never run; it only names the type.
fn response<T, F, Fut>(_call: F) -> Codec
where
    T: DeserializeOwned + Serialize + 'static,
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error>>,
{
    codec_of::<T>()
}

/// The codec of the type an operation takes as its JSON body. The call is never run.
fn request<B, T, F, Fut>(_call: F) -> Codec
where
    B: DeserializeOwned + Serialize + 'static,
    F: FnOnce(Client, B) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error>>,
{
    codec_of::<B>()
}

/// One body of one operation.
struct Entry {
    op: &'static str,
    direction: &'static str,
    codec: Codec,
}

fn entry(op: &'static str, direction: &'static str, codec: Codec) -> Entry {
    Entry {
        op,
        direction,
        codec,
    }
}

/// Every JSON body of every operation: 18 responses (getPasswordPolicy's has no page sample)
/// and 9 requests.
#[allow(deprecated)]
fn entries() -> Vec<Entry> {
    vec![
        entry(
            "getUsers",
            "response",
            response(|c| async move { c.get_users().send().await }),
        ),
        entry(
            "listAnnouncements",
            "response",
            response(|c| async move { c.list_announcements().send().await }),
        ),
        entry(
            "createAnnouncement",
            "response",
            response(|c| async move {
                c.create_announcement(types::AnnouncementRequest::default())
                    .send()
                    .await
            }),
        ),
        entry(
            "createAnnouncement",
            "request",
            request(|c, b| async move { c.create_announcement(b).send().await }),
        ),
        entry(
            "getAnnouncement",
            "response",
            response(|c| async move { c.get_announcement("x").send().await }),
        ),
        entry(
            "updateAnnouncement",
            "response",
            response(|c| async move {
                c.update_announcement("x", types::AnnouncementPatchRequest::default())
                    .send()
                    .await
            }),
        ),
        entry(
            "updateAnnouncement",
            "request",
            request(|c, b| async move { c.update_announcement("x", b).send().await }),
        ),
        entry(
            "listMetricsByOwner",
            "response",
            response(|c| async move { c.list_metrics_by_owner("x").send().await }),
        ),
        entry(
            "getPasswordPolicy",
            "response",
            response(|c| async move { c.get_password_policy("x").send().await }),
        ),
        entry(
            "createUser",
            "response",
            response(|c| async move { c.create_user(types::UserRequest::default()).send().await }),
        ),
        entry(
            "createUser",
            "request",
            request(|c, b| async move { c.create_user(b).send().await }),
        ),
        entry(
            "updateGoal",
            "response",
            response(|c| async move {
                c.update_goal("x", types::GoalRequest::default())
                    .send()
                    .await
            }),
        ),
        entry(
            "updateGoal",
            "request",
            request(|c, b| async move { c.update_goal("x", b).send().await }),
        ),
        entry(
            "updateGoalConfidence",
            "response",
            response(|c| async move {
                c.update_goal_confidence("x", types::GoalConfidenceRequest::default())
                    .send()
                    .await
            }),
        ),
        entry(
            "updateGoalConfidence",
            "request",
            request(|c, b| async move { c.update_goal_confidence("x", b).send().await }),
        ),
        entry(
            "deleteAnnouncementReaction",
            "response",
            response(|c| async move { c.delete_announcement_reaction("x").send().await }),
        ),
        entry(
            "listBadges",
            "response",
            response(|c| async move { c.list_badges().send().await }),
        ),
        entry(
            "createBadge",
            "response",
            response(
                |c| async move { c.create_badge(types::BadgeRequest::default()).send().await },
            ),
        ),
        entry(
            "createBadge",
            "request",
            request(|c, b| async move { c.create_badge(b).send().await }),
        ),
        entry(
            "listPendingBadgeAssignments",
            "response",
            response(|c| async move { c.list_pending_badge_assignments().send().await }),
        ),
        entry(
            "listAssignedBadges",
            "response",
            response(|c| async move { c.list_assigned_badges().send().await }),
        ),
        entry(
            "assignBadge",
            "response",
            response(|c| async move {
                c.assign_badge(types::AssignBadgeRequest::default())
                    .send()
                    .await
            }),
        ),
        entry(
            "assignBadge",
            "request",
            request(|c, b| async move { c.assign_badge(b).send().await }),
        ),
        entry(
            "listBadgeAssignees",
            "response",
            response(|c| async move { c.list_badge_assignees("x").send().await }),
        ),
        entry(
            "listCurrentUserBadges",
            "response",
            response(|c| async move { c.list_current_user_badges().send().await }),
        ),
        entry(
            "getBadge",
            "response",
            response(|c| async move { c.get_badge("x").send().await }),
        ),
        entry(
            "updateBadge",
            "request",
            request(|c, b| async move { c.update_badge("x", b).send().await }),
        ),
    ]
}

/// The spec schema of an entry's body.
fn schema_of<'a>(spec: &'a SpecDoc, entry: &Entry) -> &'a Value {
    let operation = spec.operation(entry.op);
    let schema = match entry.direction {
        "response" => success_schema(spec, &operation).map(|(_, schema)| schema),
        _ => request_schema(spec, &operation),
    };
    schema.unwrap_or_else(|| panic!("{} has no JSON {} body", entry.op, entry.direction))
}

// ---------------------------------------------------------------------------------------------
// The pages' samples.
// ---------------------------------------------------------------------------------------------

/// `(operationId, direction)` of every sample file under `tests/fixtures/pages`.
fn sample_files() -> Vec<(String, String)> {
    let dir = repo_root().join("tests/fixtures/pages");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the fixtures directory")
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| {
            let name = name.to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json").expect("a .json file");
            let (op, direction) = stem.rsplit_once('.').expect("<op>.<direction>.json");
            (op.to_owned(), direction.to_owned())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn there_are_26_page_samples_and_each_has_its_operations_type() {
    let files = sample_files();
    assert_eq!(files.len(), 26, "{files:?}");
    let entries = entries();
    for (op, direction) in &files {
        assert!(
            entries
                .iter()
                .any(|e| e.op == op && e.direction == direction),
            "no type for the {direction} sample of {op}"
        );
    }
    // Every body type but getPasswordPolicy's response (a string the page shows no sample of)
    // has a sample.
    for entry in &entries {
        let has_sample = files
            .iter()
            .any(|(op, direction)| op == entry.op && direction == entry.direction);
        assert_eq!(
            has_sample,
            entry.op != "getPasswordPolicy",
            "{} {}",
            entry.op,
            entry.direction
        );
    }
    // And every JSON body in the spec is in the table.
    let spec = SpecDoc::load();
    let mut bodies = 0;
    for operation in spec.operations() {
        for (direction, present) in [
            ("response", success_schema(&spec, &operation).is_some()),
            ("request", request_schema(&spec, &operation).is_some()),
        ] {
            if present {
                bodies += 1;
                assert!(
                    entries
                        .iter()
                        .any(|e| e.op == operation.id() && e.direction == direction),
                    "{} {direction} is not in the table",
                    operation.id()
                );
            }
        }
    }
    assert_eq!(bodies, entries.len());
}

/// The spec's example of an entry's body (the page's sample with its placeholders expanded) and
/// the page's verbatim sample, if the page prints one.
fn example_and_sample(spec: &SpecDoc, entry: &Entry) -> Option<(Value, Value)> {
    let operation = spec.operation(entry.op);
    let media = media_object(spec, &operation, entry.direction)?;
    let example = media.get("example")?.clone();
    let verbatim = page_sample(entry.op, entry.direction).unwrap_or_else(|| {
        panic!(
            "{} {}: an example but no page sample",
            entry.op, entry.direction
        )
    });
    assert_eq!(
        verbatim_sample(media).as_ref(),
        Some(&verbatim),
        "{} {}: the example with its placeholders put back is not the page's sample",
        entry.op,
        entry.direction
    );
    Some((example, verbatim))
}

#[test]
fn every_example_goes_through_its_type_and_back_unchanged() {
    let spec = SpecDoc::load();
    let mut checked = 0;
    for entry in entries() {
        let Some((example, _)) = example_and_sample(&spec, &entry) else {
            continue;
        };
        let text = serde_json::to_string_pretty(&example).unwrap();
        let encoded = (entry.codec)(&text).unwrap_or_else(|e| {
            panic!(
                "{} {}: the example does not decode: {e}",
                entry.op, entry.direction
            )
        });
        if let Some(pointer) = json_difference(&encoded, &example, "") {
            panic!(
                "{} {}: the example changed at {pointer:?}: {} became {}",
                entry.op,
                entry.direction,
                example
                    .pointer(&pointer)
                    .map_or("nothing".into(), Value::to_string),
                encoded
                    .pointer(&pointer)
                    .map_or("nothing".into(), Value::to_string),
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 26);
}

/// Every key path (object keys and array positions) of a value, as JSON pointers.
fn key_paths(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", escape(key));
                out.push(child_pointer.clone());
                key_paths(child, &child_pointer, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let child_pointer = format!("{pointer}/{index}");
                out.push(child_pointer.clone());
                key_paths(child, &child_pointer, out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_key_of_a_verbatim_sample_is_lost_or_renamed() {
    let spec = SpecDoc::load();
    let mut checked = 0;
    for entry in entries() {
        let Some((example, verbatim)) = example_and_sample(&spec, &entry) else {
            continue;
        };
        let encoded = (entry.codec)(&example.to_string()).expect("decodes");
        let mut paths = Vec::new();
        key_paths(&verbatim, "", &mut paths);
        // The expansion only replaces placeholder strings, which have no keys beneath them, so
        // every key of the page's sample is in the example and survives the generated type.
        for path in &paths {
            assert!(
                example.pointer(path).is_some(),
                "{} {}: the example lacks {path}",
                entry.op,
                entry.direction
            );
            assert!(
                encoded.pointer(path).is_some(),
                "{} {}: {path} was lost",
                entry.op,
                entry.direction
            );
        }
        checked += paths.len();
    }
    assert!(checked > 1000, "only {checked} key paths were checked");
}

// ---------------------------------------------------------------------------------------------
// Values generated from the schemas.
// ---------------------------------------------------------------------------------------------

/// How often one component may appear on the path from the root, which bounds the recursive
/// `tagResponse` (a tag's `items` are tags) to two levels.
const MAX_SAME_REF: usize = 2;
/// The prefix of the properties added to test forward compatibility; no schema declares one.
const UNKNOWN_PREFIX: &str = "x-unknown-";
/// Cases per body type and property.
const CASES: u32 = 64;

/// Builds proptest strategies for JSON values from the spec's schemas.
struct Generator<'a> {
    spec: &'a SpecDoc,
    /// Whether objects with declared properties also get unknown ones.
    unknown: bool,
}

impl Generator<'_> {
    /// A strategy for values of `schema`, or `None` where the recursion bound cuts it off.
    /// `arrays` counts the enclosing arrays, to keep nested lists small.
    fn schema(
        &self,
        schema: &Value,
        stack: &mut Vec<String>,
        arrays: usize,
    ) -> Option<BoxedStrategy<Value>> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if stack.iter().filter(|r| *r == reference).count() >= MAX_SAME_REF {
                return None;
            }
            let target = self
                .spec
                .lookup(reference)
                .unwrap_or_else(|| panic!("{reference} resolves"));
            stack.push(reference.to_owned());
            let strategy = self.schema(target, stack, arrays);
            stack.pop();
            return strategy;
        }
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            assert_eq!(
                members.len(),
                1,
                "only single-member allOf wrappers are generated"
            );
            return self.schema(&members[0], stack, arrays);
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .or(properties.map(|_| "object"));
        let strategy = match kind {
            Some("string") => text().prop_map(Value::String).boxed(),
            Some("number") => number().boxed(),
            Some("integer") => (-1_000_000_i64..1_000_000).prop_map(Value::from).boxed(),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
            Some("array") => {
                let most = if arrays >= 2 { 1 } else { 3 };
                match self.schema(&schema["items"], stack, arrays + 1) {
                    Some(items) => vec(items, 0..=most).prop_map(Value::Array).boxed(),
                    None => Just(Value::Array(Vec::new())).boxed(),
                }
            }
            Some("object") => match properties.filter(|p| !p.is_empty()) {
                Some(properties) => self.object(properties, stack, arrays),
                // Free-form objects (`additionalProperties: true`) keep whatever they get.
                None => free_form().boxed(),
            },
            other => panic!("no generator for schema type {other:?}: {schema}"),
        };
        Some(strategy)
    }

    /// An object with a random subset of its declared properties (and, in forward-compatibility
    /// mode, up to two unknown ones).
    fn object(
        &self,
        properties: &Map<String, Value>,
        stack: &mut Vec<String>,
        arrays: usize,
    ) -> BoxedStrategy<Value> {
        let entries: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
            .iter()
            .filter_map(|(name, schema)| {
                let value = self.schema(schema, stack, arrays)?;
                let name = name.clone();
                Some(
                    prop::option::weighted(0.6, value)
                        .prop_map(move |v| v.map(|v| (name.clone(), v)))
                        .boxed(),
                )
            })
            .collect();
        let unknown = if self.unknown {
            btree_map(unknown_key(), small_json(), 0..=2).boxed()
        } else {
            Just(BTreeMap::new()).boxed()
        };
        (entries, unknown)
            .prop_map(|(entries, unknown)| {
                let mut map: Map<String, Value> = entries.into_iter().flatten().collect();
                map.extend(unknown);
                Value::Object(map)
            })
            .boxed()
    }
}

/// Random unicode text, control characters, quotes and backslashes included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        vec(any::<char>(), 0..12).prop_map(String::from_iter),
        "[ -~]{0,12}",
        Just(String::new()),
    ]
}

/// Finite numbers that JSON text carries exactly: integers and short binary fractions.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1_000_000_i64..1_000_000).prop_map(Value::from),
        (-8_000_000_i32..8_000_000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        Just(Value::from(0)),
        Just(Value::from(9_007_199_254_740_992_i64)),
        Just(Value::from(-0.5)),
    ]
}

fn unknown_key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_]{1,6}".prop_map(|suffix| format!("{UNKNOWN_PREFIX}{suffix}"))
}

/// Small JSON values of any type, null included.
fn small_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map("[a-z]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with keys the spec does not know, as free-form schemas allow.
fn free_form() -> impl Strategy<Value = Value> {
    btree_map("[a-z]{1,6}", small_json(), 0..3).prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Removes every property added by the forward-compatibility generator.
fn without_unknown(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !key.starts_with(UNKNOWN_PREFIX))
                .map(|(key, child)| (key.clone(), without_unknown(child)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_unknown).collect()),
        other => other.clone(),
    }
}

/// Runs `property` on `CASES` values generated for every entry, naming the entry on failure.
fn check_every_type(unknown: bool, property: impl Fn(&Entry, &Value) -> Result<(), String>) {
    let spec = SpecDoc::load();
    let generator = Generator {
        spec: &spec,
        unknown,
    };
    for entry in entries() {
        let strategy = generator
            .schema(schema_of(&spec, &entry), &mut Vec::new(), 0)
            .expect("a body type is never cut off");
        let config = Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy, |value| {
            property(&entry, &value).map_err(TestCaseError::fail)
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, value)) => panic!(
                "{} {}: {reason}\nminimal failing input: {value}",
                entry.op, entry.direction
            ),
            Err(error) => panic!("{} {}: {error}", entry.op, entry.direction),
        }
    }
}

#[test]
fn generated_values_go_through_every_type_and_back_unchanged() {
    check_every_type(false, |entry, value| {
        let encoded =
            (entry.codec)(&value.to_string()).map_err(|e| format!("does not decode: {e}"))?;
        match json_difference(&encoded, value, "") {
            None => Ok(()),
            Some(pointer) => Err(format!("the value changed at {pointer:?}: {encoded}")),
        }
    });
}

#[test]
fn unknown_properties_anywhere_are_ignored_and_known_ones_kept() {
    check_every_type(true, |entry, value| {
        let encoded =
            (entry.codec)(&value.to_string()).map_err(|e| format!("does not decode: {e}"))?;
        let expected = without_unknown(value);
        match json_difference(&encoded, &expected, "") {
            None => Ok(()),
            Some(pointer) => Err(format!("the value changed at {pointer:?}: {encoded}")),
        }
    });
}

#[test]
fn the_generator_produces_unknown_properties_and_bounded_tags() {
    // Guards the generator itself, so the properties above test what they claim.
    let spec = SpecDoc::load();
    let generator = Generator {
        spec: &spec,
        unknown: true,
    };
    let tag = serde_json::json!({"$ref": "#/components/schemas/tagResponse"});
    let strategy = generator.schema(&tag, &mut Vec::new(), 0).unwrap();
    let mut runner = TestRunner::deterministic();
    let mut saw_unknown = false;
    let mut deepest = 0;
    for _ in 0..200 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        saw_unknown |= value.to_string().contains(UNKNOWN_PREFIX);
        let mut depth = 0;
        let mut node = &value;
        while let Some(child) = node.get("items").and_then(|items| items.get(0)) {
            depth += 1;
            node = child;
        }
        deepest = deepest.max(depth);
    }
    assert!(saw_unknown);
    assert_eq!(deepest, 1, "a tag holds tags one level deep, and no deeper");
}
