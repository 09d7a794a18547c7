//! `cargo xtask spec`: publishes the spec to `dist/` for other teams: one self-contained YAML
//! document, the same document as JSON, and a single-file HTML API reference that works with no
//! network. All three are built with the pinned Redocly CLI and checked before they land.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::tools;

/// Where the published files go, relative to the repository root (ignored by git).
pub const DIST_DIR: &str = "dist";
/// The bundled spec as YAML, inside [`DIST_DIR`].
pub const YAML_NAME: &str = "gtmhub.yaml";
/// The bundled spec as JSON, inside [`DIST_DIR`].
pub const JSON_NAME: &str = "gtmhub.json";
/// The HTML API reference, inside [`DIST_DIR`].
pub const HTML_NAME: &str = "index.html";
/// The screenshot of the reference that the browser test saves, inside [`DIST_DIR`].
pub const SCREENSHOT_NAME: &str = "reference.png";

/// The Content-Security-Policy the reference page carries. The page's scripts and styles are
/// inline; images and fonts may only be inline data; nothing may be fetched. Redoc's bundle
/// still holds a few URLs of its own (the "API docs by Redocly" logo, an icon CDN, a telemetry
/// endpoint that the build already disables), and this policy makes the browser refuse them
/// instead of reaching out, so the page behaves the same online and offline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; \
     base-uri 'none'; form-action 'none'";

/// Redocly's default build-docs template (Redocly CLI 2.77.0) with the policy above added. When
/// Redocly CLI is upgraded, compare this with the new version's default template.
fn page_template() -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">

<head>
  <meta charset="utf8" />
  <meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
  <title>{{{{title}}}}</title>
  <!-- needed for adaptive design -->
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>
    body {{
      padding: 0;
      margin: 0;
    }}
  </style>
  {{{{{{redocHead}}}}}}
</head>

<body>
  {{{{{{redocHTML}}}}}}
</body>

</html>
"#
    )
}

/// The files [`publish`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `dist/`.
    pub dir: PathBuf,
    /// `dist/gtmhub.yaml`: the spec as one YAML document with no external `$ref`s.
    pub yaml: PathBuf,
    /// `dist/gtmhub.json`: the same document as JSON.
    pub json: PathBuf,
    /// `dist/index.html`: the offline HTML API reference.
    pub html: PathBuf,
}

impl Published {
    /// Where the browser test saves its screenshot of the reference.
    pub fn screenshot(&self) -> PathBuf {
        self.dir.join(SCREENSHOT_NAME)
    }

    /// One line per file written, with its size, paths relative to `root`.
    pub fn summary(&self, root: &Path) -> String {
        let mut text = String::new();
        for (path, what) in [
            (&self.yaml, "bundled spec, YAML"),
            (&self.json, "bundled spec, JSON"),
            (&self.html, "offline API reference"),
        ] {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or_default();
            let shown = path.strip_prefix(root).unwrap_or(path).display();
            let _ = writeln!(text, "wrote {shown} ({what}, {} KiB)", size.div_ceil(1024));
        }
        text.push_str("the bundled spec passes redocly lint and openapi-spec-validator");
        text
    }
}

