//! The spec's shape: it loads as OpenAPI 3.0 with `openapiv3`, lists exactly the 26 operations of
//! the two pages with ids, tags and deprecation as the pages say, every `$ref` resolves, every
//! example fits its schema strictly with no exception, and each example is the page's sample
//! (stored verbatim under `tests/fixtures/pages`) with its placeholders expanded.

use std::collections::BTreeSet;

use gtmhub_tests::{
    Mismatch, Problem, SPEC_PATH, SpecDoc, check_value, declared_properties, escape, media_object,
    page_placeholders, page_sample, repo_root, success_schema, verbatim_sample,
};
use serde_json::Value;

/// The operations of both pages, as the issue lists them: (method, path, deprecated).
const PAGE_OPERATIONS: &[(&str, &str, bool)] = &[
    ("get", "/accounts/users", true),
    ("get", "/announcements", true),
    ("get", "/announcements/{id}", true),
    ("get", "/metrics/owner/{ownerId}", true),
    ("get", "/users/password/{clientId}/policy", true),
    ("post", "/announcements", true),
    ("post", "/users", true),
    ("put", "/goals/{goalId}", true),
    ("put", "/goals/{goalId}/confidence", true),
    ("put", "/users/settings", true),
    ("patch", "/announcements/{id}", true),
    ("delete", "/announcements/{id}", true),
    ("delete", "/announcements/{id}/react", true),
    ("get", "/badges", false),
    ("get", "/badges/approve", false),
    ("get", "/badges/assign", false),
    ("get", "/badges/assign/{id}", false),
    ("get", "/badges/current", false),
    ("get", "/badges/{id}", false),
    ("post", "/badges", false),
    ("post", "/badges/approve/{id}", false),
    ("post", "/badges/assign", false),
    ("patch", "/badges/{id}", false),
    ("delete", "/badges/approve/{id}", false),
    (
        "delete",
        "/badges/assign/{assigneeId}/{badgeAssignId}",
        false,
    ),
    ("delete", "/badges/{id}", false),
];

fn spec_text() -> String {
    std::fs::read_to_string(repo_root().join(SPEC_PATH)).expect("read the spec")
}

#[test]
fn loads_with_openapiv3_and_has_the_26_operations_of_the_pages() {
    let document: openapiv3::OpenAPI =
        serde_yaml::from_str(&spec_text()).expect("valid OpenAPI 3.0");
    assert_eq!(document.openapi, "3.0.3");
    assert_eq!(document.servers[0].url, "https://app.gtmhub.com/api/v1");

    let operations: Vec<(String, String, &openapiv3::Operation)> = document
        .operations()
        .map(|(path, method, op)| (method.to_owned(), path.to_owned(), op))
        .collect();
    assert_eq!(operations.len(), 26);
    let listed: BTreeSet<(String, String)> = operations
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = PAGE_OPERATIONS
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed, expected);

    let mut ids = BTreeSet::new();
    for (method, path, op) in &operations {
        let id = op
            .operation_id
            .as_deref()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
            "{id} is not camelCase"
        );
        assert!(
            op.summary.is_some() && op.description.is_some(),
            "{id} lacks a summary or description"
        );
        let deprecated = PAGE_OPERATIONS
            .iter()
            .find(|(m, p, _)| m == method && p == path)
            .unwrap()
            .2;
        assert_eq!(op.deprecated, deprecated, "{id}: deprecated flag");
        let tag = if deprecated { "Deprecated" } else { "Badges" };
        assert_eq!(op.tags, vec![tag.to_owned()], "{id}: one tag per page");
        let note = op.extensions.get("x-deprecation-note");
        assert_eq!(
            note.is_some(),
            deprecated,
            "{id}: x-deprecation-note exactly on deprecated operations"
        );
        assert!(
            !op.responses.responses.is_empty(),
            "{id} documents no response"
        );
    }
    assert_eq!(
        operations.iter().filter(|(_, _, op)| op.deprecated).count(),
        13
    );
}

