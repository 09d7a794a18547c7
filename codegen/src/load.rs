//! Loading: spec text → the document tree ([`crate::doc::Node`]), JSON parsed as JSON and YAML
//! as YAML, with the OpenAPI version checked; and, for diagnostics, the line of a JSON pointer
//! in the text.

use crate::Spec;
use crate::doc::Node;
use crate::error::{Diagnostic, Errors};
use crate::yaml::{self, YamlError};

/// Which OpenAPI version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// 3.0.x: JSON Schema draft 4/5 subset with `nullable`.
    V30,
    /// 3.1.x (and 3.2.x, read the same way): JSON Schema 2020-12.
    V31,
}

/// A parsed document.
pub(crate) struct Document {
    pub(crate) root: Node,
    pub(crate) version: Version,
    /// Problems that do not stop generation (a newer minor version, say).
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Parses the document and checks that it is OpenAPI 3.0 or 3.1.
pub(crate) fn load(spec: Spec<'_>) -> Result<Document, Errors> {
    let root = parse(spec)?;
    let error = |pointer: &str, message: String| {
        Errors(vec![Diagnostic::error(spec.path, pointer, message)])
    };
    if !root.is_map() {
        return Err(error(
            "",
            format!("an OpenAPI document is an object, found {}", root.kind()),
        ));
    }
    let mut warnings = Vec::new();
    let version = match (root.get("openapi"), root.get("swagger")) {
        (Some(Node::Str(version)), _) => {
            let mut parts = version.split('.');
            match (parts.next(), parts.next()) {
                (Some("3"), Some("0")) => Version::V30,
                (Some("3"), Some("1")) => Version::V31,
                (Some("3"), Some(minor)) if minor.parse::<u32>().is_ok_and(|m| m > 1) => {
                    warnings.push(Diagnostic::warning(
                        spec.path,
                        "/openapi",
                        format!("OpenAPI {version} is newer than 3.1; it is read as 3.1"),
                    ));
                    Version::V31
                }
                _ => {
                    return Err(error(
                        "/openapi",
                        format!(
                            "unsupported OpenAPI version `{version}`: this generator reads 3.0.x and 3.1.x"
                        ),
                    ));
                }
            }
        }
        (Some(other), _) => {
            return Err(error(
                "/openapi",
                format!("`openapi` must be a version string such as \"3.1.0\", found {other}"),
            ));
        }
        (None, Some(version)) => {
            let version = version
                .as_str()
                .map_or_else(|| version.to_string(), str::to_owned);
            return Err(error(
                "/swagger",
                format!(
                    "unsupported OpenAPI version `{version}`: this generator reads OpenAPI 3.0.x and \
                     3.1.x; convert a Swagger 2.0 document first (for example with swagger2openapi)"
                ),
            ));
        }
        (None, None) => {
            return Err(error(
                "",
                "not an OpenAPI document: it has no `openapi` version field".to_owned(),
            ));
        }
    };
    Ok(Document {
        root,
        version,
        warnings,
    })
}

/// Whether the text is a JSON document (it opens with `{` or `[`).
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '['])
}

/// Parses JSON with serde_json and YAML with [`crate::yaml`]. A document named `.json` is JSON; one
/// that opens like JSON but is not named so is tried as YAML (of which JSON is a subset) before
/// its JSON error is reported.
fn parse(spec: Spec<'_>) -> Result<Node, Errors> {
    let text = spec.text.trim_start_matches('\u{feff}');
    let named_json = spec.path.to_ascii_lowercase().ends_with(".json");
    let json_error = if named_json || looks_like_json(text) {
        match serde_json::from_str::<Node>(text) {
            Ok(node) => return Ok(node),
            Err(error) => Some(error),
        }
    } else {
        None
    };
    // A file named `.json` is JSON: its JSON error stands.
    let yaml = if named_json {
        None
    } else {
        Some(parse_yaml(text))
    };
    match yaml.unwrap_or_else(|| {
        Err(YamlError {
            line: 0,
            column: 0,
            message: "not tried".to_owned(),
        })
    }) {
        Ok(node) => Ok(node),
        Err(yaml_error) => {
            let diagnostic = match json_error {
                Some(error) => {
                    let message = error.to_string();
                    let message = match message.rfind(" at line ") {
                        Some(index) => message[..index].to_owned(),
                        None => message,
                    };
                    Diagnostic {
                        location: Some((error.line(), error.column())),
                        ..Diagnostic::error(spec.path, "", format!("not valid JSON: {message}"))
                    }
                }
                None => Diagnostic {
                    location: Some((yaml_error.line, yaml_error.column)),
                    ..Diagnostic::error(
                        spec.path,
                        "",
                        format!("not valid YAML: {}", yaml_error.message),
                    )
                },
            };
            Err(Errors(vec![diagnostic]))
        }
    }
}