/// Builds `dist/` from the spec: bundles it into YAML and JSON with Redocly (external `$ref`s
/// inlined, internal component `$ref`s kept), lints both bundles with the pinned linters, and
/// builds the HTML reference from the YAML bundle with Redoc's scripts inlined.
///
/// Everything is built in a staging directory first and moved into `dist/` only when all of it
/// passed its checks, so a failed run leaves the previous files untouched. The output depends
/// only on the spec and the pinned tools; running it again rewrites the same bytes.
pub fn publish(root: &Path) -> anyhow::Result<Published> {
    tools::ensure_node_tools(root)?;
    let dir = root.join(DIST_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let staging = Staging::new(&dir)?;
    let stage = |name: &str| staging.0.join(name);

    for name in [YAML_NAME, JSON_NAME] {
        tools::run_redocly(root, &format!("bundling the spec into {name}"), |command| {
            command
                .args(["bundle", crate::SPEC_PATH, "--output"])
                .arg(stage(name));
        })?;
    }
    let json = std::fs::read_to_string(stage(JSON_NAME)).context("reading the JSON bundle")?;
    if let Some(external) = external_refs(&json).first() {
        bail!("the bundle still has an external $ref: {external}");
    }
    for name in [YAML_NAME, JSON_NAME] {
        tools::lint_spec(root, &stage(name))
            .with_context(|| format!("linting the bundle {name}"))?;
    }

    let template = stage("template.hbs");
    std::fs::write(&template, page_template()).context("writing the page template")?;
    tools::run_redocly(root, "building the HTML reference", |command| {
        command
            .arg("build-docs")
            .arg(stage(YAML_NAME))
            .arg("--output")
            .arg(stage(HTML_NAME))
            .arg("--inlineBundle")
            .arg("--template")
            .arg(&template);
    })?;
    let html = std::fs::read_to_string(stage(HTML_NAME)).context("reading the HTML reference")?;
    let problems = offline_problems(&html);
    if !problems.is_empty() {
        bail!(
            "the HTML reference would need the network:\n  {}",
            problems.join("\n  ")
        );
    }

    let published = Published {
        yaml: dir.join(YAML_NAME),
        json: dir.join(JSON_NAME),
        html: dir.join(HTML_NAME),
        dir,
    };
    for (name, target) in [
        (YAML_NAME, &published.yaml),
        (JSON_NAME, &published.json),
        (HTML_NAME, &published.html),
    ] {
        std::fs::rename(stage(name), target)
            .with_context(|| format!("moving {name} into {}", target.display()))?;
    }
    Ok(published)
}

/// A scratch directory inside `dist/` (so the final renames stay on one file system), removed
/// when dropped.
struct Staging(PathBuf);

impl Staging {
    fn new(dist: &Path) -> anyhow::Result<Self> {
        let dir = dist.join(format!(".{}", tools::unique_name("staging")));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `$ref` values in a JSON document that point outside it: in a self-contained bundle every
/// reference starts with `#`. Only keys count: a `"$ref"` inside a string (an example, say) has
/// escaped quotes, and a key `$ref` whose value is not a string (a schema property named `$ref`)
/// is no reference. The YAML bundle is the same document, which the workspace test checks.
pub fn external_refs(json: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, key) in json.match_indices("\"$ref\"") {
        let is_key = json[..index].trim_end().ends_with(['{', ',']);
        let Some(value) = json[index + key.len()..].trim_start().strip_prefix(':') else {
            continue;
        };
        let Some(value) = value.trim_start().strip_prefix('"') else {
            continue;
        };
        let mut end = 0;
        let mut escaped = false;
        for (at, c) in value.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        let target = &value[..end];
        if is_key && !target.starts_with('#') {
            found.push(target.to_owned());
        }
    }
    found
}

/// Everything in a built reference page that would make a browser reach the network, or the
/// missing Content-Security-Policy that stops the page's scripts from doing so.
///
/// Script bodies are skipped (they are inline code, not markup); their opening tags must not load
/// a file, and the rest of the markup and the inline styles are checked for external scripts, style sheets, images,
/// frames, fonts and `@import`s. Plain links (`<a href>`) only navigate when clicked and are
/// allowed.
pub fn offline_problems(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let policy = format!(
        r#"<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">"#
    );
    if !html.contains(&policy) {
        problems.push("the Content-Security-Policy meta tag is missing".to_owned());
    }
    let mut markup = String::with_capacity(html.len() / 8);
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let open_end = rest[start..]
            .find('>')
            .map_or(rest.len(), |i| start + i + 1);
        let opening = &rest[start..open_end];
        if opening.contains("src=") {
            problems.push(format!("external script: {opening}"));
        }
        markup.push_str(&rest[..start]);
        rest = match rest[open_end..].find("</script") {
            Some(close) => &rest[open_end + close..],
            None => "",
        };
    }
    markup.push_str(rest);
    let lower = markup.to_ascii_lowercase();
    for (needle, what) in [
        ("<link", "a <link> (style sheet, font or preload)"),
        ("<iframe", "a frame"),
        ("@import", "a CSS @import"),
        ("url(http", "a CSS url() to the network"),
        ("url('http", "a CSS url() to the network"),
        ("url(\"http", "a CSS url() to the network"),
        ("url(//", "a CSS url() to the network"),
        (" src=\"http", "an element loading from the network"),
        (" src=\"//", "an element loading from the network"),
        (" srcset=\"http", "an image loading from the network"),
    ] {
        if let Some(at) = lower.find(needle) {
            let tag = &markup[at..];
            let tag = tag.find('>').map_or(tag, |end| &tag[..=end]);
            let excerpt: String = tag.chars().take(120).collect();
            problems.push(format!("{what}: {excerpt}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_refs_finds_file_and_url_refs_but_not_local_ones() {
        let json = r##"{"a": {"$ref": "#/x"}, "b": {"$ref": "./b.json#/B"},
            "c": {"$ref" : "https://example.com/c.yaml"}, "d": "say \"$ref\": \"y\"",
            "e": {"example": {"x": "{\"$ref\": \"z.json\"}"}},
            "properties": {"$ref": {"type": "string"}}}"##;
        assert_eq!(
            external_refs(json),
            ["./b.json#/B", "https://example.com/c.yaml"]
        );
    }

    #[test]
    fn offline_problems_accepts_inline_pages_and_names_network_dependencies() {
        let head = format!(
            r#"<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">"#
        );
        let inline = format!(
            "<html><head>{head}<style>.a{{color:red}}</style></head><body>\
             <a href=\"https://redocly.com/\">docs</a><script type=\"module\">\
             const s = '<link href=\"https://cdn\">'; img.src=\"https://cdn/logo.svg\";</script>\
             </body></html>"
        );
        assert_eq!(offline_problems(&inline), Vec::<String>::new());

        let cdn = format!(
            "<html><head>{head}<link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css\">\
             </head><body><script src=\"https://cdn.redocly.com/redoc.js\"></script></body></html>"
        );
        let problems = offline_problems(&cdn);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].starts_with("external script"), "{problems:#?}");
        assert!(
            problems[1].contains("fonts.googleapis.com"),
            "{problems:#?}"
        );

        let no_policy = "<html><head></head><body><script>1</script></body></html>";
        assert_eq!(
            offline_problems(no_policy),
            ["the Content-Security-Policy meta tag is missing"]
        );
    }

    #[test]
    fn the_template_keeps_redoclys_placeholders() {
        let template = page_template();
        for placeholder in ["{{title}}", "{{{redocHead}}}", "{{{redocHTML}}}"] {
            assert!(template.contains(placeholder), "{template}");
        }
        assert!(template.contains("body {\n      padding: 0;"), "{template}");
    }
}
