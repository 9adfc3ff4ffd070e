//! The configuration file (`codegen.toml` beside a generated crate): what a
//! team decides about its client that the document does not say, such as
//! which operations it keeps, the derives its types carry, and the names
//! it prefers. `cargo xtask codegen` reads it. Library users build a
//! [`ClientConfig`] with [`ClientConfig::parse`], or fill one in, and pass
//! it in [`CrateOptions`](crate::CrateOptions).
//!
//! Every problem is an error that names the file, line and column: an
//! unknown key, a name that matches nothing in the document (with the
//! closest one that does), or a derive that cannot hold.

use serde::Deserialize;
use toml::Spanned;

/// A parsed configuration; `Default` changes nothing. Each table of the
/// file is a field (the file's name and text are not read from it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The file's name, for errors.
    #[serde(skip)]
    pub file: String,
    /// The file's text, to turn byte offsets into lines and columns.
    #[serde(skip)]
    text: String,
    #[serde(default)]
    pub operations: OperationFilter,
    #[serde(default)]
    pub derives: Derives,
    #[serde(default)]
    pub rename: Renames,
    /// Page helpers, by operation id or method name.
    #[serde(default)]
    pub pagination: indexmap::IndexMap<Spanned<String>, PaginationConfig>,
    /// Schemas whose type is the caller's, by the generated type's name.
    #[serde(default)]
    pub replace: indexmap::IndexMap<Spanned<String>, Replacement>,
    #[serde(default)]
    pub client: ClientLayout,
    #[serde(default)]
    pub formats: FormatCrates,
}

/// The Rust types of formatted strings (`[formats]`): which crate holds
/// them, or `"string"` for a plain `String`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatCrates {
    /// `format: date-time`: `"chrono"` (the default, `DateTime<Utc>`),
    /// `"jiff"` (`jiff::Timestamp`) or `"string"`.
    #[serde(default, rename = "date-time")]
    pub date_time: Option<Spanned<String>>,
    /// `format: date`: `"chrono"` (the default, `NaiveDate`), `"jiff"`
    /// (`jiff::civil::Date`) or `"string"`.
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    /// `format: uuid`: `"uuid"` (the default) or `"string"`.
    #[serde(default)]
    pub uuid: Option<Spanned<String>>,
    /// Decimals (`format: decimal`, and FastAPI's number-or-string
    /// `Decimal`): `"string"` (the default) or `"rust_decimal"`.
    #[serde(default)]
    pub decimal: Option<Spanned<String>>,
}

/// How the client lays out its methods (`[client]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientLayout {
    /// `"tag"`: each operation is a method of a group named after its
    /// first tag (`client.pets().list()`, and `mock.pets().list()` in the
    /// mocks); operations without a tag stay on `Client`. Unset: every
    /// operation is a method of `Client`.
    #[serde(default)]
    pub group_by: Option<Spanned<String>>,
    /// `false`: no notes about list operations that look paginated
    /// (see `[pagination]`).
    #[serde(default)]
    pub pagination_notes: Option<bool>,
}

/// How one list operation pages (`[pagination.listPets]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationConfig {
    /// `cursor` (the response names the next cursor), `link` (a
    /// `Link: <…>; rel="next"` header does), `offset` (the next page starts
    /// after the items read), `page` (pages are numbered), or `none` (the
    /// operation does not page: no helper, and no note suggesting one).
    pub style: Spanned<String>,
    /// The query parameter that says where a page starts (not for `none`).
    #[serde(default)]
    pub param: Option<Spanned<String>>,
    /// The response's property that holds the page's items; none when the
    /// response is the list.
    #[serde(default)]
    pub items: Option<Spanned<String>>,
    /// For `cursor`: the response's property that holds the next cursor.
    #[serde(default)]
    pub next: Option<Spanned<String>>,
    /// For `page`: the first page's number (default 1).
    #[serde(default)]
    pub first_page: Option<u64>,
    /// The most pages one walk reads (default 1000).
    #[serde(default)]
    pub max_pages: Option<u32>,
}