#[test]
fn bearer_security_applies_to_every_operation() {
    let spec = SpecDoc::load();
    assert_eq!(
        spec.root["components"]["securitySchemes"]["bearerAuth"]["type"],
        "http"
    );
    assert_eq!(
        spec.root["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert_eq!(
        spec.root["security"],
        serde_json::json!([{ "bearerAuth": [] }])
    );
    for op in spec.operations() {
        assert!(
            op.operation.get("security").is_none(),
            "{} overrides the global security",
            op.id()
        );
    }
}

#[test]
fn every_ref_resolves() {
    let spec = SpecDoc::load();
    let mut refs = Vec::new();
    collect_refs(&spec.root, &mut refs);
    assert!(
        refs.len() > 100,
        "expected many $refs, found {}",
        refs.len()
    );
    for reference in refs {
        assert!(reference.starts_with("#/"), "non-local $ref {reference}");
        assert!(
            spec.lookup(&reference).is_some(),
            "unresolved $ref {reference}"
        );
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    out.extend(child.as_str().map(str::to_owned));
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// Every example in the spec, with its schema and the pointer to the example: parameters,
/// request bodies, responses, and the components' own.
fn examples(spec: &SpecDoc) -> Vec<(String, &Value, &Value)> {
    let mut out = Vec::new();
    for op in spec.operations() {
        let base = op.pointer();
        for (index, parameter) in op.operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let parameter = spec.resolve(parameter);
            if let Some(example) = parameter.get("example") {
                out.push((
                    format!("{base}/parameters/{index}/example"),
                    &parameter["schema"],
                    example,
                ));
            }
        }
        if let Some(body) = op.operation.get("requestBody") {
            let body = spec.resolve(body);
            if let Some(example) = body.pointer("/content/application~1json/example") {
                out.push((
                    format!("{base}/requestBody/content/application~1json/example"),
                    &body["content"]["application/json"]["schema"],
                    example,
                ));
            }
        }
        for (status, response) in op.operation["responses"].as_object().into_iter().flatten() {
            let response = spec.resolve(response);
            if let Some(example) = response.pointer("/content/application~1json/example") {
                out.push((
                    format!(
                        "{base}/responses/{}/content/application~1json/example",
                        escape(status)
                    ),
                    &response["content"]["application/json"]["schema"],
                    example,
                ));
            }
        }
    }
    for (name, schema) in spec.root["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if let Some(example) = schema.get("example") {
            out.push((
                format!("#/components/schemas/{}/example", escape(name)),
                schema,
                example,
            ));
        }
    }
    out
}

#[test]
fn every_example_fits_its_schema_strictly() {
    let spec = SpecDoc::load();
    let mut mismatches: Vec<Mismatch> = Vec::new();
    let mut visited = BTreeSet::new();
    let examples = examples(&spec);
    assert!(
        examples.len() > 50,
        "expected parameter, body, response and component examples"
    );
    for (pointer, schema, example) in &examples {
        check_value(
            &spec,
            schema,
            example,
            pointer,
            &mut visited,
            &mut mismatches,
        );
    }
    // No exception: every value has its schema's type and every property is declared (also
    // under allOf, which Redocly does not check).
    assert_eq!(mismatches, [], "examples that do not fit their schemas");
    assert!(
        !std::path::Path::new(&repo_root().join(".redocly.lint-ignore.yaml")).exists(),
        "no lint problem is hidden by an ignore file"
    );

    // Nothing in the schemas is unsupported by a sample: every declared property of every
    // component appears in at least one example.
    let declared = declared_properties(&spec);
    assert!(
        declared.len() > 400,
        "expected hundreds of declared properties, found {}",
        declared.len()
    );
    let unused: Vec<_> = declared.difference(&visited).collect();
    assert!(
        unused.is_empty(),
        "properties no page sample shows: {unused:#?}"
    );
}

#[test]
fn examples_are_the_page_samples_with_placeholders_expanded_to_their_components_examples() {
    let spec = SpecDoc::load();
    let mut expected_files = BTreeSet::new();
    let mut positions = 0;
    for op in spec.operations() {
        let id = op.id();
        for direction in ["request", "response"] {
            let Some(media) = media_object(&spec, &op, direction) else {
                continue;
            };
            let Some(example) = media.get("example") else {
                assert_eq!(id, "getPasswordPolicy", "{id} {direction} has no example");
                continue;
            };
            // Putting the page's strings back gives the page's sample, word for word.
            assert_eq!(
                verbatim_sample(media),
                page_sample(id, direction),
                "{id} {direction}: the example with its placeholders put back differs from the page"
            );
            expected_files.insert(format!("{id}.{direction}.json"));
            // Each expanded position holds the example of the component it stands for.
            for (pointer, text) in page_placeholders(media) {
                positions += 1;
                let value = example.pointer(&pointer).unwrap();
                let schema = schema_at(&spec, &media["schema"], &pointer)
                    .unwrap_or_else(|| panic!("{id} {direction}: no schema at {pointer}"));
                let schema = spec.resolve(schema);
                let schema = schema
                    .get("allOf")
                    .and_then(|all| all.get(0))
                    .map_or(schema, |only| spec.resolve(only));
                match schema.get("example") {
                    Some(own) => assert_eq!(value, own, "{id} {direction} {pointer} ({text})"),
                    None => {
                        let items = spec.resolve(&schema["items"]);
                        match items.get("example") {
                            Some(own) => assert_eq!(
                                value,
                                &Value::Array(vec![own.clone()]),
                                "{id} {direction} {pointer} ({text})"
                            ),
                            None => assert!(
                                value.as_array().is_some_and(|a| !a.is_empty()),
                                "{id} {direction} {pointer} ({text}) is {value}"
                            ),
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        positions, 59,
        "the pages print 59 object or list placeholders"
    );
    let on_disk: BTreeSet<String> = std::fs::read_dir(repo_root().join("tests/fixtures/pages"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        on_disk, expected_files,
        "every fixture belongs to an operation and vice versa"
    );
    assert_eq!(on_disk.len(), 26);
}

/// The schema a JSON pointer into an instance of `schema` reaches (through `$ref`, single
/// `allOf` wrappers, properties and items).
fn schema_at<'a>(spec: &'a SpecDoc, schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut schema = schema;
    for token in pointer.split('/').skip(1) {
        let mut resolved = spec.resolve(schema);
        while let Some(only) = resolved.get("allOf").and_then(|all| all.get(0)) {
            if resolved.get("properties").is_some() {
                break;
            }
            resolved = spec.resolve(only);
        }
        let token = token.replace("~1", "/").replace("~0", "~");
        schema = if token.parse::<usize>().is_ok() && resolved.get("items").is_some() {
            &resolved["items"]
        } else {
            resolved.get("properties")?.get(&token)?
        };
    }
    Some(schema)
}

#[test]
fn the_walker_catches_an_undeclared_property_and_a_wrong_type() {
    // Guard the guard: the strict walk must fail on what Redocly misses under allOf.
    let spec = SpecDoc::load();
    let op = spec.operation("listAssignedBadges");
    let (_, schema) = success_schema(&spec, &op).unwrap();
    let mut sample = page_sample("listAssignedBadges", "response").unwrap();
    sample["items"][0]["badge"]["bogus"] = Value::from(1);
    sample["items"][0]["badge"]["name"] = Value::from(5);
    let mut mismatches = Vec::new();
    check_value(
        &spec,
        schema,
        &sample,
        "",
        &mut BTreeSet::new(),
        &mut mismatches,
    );
    assert_eq!(
        mismatches,
        vec![
            Mismatch {
                pointer: "/items/0/badge/bogus".into(),
                problem: Problem::Undeclared("bogus".into())
            },
            Mismatch {
                pointer: "/items/0/badge/name".into(),
                problem: Problem::WrongType {
                    expected: "string".into(),
                    found: "5".into()
                },
            },
        ]
    );
}

#[test]
fn recorded_decisions_are_in_the_spec() {
    // The irregularities the pages leave open are decided in the spec itself.
    let spec = SpecDoc::load();
    let notes = |id: &str| serde_json::to_string(spec.operation(id).operation).unwrap();
    assert!(
        notes("getPasswordPolicy").contains("x-note"),
        "getPasswordPolicy decisions"
    );
    assert!(
        notes("updateUserSettings").contains("x-note"),
        "updateUserSettings decisions"
    );
    assert!(
        notes("approveBadgeAssignment").contains("2XX"),
        "approveBadgeAssignment success"
    );
    assert!(
        notes("rejectBadgeAssignment").contains("2XX"),
        "rejectBadgeAssignment success"
    );
    let confidence = spec.operation("updateGoalConfidence");
    let header = confidence.operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| spec.resolve(p))
        .find(|p| p["name"] == "gtmhub-accountId")
        .expect("updateGoalConfidence declares the account header");
    assert_eq!(header["required"], false);
    assert!(header.get("x-note").is_some());
    // Every account header is the client-wide setting.
    for op in spec.operations() {
        for parameter in op.operation["parameters"].as_array().into_iter().flatten() {
            let parameter = spec.resolve(parameter);
            if parameter["name"] == "gtmhub-accountId" {
                assert_eq!(parameter["x-client-setting"], "accountId", "{}", op.id());
            }
        }
    }
}
