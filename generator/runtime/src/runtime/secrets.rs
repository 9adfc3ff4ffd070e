//! Secrets: a credential's value ([`Secret`]), and every secret a request
//! sent ([`SentSecrets`]), kept in one place so that each error, snippet
//! and redirect check that must not repeat them asks the same owner.
//!
//! A server may echo what it was sent (a validation error quoting the
//! input, a request id, a `Location`), in any of the forms a URL, a query
//! string or a form encodes it in; [`SentSecrets::blank`] and
//! [`SentSecrets::found_in`] look for all of them.

use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

/// A credential. Its value never appears in `Debug` or `Display` output.
/// Cheap to clone (shared), since every request that sends it keeps a
/// copy to blank it out of error text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into())
    }

    /// The credential itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value.into())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.into())
    }
}

/// The secrets a request sent (credentials, secret path values, sensitive
/// body fields, API keys in the query, what credential providers gave),
/// each once, in the order they were added. A request that sends none
/// holds nothing on the heap, one that sends one holds just that secret,
/// and copies (into errors, streams, a resumed request) share the list
/// rather than copy it. Never printed.
#[derive(Clone, Default)]
pub(crate) struct SentSecrets(Held);

#[derive(Clone, Default)]
enum Held {
    #[default]
    None,
    One(Secret),
    /// Two or more, shared by every copy.
    Many(Arc<[Secret]>),
}

impl SentSecrets {
    /// None: what a request that sends no secret holds.
    pub(crate) const NONE: SentSecrets = SentSecrets(Held::None);

    /// Adds `secret`, unless it is already here.
    pub(crate) fn add(&mut self, secret: Secret) {
        if self.as_slice().contains(&secret) {
            return;
        }
        self.0 = match std::mem::take(&mut self.0) {
            Held::None => Held::One(secret),
            Held::One(first) => Held::Many(Arc::from([first, secret])),
            Held::Many(all) => Held::Many(all.iter().cloned().chain([secret]).collect()),
        };
    }

    /// Adds each of `secrets` that is not already here.
    pub(crate) fn add_all(&mut self, secrets: impl IntoIterator<Item = Secret>) {
        for secret in secrets {
            self.add(secret);
        }
    }

    /// Adds each of `other` that is not already here (a copy of `other`,
    /// when nothing is).
    pub(crate) fn join(&mut self, other: &SentSecrets) {
        match self.0 {
            Held::None => *self = other.clone(),
            _ => self.add_all(other.iter().cloned()),
        }
    }

    pub(crate) fn as_slice(&self) -> &[Secret] {
        match &self.0 {
            Held::None => &[],
            Held::One(secret) => std::slice::from_ref(secret),
            Held::Many(all) => all,
        }
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, Secret> {
        self.as_slice().iter()
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self.0, Held::None)
    }

    /// `text` with every occurrence of a secret (as it is, and encoded as
    /// a URL, a query string or a form would carry it) replaced by `***`:
    /// servers echo what they were sent in places no key rule foresees (a
    /// message string, a debug dump of the request, a `Location`).
    pub(crate) fn blank(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for form in self.iter().flat_map(forms) {
            if text.contains(&form) {
                text = text.replace(&form, "***");
            }
        }
        text
    }

    /// Whether `text` (a redirect's target, say) holds one of the secrets,
    /// in one of the forms [`Self::blank`] blanks.
    pub(crate) fn found_in(&self, text: &str) -> bool {
        self.iter().flat_map(forms).any(|form| text.contains(&form))
    }
}

impl FromIterator<Secret> for SentSecrets {
    fn from_iter<I: IntoIterator<Item = Secret>>(secrets: I) -> Self {
        let mut sent = SentSecrets::default();
        sent.add_all(secrets);
        sent
    }
}

/// The forms a secret shows in text: as it is; percent-encoded as a path
/// or our own query carries it; form-encoded as a query string is (`~` as
/// `%7E`, a space as `+`); each encoding with upper- and lower-case hex,
/// as servers re-encode it either way. None for a secret too short to tell
/// from ordinary text.
fn forms(secret: &Secret) -> Vec<String> {
    let secret = secret.expose();
    if secret.len() < 4 {
        return Vec::new();
    }
    let mut forms = vec![secret.to_owned()];
    for (keep, space_as_plus) in [(&b"-._~"[..], false), (&b"-._*"[..], true)] {
        for lower in [false, true] {
            let form = encoded(secret, keep, space_as_plus, lower);
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
}

/// `text` with everything but ASCII letters, digits and `keep`
/// percent-encoded.
fn encoded(text: &str, keep: &[u8], space_as_plus: bool, lower: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(byte as char);
        } else if byte == b' ' && space_as_plus {
            out.push('+');
        } else if lower {
            let _ = write!(out, "%{byte:02x}");
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    /// Each secret is kept once, in the order first added, however many
    /// times (and from however many places) it is added; copies share it.
    #[test]
    fn secrets_are_kept_once_in_order() {
        let mut sent = SentSecrets::default();
        assert!(sent.is_empty());
        sent.add(Secret::new("tok-A"));
        sent.add(Secret::new("tok-A"));
        assert_eq!(sent.as_slice(), [Secret::new("tok-A")]);
        sent.add_all(["tok-B", "tok-A", "tok-C", "tok-B"].map(Secret::from));
        let copy = sent.clone();
        sent.add(Secret::new("tok-D"));
        let expose = |sent: &SentSecrets| -> Vec<String> {
            sent.iter().map(|s| s.expose().to_owned()).collect()
        };
        assert_eq!(expose(&copy), ["tok-A", "tok-B", "tok-C"]);
        assert_eq!(expose(&sent), ["tok-A", "tok-B", "tok-C", "tok-D"]);
    }

    #[test]
    fn secrets_are_found_however_a_url_or_form_encodes_them() {
        let sent: SentSecrets = [Secret::new("key~SECRET 1*")].into_iter().collect();
        for text in [
            "key~SECRET 1*",
            "?api_key=key%7ESECRET+1*",
            "?api_key=key%7eSECRET+1*",
            "/x/key~SECRET%201%2A",
            "/x/key~SECRET%201%2a",
        ] {
            assert!(sent.found_in(text), "{text}");
            assert!(!sent.blank(text).contains("SECRET"), "{text}");
        }
        assert!(!sent.found_in("key~OTHER"));
    }
}