/// Documents above this size are parsed in parts on several threads (see [`parse_yaml`]): at
/// about 70 KB per millisecond, a part of 16 KB already takes longer to parse than a thread
/// takes to start.
const PARALLEL_YAML_BYTES: usize = 32 * 1024;

/// Parses YAML. A large block-style document is cut at its top-level keys into as many parts as
/// there are cores, each part (a mapping of some of the top-level entries) parsed on its own
/// thread and the entries joined in order: the YAML parser is the one stage of loading that
/// cannot otherwise use a second core, and `paths` and `components` are usually each about half
/// of a large description. A part means in isolation what it means in the whole document unless
/// an alias names an anchor of another part, which fails that part's parse: then (and for any
/// other failure, directive, document marker, flow-style root or repeated key) the document is
/// parsed whole, so the result, and every error, is the same as a whole parse.
fn parse_yaml(text: &str) -> Result<Node, YamlError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if text.len() >= PARALLEL_YAML_BYTES
        && threads > 1
        && let Some(node) = parse_yaml_in_parts(text, threads)
    {
        return Ok(node);
    }
    yaml::parse(text)
}

fn parse_yaml_in_parts(text: &str, parts: usize) -> Option<Node> {
    // Where each top-level key starts.
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.chars().next().unwrap_or(' ');
        if line.starts_with("---") || line.starts_with("...") || line.starts_with('%') {
            return None;
        }
        if !first.is_whitespace() && first != '#' {
            // `- item` at the margin continues the previous key's block sequence (the compact
            // style most writers use for `servers:`, `tags:`, `security:`), unless no key came
            // before it and the root itself is a sequence.
            let sequence_item =
                first == '-' && line[1..].chars().next().is_none_or(char::is_whitespace);
            if sequence_item {
                if starts.is_empty() {
                    return None;
                }
                offset += line.len();
                continue;
            }
            if matches!(first, '{' | '[' | '&' | '*' | '!' | '?' | '|' | '>') {
                return None;
            }
            starts.push(offset);
        }
        offset += line.len();
    }
    if starts.len() < 2 {
        return None;
    }
    // Contiguous parts of about equal size, cut at top-level keys.
    let target = text.len() / parts + 1;
    let mut cuts = vec![0];
    for &start in &starts[1..] {
        if start - cuts[cuts.len() - 1] >= target && cuts.len() < parts {
            cuts.push(start);
        }
    }
    cuts.push(text.len());
    let pieces: Vec<&str> = cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect();
    let parsed: Vec<Option<Node>> = std::thread::scope(|scope| {
        // A part whose thread the system refuses is parsed here, after the first.
        let handles: Vec<_> = pieces[1..]
            .iter()
            .map(|&piece| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || yaml::parse(piece).ok())
                    .map_err(|_| piece)
            })
            .collect();
        let first = yaml::parse(pieces[0]).ok();
        std::iter::once(first)
            .chain(handles.into_iter().map(|handle| match handle {
                Ok(handle) => handle.join().ok().flatten(),
                Err(piece) => yaml::parse(piece).ok(),
            }))
            .collect()
    });
    let mut entries = Vec::new();
    for node in parsed {
        match node? {
            Node::Map(part) => entries.extend(part.into_vec()),
            _ => return None,
        }
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| &**k).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(Node::Map(entries.into_boxed_slice()))
}

/// The line and column (1-based) where the value at `pointer` starts in the text, when it can
/// be found: exactly for JSON, and for YAML in block style (a value inside a flow collection is
/// not looked for).
pub(crate) fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let tokens: Vec<String> = match pointer.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .map(|t| crate::doc::unescape(t).into_owned())
            .collect(),
        None if pointer.is_empty() => Vec::new(),
        None => return None,
    };
    let offset = if looks_like_json(text) {
        locate_json(text.as_bytes(), &tokens)?
    } else {
        locate_yaml(text, &tokens)?
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    Some((line, column))
}

