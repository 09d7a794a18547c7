//! Doc comments (placeholders the formatter fills in), and spec text made safe for rustdoc.
//!
//! Text the generator writes itself (with its intra-doc links) goes into [`outer`] as is; text
//! from the spec goes through [`spec_text`] first. Spec descriptions are markdown written for
//! web pages. Before they become rustdoc, bare URLs
//! are wrapped in `<…>`, brackets that are not links and `<` are escaped (rustdoc would read
//! them as intra-doc links and HTML tags), indentation that would start a code block is
//! dropped, and fences without a language are marked `text` so they are never compiled as
//! doctests.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::quote;

thread_local! {
    /// The doc lines of the job being emitted on this thread, by placeholder number.
    static DOCS: RefCell<Vec<Vec<String>>> = const { RefCell::new(Vec::new()) };
}

/// Opens a placeholder in a doc attribute (`#[doc = "\u{7}12"]`). Docs are most of a
/// generated file's text; as placeholders they are neither escaped into string literals, nor
/// parsed back by `syn`, nor measured by prettyplease: the formatter puts the lines in place
/// of each printed `///\u{7}12` (see `format`). Doc text never holds the character itself.
pub(crate) const PLACEHOLDER: char = '\u{7}';

/// The doc lines registered on this thread since the last call, by placeholder number, for
/// the formatter. Called before a job is emitted (to start afresh) and after.
pub(crate) fn take() -> Vec<Vec<String>> {
    DOCS.with(|docs| std::mem::take(&mut *docs.borrow_mut()))
}

/// The placeholder standing for the lines of `paragraphs`, registered on this thread; `None`
/// when there is nothing to say.
fn placeholder(paragraphs: &[String]) -> Option<String> {
    let lines = lines(paragraphs);
    if lines.is_empty() {
        return None;
    }
    Some(DOCS.with(|docs| {
        let mut docs = docs.borrow_mut();
        docs.push(lines);
        format!("{PLACEHOLDER}{}", docs.len() - 1)
    }))
}