/// Which operations the client keeps. With any `include*` list, only
/// operations that match one of them; then none that match an `exclude*`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFilter {
    /// Operation ids (or the method names the client gives them).
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Tags, as the document's `tags` name them.
    #[serde(default)]
    pub include_tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude_tags: Vec<Spanned<String>>,
    /// Path templates, where `*` stands for any run of characters
    /// (`/repos/*`, `*/comments`).
    #[serde(default)]
    pub include_paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude_paths: Vec<Spanned<String>>,
}

impl OperationFilter {
    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
            && self.exclude.is_empty()
            && self.include_tags.is_empty()
            && self.exclude_tags.is_empty()
            && self.include_paths.is_empty()
            && self.exclude_paths.is_empty()
    }
}

/// Derives added to the generated types, beside the ones they always
/// have (`Debug`, `Clone`, `PartialEq`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derives {
    /// On every type where the derive can hold (`Eq` and `Hash` are left
    /// off a type that holds a float or any JSON value).
    #[serde(default)]
    pub all: Vec<Spanned<String>>,
    /// On one type (by its Rust name) and every type it holds; a derive
    /// that cannot hold there is an error.
    #[serde(default)]
    pub types: indexmap::IndexMap<Spanned<String>, Vec<Spanned<String>>>,
}

/// New names, by the name the generator would give (a type's Rust name,
/// an operation's id or method name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renames {
    #[serde(default)]
    pub types: indexmap::IndexMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub operations: indexmap::IndexMap<Spanned<String>, Spanned<String>>,
    /// `"Type.field"` (the field's Rust or wire name) to a new Rust name;
    /// the wire name stays.
    #[serde(default)]
    pub fields: indexmap::IndexMap<Spanned<String>, Spanned<String>>,
    /// `"Type.Variant"` to a new variant name (enums and unions).
    #[serde(default)]
    pub variants: indexmap::IndexMap<Spanned<String>, Spanned<String>>,
}

/// A schema's type replaced by one of the caller's (`[replace]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// The Rust path of the type (`geo_types::Point`); it must read and
    /// write the same JSON.
    #[serde(rename = "type")]
    pub path: Spanned<String>,
    /// The `[dependencies]` line the type needs (`geo-types = "0.7"`).
    #[serde(default)]
    pub dependency: Option<Spanned<String>>,
}

/// A problem in the configuration: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ClientConfig {
    /// Reads the TOML text of the file `file` (named in errors).
    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let mut config: ClientConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |span| span.start);
            let message = e.message().trim().to_owned();
            located(file, text, at, message)
        })?;
        config.file = file.to_owned();
        config.text = text.to_owned();
        Ok(config)
    }

    /// An error at the place `item` was written.
    pub fn error_at<T>(&self, item: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        located(&self.file, &self.text, item.span().start, message.into())
    }
}

fn located(file: &str, text: &str, at: usize, message: String) -> ConfigError {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ConfigError {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// `s` as a TOML basic string (for `Cargo.toml`, and for the lines the
/// generator's notes suggest for `codegen.toml`).
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `text` matches `pattern`, where `*` is any run of characters.
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_column() {
        let error =
            ClientConfig::parse("codegen.toml", "[operations]\ninclud = [\"a\"]\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 1));
        assert!(error.message.contains("unknown field `includ`"), "{error}");
        let config = ClientConfig::parse("c.toml", "[rename.types]\nPet = \"Animal\"\n").unwrap();
        let (key, _) = config.rename.types.first().unwrap();
        let error = config.error_at(key, "no such type");
        assert_eq!(error.to_string(), "c.toml:2:1: no such type");
    }

    #[test]
    fn globs() {
        assert!(glob_matches("/repos/*", "/repos/{owner}/{repo}"));
        assert!(glob_matches("*/comments", "/issues/{id}/comments"));
        assert!(glob_matches("/a/*/c/*", "/a/b/c/d"));
        assert!(glob_matches("/exact", "/exact"));
        assert!(!glob_matches("/exact", "/exact/more"));
        assert!(!glob_matches("/repos/*", "/users"));
    }
}
