//! A request's path: built from the pieces of its template in order (the
//! generated operations call `path_piece` and `path_param`, see
//! `request.rs`), with the path errors show beside the one that is sent.

use std::borrow::Cow;

use super::params::{self, Style};

/// The path of a request: its template, the path that is sent and, when a
/// piece of it is secret, the path errors show.
#[derive(Clone)]
pub(super) struct RequestPath {
    /// The template, as tracing and hooks show it: the filled path may
    /// hold ids that are personal data.
    template: &'static str,
    /// The path that is sent: the template, until the first piece of a
    /// templated path replaces it.
    sent: Cow<'static, str>,
    /// The path errors show, when it differs (a secret value as `***`).
    shown: Option<String>,
}

impl RequestPath {
    pub(super) fn new(template: &'static str) -> Self {
        RequestPath {
            template,
            sent: Cow::Borrowed(template),
            shown: None,
        }
    }

    pub(super) fn template(&self) -> &'static str {
        self.template
    }

    /// The path that is sent: the template itself (borrowed, so the
    /// client may keep its URL), or the path built from its pieces.
    pub(super) fn sent(&self) -> &Cow<'static, str> {
        &self.sent
    }

    /// The path as errors show it.
    pub(super) fn shown(&self) -> String {
        match &self.shown {
            Some(shown) => shown.clone(),
            None => self.sent.to_string(),
        }
    }

    /// The path as errors show it, for a request that is done.
    pub(super) fn into_shown(self) -> Cow<'static, str> {
        match self.shown {
            Some(shown) => Cow::Owned(shown),
            None => self.sent,
        }
    }

    /// Appends text, literal or a value, that errors may show.
    pub(super) fn push(&mut self, text: &str) {
        self.filled().push_str(text);
        if let Some(shown) = &mut self.shown {
            shown.push_str(text);
        }
    }

    /// Appends a value that errors show as `***`.
    pub(super) fn push_secret(&mut self, text: &str) {
        let shown = match self.shown.take() {
            Some(shown) => shown,
            None => self.filled().clone(),
        };
        self.filled().push_str(text);
        self.shown = Some(shown + "***");
    }

    /// The path being built from its pieces: empty at the first piece (the
    /// template stood for the path until then).
    fn filled(&mut self) -> &mut String {
        if let Cow::Borrowed(template) = self.sent {
            self.sent = Cow::Owned(String::with_capacity(template.len() + 24));
        }
        self.sent.to_mut()
    }
}

/// A path parameter's value written in its style and percent-encoded, or
/// why it cannot be sent. A value that would move the request to another
/// resource is refused: empty, `.` and `..` values, since the URL parser
/// would drop or climb their segment (`%2e` is a dot to it too).
pub(super) fn value_text(
    name: &str,
    value: &impl serde::Serialize,
    style: Style,
    explode: bool,
) -> Result<String, String> {
    let flat = params::flatten(value)?;
    let text = params::path_text(name, &flat, style, explode);
    let value = text
        .strip_prefix(params::path_prefix(style))
        .unwrap_or(&text);
    if value.is_empty() || params::is_dot_segment(value) {
        let shown = if value.is_empty() {
            "empty"
        } else {
            "`.` or `..`"
        };
        return Err(format!(
            "path parameter `{name}` is {shown}, which would change the path"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces make the path in order; the template is not searched
    /// (a `{name}` that is literal text stays as it is).
    #[test]
    fn paths_are_built_from_their_pieces() {
        let mut path = RequestPath::new("/a/{x}/b{y}.json");
        path.push("/a/");
        path.push(&value_text("x", &"1 2", Style::Simple, false).unwrap_or_else(|e| panic!("{e}")));
        path.push("/b");
        path.push(
            &value_text("y", &["p", "q"], Style::Label, false).unwrap_or_else(|e| panic!("{e}")),
        );
        path.push(".json");
        assert_eq!(path.sent(), "/a/1%202/b.p,q.json");
        assert_eq!(path.shown(), "/a/1%202/b.p,q.json");
        assert_eq!(path.template(), "/a/{x}/b{y}.json");
        let untouched = RequestPath::new("/literal/{braces}");
        assert_eq!(untouched.sent(), "/literal/{braces}");
        assert!(matches!(untouched.sent(), Cow::Borrowed(_)));
    }

    #[test]
    fn secret_pieces_show_as_stars() {
        let mut path = RequestPath::new("/invites/{token}/{n}");
        path.push("/invites/");
        path.push_secret("inv-SECRET");
        path.push("/7");
        assert_eq!(path.sent(), "/invites/inv-SECRET/7");
        assert_eq!(path.shown(), "/invites/***/7");
        assert_eq!(path.into_shown(), "/invites/***/7");
    }

    #[test]
    fn values_that_change_the_path_are_refused() {
        for (value, why) in [("", "empty"), (".", "`.` or `..`"), ("..", "`.` or `..`")] {
            let error = value_text("id", &value, Style::Simple, false)
                .err()
                .unwrap_or_else(|| panic!("{value:?} was accepted"));
            assert!(error.contains(why), "{value:?}: {error}");
        }
        // A label's prefix is not part of the value it checks.
        assert!(value_text("id", &"..", Style::Label, false).is_err());
        assert!(value_text("id", &"a.b", Style::Simple, false).is_ok());
    }
}