/// Outer doc attributes (`///`) for the given paragraphs: one attribute holding a placeholder.
pub(crate) fn outer(paragraphs: &[String]) -> TokenStream {
    placeholder(paragraphs).map_or_else(TokenStream::new, |text| quote!(#[doc = #text]))
}

/// Inner doc attributes (`//!`) for the given paragraphs.
pub(crate) fn inner(paragraphs: &[String]) -> TokenStream {
    placeholder(paragraphs).map_or_else(TokenStream::new, |text| quote!(#![doc = #text]))
}

/// The doc lines, each with the leading space that makes `/// text` rather than `///text`,
/// and an empty line between paragraphs.
fn lines(paragraphs: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (index, paragraph) in paragraphs.iter().enumerate() {
        if index > 0 {
            out.push(String::new());
        }
        for line in paragraph.lines() {
            let line = line.trim_end();
            out.push(if line.is_empty() {
                String::new()
            } else if line.contains(PLACEHOLDER) {
                format!(" {}", line.replace(PLACEHOLDER, " "))
            } else {
                format!(" {line}")
            });
        }
    }
    out
}

/// Spec markdown made safe for rustdoc: indentation dropped, fences marked `text`, and each
/// line sanitized (see the module docs).
pub(crate) fn spec_text(text: &str) -> String {
    // A bare CR is not allowed in a doc comment; other control characters mean nothing there.
    // The common case: one plain line, nothing to normalise.
    if !text.contains(|c: char| c.is_control() || matches!(c, '<' | '`' | '\u{2028}' | '\u{2029}'))
    {
        return sanitize(text.trim());
    }
    let text: String = text
        .replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => '\n',
            '\t' | '\n' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        // Tabs render differently everywhere; rustdoc and clippy want spaces.
        .replace('\t', "    ");
    let text = line_breaks_to_newlines(&text);
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut in_list = false;
    for line in text.lines() {
        let trimmed = line.trim();
        let item = is_list_item(trimmed);
        // A line right after a list item that is not an item itself would continue the item
        // lazily; the authors mean a new paragraph.
        if !in_fence && in_list && !item && !trimmed.is_empty() && !trimmed.starts_with("```") {
            out.push(String::new());
        }
        in_list = !in_fence && item;
        if trimmed.is_empty() {
            in_list = false;
        }
        if trimmed.starts_with("```") {
            let opening = !in_fence;
            in_fence = !in_fence;
            out.push(if opening && trimmed == "```" {
                "```text".to_owned()
            } else {
                trimmed.to_owned()
            });
        } else if in_fence {
            out.push(line.to_owned());
        } else {
            out.push(sanitize(trimmed));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out.join("\n")
}

/// HTML line breaks (`<br>`, `<br/>`, `<br />`, any case), which descriptions written for web
/// renderers use between lines, become the line breaks they mean instead of escaped tags.
fn line_breaks_to_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let len = ["<br>", "<br/>", "<br />"]
            .iter()
            .find(|form| {
                tag.get(..form.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(form))
            })
            .map(|form| form.len());
        match len {
            Some(len) => {
                out.push('\n');
                rest = &tag[len..];
            }
            None => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a markdown line starts a list item (`- `, `* `, `+ `, `1. `, `1) `).
fn is_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Spec markdown as one line, for list items (a line break inside a list item would end it,
/// or indent the rest as a code block).
pub(crate) fn one_line(text: &str) -> String {
    let text = spec_text(text.trim());
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ")
}

/// `text` as an inline code span, with a fence longer than any run of backticks inside.
pub(crate) fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

/// Makes one line of spec markdown safe for rustdoc (see the module docs).
pub(crate) fn sanitize(line: &str) -> String {
    // Most lines have nothing to change.
    if !line.contains(['`', '[', ']', '<', '>']) && !line.contains("http") {
        return line.to_owned();
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Code spans are copied untouched.
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&x| x == '`').count();
            let closing = (i + run..chars.len()).find(|&j| {
                chars[j..].iter().take_while(|&&x| x == '`').count() == run
                    && (j == 0 || chars[j - 1] != '`')
            });
            match closing {
                Some(end) => {
                    out.extend(&chars[i..end + run]);
                    i = end + run;
                }
                None => {
                    // A lone backtick: escape it so it does not swallow the rest.
                    for _ in 0..run {
                        out.push_str("\\`");
                    }
                    i += run;
                }
            }
            continue;
        }
        // A markdown link `[text](target)` is kept as written.
        if c == '['
            && let Some(len) = link_len(&chars[i..])
        {
            out.extend(&chars[i..i + len]);
            i += len;
            continue;
        }
        // An autolink `<https://…>` is kept as written.
        if c == '<'
            && let Some(len) = autolink_len(&chars[i..])
        {
            out.extend(&chars[i..i + len]);
            i += len;
            continue;
        }
        if starts_url(&chars[i..]) {
            let len = url_len(&chars[i..]);
            out.push('<');
            out.extend(&chars[i..i + len]);
            out.push('>');
            i += len;
            continue;
        }
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn starts_url(chars: &[char]) -> bool {
    let starts = |prefix: &str| {
        chars.len() >= prefix.len() && chars.iter().zip(prefix.chars()).all(|(a, b)| *a == b)
    };
    chars.first() == Some(&'h') && (starts("https://") || starts("http://"))
}

/// Length of a URL: up to whitespace, without trailing punctuation.
fn url_len(chars: &[char]) -> usize {
    let mut len = chars
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | '`'))
        .count();
    while len > 0
        && matches!(
            chars[len - 1],
            '.' | ',' | ';' | ':' | ')' | ']' | '!' | '?' | '\''
        )
    {
        len -= 1;
    }
    len
}

fn autolink_len(chars: &[char]) -> Option<usize> {
    if !starts_url(&chars[1..]) {
        return None;
    }
    let close = chars.iter().position(|&c| c == '>')?;
    chars[1..close]
        .iter()
        .all(|c| !c.is_whitespace())
        .then_some(close + 1)
}

/// Length of `[text](target)` starting at `chars[0] == '['`, if it is one.
fn link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|&c| c == ']')?;
    if chars[1..close].contains(&'[') || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 1..].iter().position(|&c| c == ')')? + close + 1;
    let target: String = chars[close + 2..end].iter().collect();
    let is_url =
        target.starts_with("https://") || target.starts_with("http://") || target.starts_with('#');
    (is_url && !target.contains(char::is_whitespace)).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            sanitize("see https://a.example/x."),
            "see <https://a.example/x>."
        );
        assert_eq!(sanitize("<https://a.example/x>"), "<https://a.example/x>");
    }

    #[test]
    fn markdown_links_are_kept() {
        let line = "see [Gtmhub to sunset Announcements](https://quantive.com/x)";
        assert_eq!(sanitize(line), line);
    }

    #[test]
    fn stray_brackets_and_angles_are_escaped() {
        assert_eq!(sanitize("@[Mariya:602a]"), "@\\[Mariya:602a\\]");
        assert_eq!(sanitize("a <token> b"), "a &lt;token&gt; b");
        assert_eq!(sanitize("[x](not a url)"), "\\[x\\](not a url)");
    }

    #[test]
    fn html_line_breaks_become_line_breaks_and_lines_keep_their_semicolons() {
        assert_eq!(
            spec_text("Get several.<br />**Note:** only US.<BR>End<br/>"),
            "Get several.\n**Note:** only US.\nEnd"
        );
        assert_eq!(spec_text("a <b>bold</b>"), "a &lt;b&gt;bold&lt;/b&gt;");
    }

    #[test]
    fn code_spans_are_untouched() {
        assert_eq!(sanitize("use `[a]` and `<b>`"), "use `[a]` and `<b>`");
        assert_eq!(sanitize("a ` b"), "a \\` b");
    }

    #[test]
    fn indentation_and_fences_cannot_become_doctests() {
        let docs = spec_text("text\n    indented\n```\nlet x = 1;\n```");
        assert_eq!(docs, "text\nindented\n```text\nlet x = 1;\n```");
        assert!(spec_text("```\ncode").ends_with("\n```"));
    }

    #[test]
    fn lists_end_before_a_line_that_is_not_an_item() {
        let docs = spec_text("For example:\n* a\n* b\nAfter the list.\n1. one\n> quote");
        assert_eq!(
            docs,
            "For example:\n* a\n* b\n\nAfter the list.\n1. one\n\n&gt; quote"
        );
    }

    #[test]
    fn carriage_returns_and_control_characters_are_not_kept() {
        assert_eq!(spec_text("a\rb\r\nc\u{7}d"), "a\nb\nc d");
    }

    #[test]
    fn code_spans_survive_backticks_inside() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn paragraphs_are_separated_by_a_blank_line() {
        assert_eq!(lines(&["a".into(), "b".into()]), vec![" a", "", " b"]);
    }
}
