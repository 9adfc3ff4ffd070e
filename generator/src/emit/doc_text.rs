//! Text from the document as rustdoc reads it. Descriptions are Markdown,
//! and rustdoc gives some Markdown a meaning of its own: a bare URL warns,
//! and a code block without a language (fenced with backticks or tildes,
//! or indented) is Rust that `cargo test` compiles and runs as a doctest.
//! No text from a document may ever run, so every code block in it becomes
//! a `text` block, whatever its language said.

/// `text` made safe for rustdoc: every code block a `text` block (an
/// unclosed one closed), bare URLs in angle brackets, other lines without
/// their indentation.
pub(crate) fn escape_doc(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<Fence> = None;
    let mut indented = false;
    let mut after_blank = true;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if open.closed_by(trimmed) {
                out.push_str(&open.marker());
                fence = None;
            } else {
                out.push_str(line);
            }
            out.push('\n');
            continue;
        }
        let blank = trimmed.is_empty();
        let in_code = line.starts_with("    ") || line.starts_with('\t');
        if indented && !in_code && !blank {
            out.push_str("```\n");
            indented = false;
        }
        if let Some(open) = Fence::opened_by(trimmed) {
            out.push_str(&open.marker());
            out.push_str("text\n");
            fence = Some(open);
        } else if indented || (in_code && after_blank && !blank) {
            // An indented code block: fenced as text, its indentation gone.
            if !indented {
                out.push_str("```text\n");
                indented = true;
            }
            let code = line
                .strip_prefix('\t')
                .or_else(|| line.strip_prefix("    "));
            out.push_str(code.unwrap_or(trimmed));
            out.push('\n');
        } else {
            out.push_str(&wrap_urls(trimmed));
            out.push('\n');
        }
        after_blank = blank;
    }
    if let Some(open) = fence {
        out.push_str(&open.marker());
    }
    if indented {
        out.push_str("```");
    }
    out.trim_end().to_owned()
}

/// The first line of prose in `text` (not blank, not a code fence), made
/// safe like [`escape_doc`], for a one-line summary.
pub(crate) fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && Fence::opened_by(line).is_none())
        .unwrap_or_default();
    wrap_urls(line)
}

/// An open code fence: its character and length.
#[derive(Clone, Copy)]
struct Fence {
    mark: char,
    len: usize,
}

impl Fence {
    /// The fence a line opens: three or more backticks or tildes (a
    /// backtick fence's info string has no backtick, or it is inline code).
    fn opened_by(line: &str) -> Option<Fence> {
        let mark = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let len = line.chars().take_while(|c| *c == mark).count();
        let info = &line[len..];
        (len >= 3 && !(mark == '`' && info.contains('`'))).then_some(Fence { mark, len })
    }

    /// Whether `line` closes this fence: at least as many of its
    /// characters, and nothing else.
    fn closed_by(self, line: &str) -> bool {
        let run = line.chars().take_while(|c| *c == self.mark).count();
        run >= self.len && line[run..].trim().is_empty()
    }

    fn marker(self) -> String {
        std::iter::repeat_n(self.mark, self.len).collect()
    }
}

/// `https://x` → `<https://x>` so rustdoc links it instead of warning.
fn wrap_urls(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = (word.starts_with("http://") || word.starts_with("https://"))
            && !word.contains(['<', '>', '(', ')', '[', ']', '`']);
        if bare {
            let trimmed = word.trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(trimmed);
            out.push('>');
            out.push_str(&word[trimmed.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_doc;

    #[test]
    fn urls_are_linked() {
        assert_eq!(
            escape_doc("see https://example.com."),
            "see <https://example.com>."
        );
    }

    #[test]
    fn every_fenced_block_is_text() {
        assert_eq!(
            escape_doc("```\nlet x = 1;\n```"),
            "```text\nlet x = 1;\n```"
        );
        // A language, even Rust's, does not make it run.
        assert_eq!(
            escape_doc("```rust\nfn main() {}\n```"),
            "```text\nfn main() {}\n```"
        );
        assert_eq!(escape_doc("```json\n{}"), "```text\n{}\n```");
        assert_eq!(
            escape_doc("~~~\ncurl -X POST x\n~~~"),
            "~~~text\ncurl -X POST x\n~~~"
        );
        // A longer fence holds shorter ones; it closes only on its own.
        assert_eq!(
            escape_doc("````\n```\ninner\n```\n````\nafter"),
            "````text\n```\ninner\n```\n````\nafter"
        );
        // Indented fences, as inside a list item.
        assert_eq!(
            escape_doc("- step:\n  ```\n  curl x\n  ```"),
            "- step:\n```text\n  curl x\n```"
        );
        // Inline code is not a fence.
        assert_eq!(escape_doc("```a``` b"), "```a``` b");
    }

    #[test]
    fn a_summary_line_is_prose() {
        assert_eq!(super::first_line("```\nthe id\n```"), "the id");
        assert_eq!(
            super::first_line("\nSee https://x.io.\nMore."),
            "See <https://x.io>."
        );
    }

    #[test]
    fn indented_blocks_are_text() {
        assert_eq!(
            escape_doc("    indented code"),
            "```text\nindented code\n```"
        );
        assert_eq!(
            escape_doc("Example:\n\n    curl -H 'x: y' \\\n      https://api\n\nDone."),
            "Example:\n\n```text\ncurl -H 'x: y' \\\n  https://api\n\n```\nDone."
        );
        // A continuation line of a paragraph is not code.
        assert_eq!(escape_doc("first\n    second"), "first\nsecond");
    }
}