/// Follows `tokens` through JSON text; the byte offset of the value they lead to.
fn locate_json(text: &[u8], tokens: &[String]) -> Option<usize> {
    let mut pos = skip_ws(text, 0);
    for token in tokens {
        match text.get(pos)? {
            b'{' => {
                pos = skip_ws(text, pos + 1);
                loop {
                    if text.get(pos) == Some(&b'}') {
                        return None;
                    }
                    let (key, after) = read_string(text, pos)?;
                    pos = skip_ws(text, after);
                    if text.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos = skip_ws(text, pos + 1);
                    if key == *token {
                        break;
                    }
                    pos = skip_ws(text, skip_value(text, pos)?);
                    match text.get(pos)? {
                        b',' => pos = skip_ws(text, pos + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                pos = skip_ws(text, pos + 1);
                for _ in 0..index {
                    pos = skip_ws(text, skip_value(text, pos)?);
                    match text.get(pos)? {
                        b',' => pos = skip_ws(text, pos + 1),
                        _ => return None,
                    }
                }
                if text.get(pos) == Some(&b']') {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(pos)
}

fn skip_ws(text: &[u8], mut pos: usize) -> usize {
    while text.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

/// Reads a JSON string starting at `pos`; the decoded text and the offset after it.
fn read_string(text: &[u8], pos: usize) -> Option<(String, usize)> {
    if text.get(pos) != Some(&b'"') {
        return None;
    }
    let mut end = pos + 1;
    let mut escaped = false;
    while let Some(&b) = text.get(end) {
        match (escaped, b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => break,
            _ => {}
        }
        end += 1;
    }
    let raw = std::str::from_utf8(text.get(pos..=end)?).ok()?;
    let decoded: String = serde_json::from_str(raw).ok()?;
    Some((decoded, end + 1))
}

/// The offset just after the JSON value starting at `pos`.
fn skip_value(text: &[u8], pos: usize) -> Option<usize> {
    match text.get(pos)? {
        b'"' => read_string(text, pos).map(|(_, after)| after),
        b'{' | b'[' => {
            let mut depth = 0_usize;
            let mut i = pos;
            while let Some(&b) = text.get(i) {
                match b {
                    b'"' => {
                        i = read_string(text, i)?.1;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while text
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Follows `tokens` through block-style YAML by indentation; the byte offset of the key or list
/// item that holds the value they lead to.
fn locate_yaml(text: &str, tokens: &[String]) -> Option<usize> {
    // (byte offset of the content, indentation, content). A list item `- key: v` is split into
    // a bare `-` line and its content two columns further in, so keys always start a line.
    let mut lines: Vec<(usize, usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let mut body = content.trim_start_matches(' ');
        let mut indent = content.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        while let Some(rest) = body
            .strip_prefix("- ")
            .or_else(|| (body == "-").then_some(""))
        {
            lines.push((start + indent, indent, "-"));
            let trimmed = rest.trim_start_matches(' ');
            indent += 2 + (rest.len() - trimmed.len());
            body = trimmed;
            if body.is_empty() {
                break;
            }
        }
        if !body.is_empty() {
            lines.push((start + indent, indent, body));
        }
    }
    let mut line = 0; // first line of the current block
    let mut parent_indent: Option<usize> = None;
    let mut found = 0;
    for token in tokens {
        // The block's lines: from `line` while indented deeper than the parent.
        let block_end = (line..lines.len())
            .find(|&i| parent_indent.is_some_and(|p| lines[i].1 <= p))
            .unwrap_or(lines.len());
        let child_indent = (line..block_end).map(|i| lines[i].1).min()?;
        let mut index_seen = 0;
        let mut hit = None;
        for (i, &(start, indent, body)) in lines.iter().enumerate().take(block_end).skip(line) {
            if indent != child_indent {
                continue;
            }
            if body == "-" {
                if token.parse::<usize>() == Ok(index_seen) {
                    hit = Some((i, start, indent));
                    break;
                }
                index_seen += 1;
            } else if yaml_key(body).as_deref() == Some(token.as_str()) {
                hit = Some((i, start, indent));
                break;
            }
        }
        let (i, start, indent) = hit?;
        found = start;
        line = i + 1;
        parent_indent = Some(indent);
    }
    Some(found)
}

/// The key of a `key: value` line, unquoted.
fn yaml_key(body: &str) -> Option<String> {
    if let Some(rest) = body.strip_prefix('"') {
        let end = rest.find('"')?;
        return rest[end + 1..]
            .starts_with(':')
            .then(|| rest[..end].to_owned());
    }
    if let Some(rest) = body.strip_prefix('\'') {
        let end = rest.find('\'')?;
        return rest[end + 1..]
            .starts_with(':')
            .then(|| rest[..end].to_owned());
    }
    let colon = body
        .find(": ")
        .or_else(|| body.ends_with(':').then(|| body.len() - 1))?;
    Some(body[..colon].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec<'_> {
        Spec {
            path: "t.yaml",
            text,
        }
    }

    #[test]
    fn reads_openapi_30_and_31_and_refuses_swagger_2_clearly() {
        let v30 = load(spec(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ))
        .unwrap();
        assert_eq!(v30.version, Version::V30);
        let v31 = load(spec(
            r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}"#,
        ))
        .unwrap();
        assert_eq!(v31.version, Version::V31);
        let v32 = load(spec("openapi: 3.2.0\ninfo: {title: t, version: '1'}\n")).unwrap();
        assert_eq!((v32.version, v32.warnings.len()), (Version::V31, 1));
        let errors = load(spec(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ))
        .err()
        .unwrap();
        assert_eq!(errors.0[0].pointer, "/swagger");
        assert!(errors.0[0].message.contains("`2.0`"), "{errors}");
        let errors = load(spec("openapi: 4.0.0\n")).err().unwrap();
        assert!(errors.0[0].message.contains("4.0.0"), "{errors}");
    }

    #[test]
    fn a_large_document_parsed_in_parts_is_the_document_parsed_whole() {
        let mut text = String::from(
            "# a description\nopenapi: 3.0.3\ninfo: {title: T, version: '1'}\n\
             servers:\n- url: https://a.test\n-\n  url: https://b.test\n-bare: key\npaths:\n",
        );
        for i in 0..4000 {
            text.push_str(&format!("  /p{i}:\n    get: {{operationId: op{i}, responses: {{'200': {{description: ok}}}}}}\n"));
        }
        text.push_str("components:\n  schemas:\n");
        for i in 0..4000 {
            text.push_str(&format!(
                "    S{i}:\n      type: object\n      properties: {{a: {{type: string}}}}\n"
            ));
        }
        assert!(text.len() > PARALLEL_YAML_BYTES);
        let whole = yaml::parse(&text).unwrap();
        assert_eq!(parse_yaml_in_parts(&text, 2), Some(whole.clone()));
        assert_eq!(parse_yaml_in_parts(&text, 3), Some(whole));
        // An alias to another part's anchor, a repeated key or a marker: parsed whole.
        let aliased = text.replace("paths:\n", "x: &shared {a: 1}\npaths:\n") + "y: *shared\n";
        assert_eq!(parse_yaml_in_parts(&aliased, 2), None);
        assert!(parse_yaml(&aliased).is_ok());
        assert_eq!(
            parse_yaml_in_parts(&format!("{text}info: again\n"), 2),
            None
        );
        assert_eq!(parse_yaml_in_parts(&format!("---\n{text}"), 2), None);
        // A root that is a sequence is parsed whole.
        assert_eq!(parse_yaml_in_parts(&format!("- a\n- b\n{text}"), 2), None);
    }

    /// Every YAML document the repository holds (the fixtures, the spec, and the real-world
    /// corpus once `cargo xtask corpus` has installed it), cut in 2, 3 and 8 parts, joins to
    /// the tree of its whole parse.
    #[test]
    fn every_yaml_document_at_hand_parsed_in_parts_is_the_document_parsed_whole() {
        let files = crate::yaml::tests::yaml_documents_at_hand();
        let mut split = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let Ok(whole) = yaml::parse(&text) else {
                continue;
            };
            for parts in [2, 3, 8] {
                if let Some(node) = parse_yaml_in_parts(&text, parts) {
                    assert_eq!(node, whole, "{} in {parts} parts", file.display());
                    split += 1;
                }
            }
        }
        assert!(split > 0, "no document was cut: {files:?}");
    }

    #[test]
    fn the_project_spec_is_parsed_in_parts_as_it_is_parsed_whole() {
        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/gtmhub.yaml"));
        assert!(text.len() > PARALLEL_YAML_BYTES);
        let whole = yaml::parse(text).unwrap();
        assert_eq!(parse_yaml_in_parts(text, 2), Some(whole));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let errors = load(spec("openapi: 3.0.3\ninfo: [\n")).err().unwrap();
        assert!(errors.0[0].location.is_some(), "{errors}");
        assert!(
            errors.0[0].message.starts_with("not valid YAML"),
            "{errors}"
        );
        let json = Spec {
            path: "t.json",
            text: "{\"openapi\": \"3.1.0\",\n \"info\": }",
        };
        let errors = load(json).err().unwrap();
        assert_eq!(errors.0[0].location, Some((2, 10)), "{errors}");
        assert!(
            errors.0[0].message.starts_with("not valid JSON"),
            "{errors}"
        );
    }

    #[test]
    fn pointers_are_located_in_json_and_block_yaml() {
        let json = "{\n  \"paths\": {\n    \"/a\": {\"get\": {\"responses\": 7}}\n  },\n  \"x\": [1, {\"y\": 2}]\n}";
        assert_eq!(locate(json, "/paths/~1a/get/responses"), Some((3, 33)));
        assert_eq!(locate(json, "/x/1/y"), Some((5, 18)));
        assert_eq!(locate(json, "/x/2"), None);
        let yaml = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      parameters:\n        - name: id\n          in: query\n        - name: q\n      responses: 7\n";
        assert_eq!(locate(yaml, "/paths/~1a/get/responses"), Some((9, 7)));
        assert_eq!(locate(yaml, "/paths/~1a/get/parameters/1"), Some((8, 9)));
        assert_eq!(
            locate(yaml, "/paths/~1a/get/parameters/0/in"),
            Some((7, 11))
        );
        assert_eq!(locate(yaml, "/paths/~1b"), None);
    }
}
