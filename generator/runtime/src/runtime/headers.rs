//! A request's headers: kept in a short list until an attempt copies them
//! into the `HeaderMap` it sends, and the checks a header name or value
//! from the generated code or a credential goes through.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// A request's own headers, in the order they were set. A list rather than
/// a `HeaderMap`: a request has a few, each attempt copies them into the
/// `HeaderMap` that `reqwest` sends, and setting and copying a short list
/// is less code on every call than the map's hashing and probing.
#[derive(Clone, Default)]
pub(super) struct Headers(Vec<(HeaderName, HeaderValue)>);

impl Headers {
    /// Sets `name` to `value`, in place of the value it had.
    pub(super) fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        match self.0.iter_mut().find(|(set, _)| *set == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    pub(super) fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.0
            .iter()
            .find(|(set, _)| set == name)
            .map(|(_, value)| value)
    }

    /// The headers as a `HeaderMap` with room for `room` more (`reqwest`
    /// adds `accept`, and a map that has to grow reallocates). More values
    /// than a map reserves room for (a hook may append any number to one
    /// name) start from an empty map rather than panic.
    pub(super) fn to_map(&self, room: usize) -> HeaderMap {
        let mut map =
            HeaderMap::try_with_capacity(self.0.len().saturating_add(room)).unwrap_or_default();
        for (name, value) in &self.0 {
            map.append(name.clone(), value.clone());
        }
        map
    }

    /// Every value of `map` (a hook may have appended more than one per
    /// name).
    pub(super) fn from_map(map: &HeaderMap) -> Self {
        Headers(
            map.iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        )
    }
}

/// A header name from the generated code, checked (it came from the spec),
/// or why it is not one.
pub(super) fn valid_header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))
}

/// A credential's header value, marked sensitive so that HTTP tooling does
/// not log it, or why it is not one.
pub(super) fn secret_header_value(name: &HeaderName, value: Bytes) -> Result<HeaderValue, String> {
    let mut header = HeaderValue::from_maybe_shared(value)
        .map_err(|_| format!("credential for header `{name}` is not a valid header value"))?;
    header.set_sensitive(true);
    Ok(header)
}

/// A content type from the generated code as a header value, without
/// copying it; `None` for one that is not valid in HTTP (it came from the
/// spec, so it is checked rather than trusted).
pub(super) fn static_header_value(text: &'static str) -> Option<HeaderValue> {
    /// The usual one, checked when this is compiled rather than per call.
    const JSON: HeaderValue = HeaderValue::from_static("application/json");
    if text == "application/json" {
        return Some(JSON);
    }
    text.bytes()
        .all(|b| (32..127).contains(&b) || b == b'\t')
        .then(|| HeaderValue::from_static(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header set again keeps its place and takes the new value, as
    /// `HeaderMap::insert` did; the map an attempt sends has every header
    /// in order, each value a hook appended, sensitive values still marked,
    /// and room for the two headers `reqwest` adds without growing.
    #[test]
    fn headers_set_again_are_replaced_and_every_value_is_sent() {
        use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
        let value = HeaderValue::from_static;
        let mut headers = Headers::default();
        headers.insert(CONTENT_TYPE, value("text/plain"));
        let mut token = value("Bearer a");
        token.set_sensitive(true);
        headers.insert(AUTHORIZATION, token);
        for name in ["x-a", "x-b", "x-c", "x-d"] {
            headers.insert(HeaderName::from_static(name), value("1"));
        }
        headers.insert(CONTENT_TYPE, value("application/json"));
        assert_eq!(headers.get(&CONTENT_TYPE), Some(&value("application/json")));
        assert_eq!(headers.get(&ACCEPT), None);
        let mut map = headers.to_map(2);
        let names: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
        assert_eq!(
            names,
            ["content-type", "authorization", "x-a", "x-b", "x-c", "x-d"]
        );
        assert_eq!(
            map.get_all(CONTENT_TYPE).iter().collect::<Vec<_>>(),
            [&value("application/json")]
        );
        let capacity = map.capacity();
        map.insert(ACCEPT, value("*/*"));
        map.insert(USER_AGENT, value("x"));
        assert_eq!(
            map.capacity(),
            capacity,
            "the map grew for reqwest's headers"
        );
        let mut hooked = headers.to_map(0);
        hooked.append(ACCEPT, value("a/b"));
        hooked.append(ACCEPT, value("c/d"));
        let sent = Headers::from_map(&hooked).to_map(0);
        assert_eq!(
            sent.get_all(ACCEPT).iter().collect::<Vec<_>>(),
            [&value("a/b"), &value("c/d")]
        );
        assert!(
            sent.get(AUTHORIZATION)
                .is_some_and(HeaderValue::is_sensitive),
            "the token lost its sensitive mark"
        );
    }
}
