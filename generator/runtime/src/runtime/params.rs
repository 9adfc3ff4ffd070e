//! Parameter serialisation: OpenAPI's `style` and `explode` for path and
//! query parameters.

/// How a parameter value is written (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Path and header default: `a,b`.
    Simple,
    /// Path: `.a.b`.
    Label,
    /// Path: `;name=a;name=b`.
    Matrix,
    /// Query and cookie default: `name=a&name=b` or `name=a,b`.
    Form,
    /// Query arrays: `name=a b`.
    SpaceDelimited,
    /// Query arrays: `name=a|b`.
    PipeDelimited,
    /// Query objects: `name[key]=value`.
    DeepObject,
}

/// A parameter value reduced to text: absent (`None`), one scalar, a list
/// (arrays), or key/value pairs (objects; nested values as compact JSON).
pub(crate) enum Flat {
    Absent,
    Scalar(String),
    List(Vec<String>),
    Pairs(Vec<(String, String)>),
}

impl Flat {
    /// Every piece of text in the value (keys and values of pairs).
    pub(crate) fn pieces(&self) -> impl Iterator<Item = &str> {
        let (one, many, pairs): (Option<&String>, &[String], &[(String, String)]) = match self {
            Flat::Absent => (None, &[], &[]),
            Flat::Scalar(v) => (Some(v), &[], &[]),
            Flat::List(items) => (None, items, &[]),
            Flat::Pairs(pairs) => (None, &[], pairs),
        };
        one.into_iter()
            .chain(many)
            .chain(pairs.iter().flat_map(|(k, v)| [k, v]))
            .map(String::as_str)
    }
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

pub(crate) fn flatten(value: &impl serde::Serialize) -> Result<Flat, String> {
    let value =
        serde_json::to_value(value).map_err(|e| format!("parameter does not serialise: {e}"))?;
    Ok(match &value {
        serde_json::Value::Null => Flat::Absent,
        serde_json::Value::Array(items) => Flat::List(items.iter().filter_map(scalar).collect()),
        serde_json::Value::Object(map) => Flat::Pairs(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), scalar(v)?)))
                .collect(),
        ),
        other => Flat::Scalar(scalar(other).unwrap_or_default()),
    })
}

/// A path parameter's text, each value percent-encoded, the separators its
/// style asks for left as they are.
pub(crate) fn path_text(name: &str, flat: &Flat, style: Style, explode: bool) -> String {
    let enc = |s: &String| encode_path_segment(s);
    let (prefix, separator) = match (style, explode) {
        (Style::Label, true) => (".", "."),
        (Style::Label, false) => (".", ","),
        (Style::Matrix, _) => (";", ","),
        _ => ("", ","),
    };
    match (flat, style) {
        (Flat::Absent, _) => String::new(),
        (Flat::Scalar(v), Style::Matrix) => format!(";{name}={}", enc(v)),
        (Flat::Scalar(v), _) => format!("{prefix}{}", enc(v)),
        (Flat::List(items), Style::Matrix) if explode => items
            .iter()
            .map(|v| format!(";{name}={}", enc(v)))
            .collect(),
        (Flat::List(items), Style::Matrix) => {
            format!(
                ";{name}={}",
                items.iter().map(enc).collect::<Vec<_>>().join(",")
            )
        }
        (Flat::List(items), _) => format!(
            "{prefix}{}",
            items.iter().map(enc).collect::<Vec<_>>().join(separator)
        ),
        (Flat::Pairs(pairs), Style::Matrix) if explode => pairs
            .iter()
            .map(|(k, v)| format!(";{}={}", enc(k), enc(v)))
            .collect(),
        (Flat::Pairs(pairs), _) if explode => format!(
            "{prefix}{}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join(separator)
        ),
        (Flat::Pairs(pairs), Style::Matrix) => format!(
            ";{name}={}",
            pairs
                .iter()
                .flat_map(|(k, v)| [enc(k), enc(v)])
                .collect::<Vec<_>>()
                .join(",")
        ),
        (Flat::Pairs(pairs), _) => {
            format!(
                "{prefix}{}",
                pairs
                    .iter()
                    .flat_map(|(k, v)| [enc(k), enc(v)])
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
    }
}

/// What a path style writes before the value.
pub(crate) fn path_prefix(style: Style) -> &'static str {
    match style {
        Style::Label => ".",
        Style::Matrix => ";",
        _ => "",
    }
}

/// `.` or `..`, also percent-encoded (`%2e`): segments the URL parser
/// removes or climbs.
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    /// What follows a leading dot (`.` or `%2e`), if there is one.
    fn after_dot(s: &[u8]) -> Option<&[u8]> {
        match s {
            [b'.', rest @ ..] => Some(rest),
            [b'%', b'2', b'e' | b'E', rest @ ..] => Some(rest),
            _ => None,
        }
    }
    after_dot(segment.as_bytes())
        .is_some_and(|rest| rest.is_empty() || after_dot(rest).is_some_and(<[u8]>::is_empty))
}

/// Whether a cookie name or value can be sent as it is (RFC 6265's
/// cookie-octets): nothing that ends one cookie and starts another.
pub(crate) fn cookie_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

/// Query pairs (not yet URL-encoded) for a query parameter.
pub(crate) fn query_pairs(
    name: &str,
    flat: Flat,
    style: Style,
    explode: bool,
) -> Vec<(String, String)> {
    match flat {
        Flat::Absent => Vec::new(),
        Flat::Scalar(v) => vec![(name.to_owned(), v)],
        Flat::List(items) => match style {
            Style::SpaceDelimited => vec![(name.to_owned(), items.join(" "))],
            Style::PipeDelimited => vec![(name.to_owned(), items.join("|"))],
            _ if explode => items.into_iter().map(|v| (name.to_owned(), v)).collect(),
            _ => vec![(name.to_owned(), items.join(","))],
        },
        Flat::Pairs(pairs) => match style {
            Style::DeepObject => pairs
                .into_iter()
                .map(|(k, v)| (format!("{name}[{k}]"), v))
                .collect(),
            _ if explode => pairs,
            _ => vec![(
                name.to_owned(),
                pairs
                    .into_iter()
                    .flat_map(|(k, v)| [k, v])
                    .collect::<Vec<_>>()
                    .join(","),
            )],
        },
    }
}

/// Header and cookie text: `a,b` for lists, `k,v,k,v` (or `k=v,k=v` when
/// exploded) for objects.
pub(crate) fn simple_text(flat: Flat, explode: bool) -> Option<String> {
    match flat {
        Flat::Absent => None,
        Flat::Scalar(v) => Some(v),
        Flat::List(items) => Some(items.join(",")),
        Flat::Pairs(pairs) if explode => Some(
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
        ),
        Flat::Pairs(pairs) => Some(
            pairs
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a
/// value with `/`, `?`, `%` or spaces stays inside its path segment.
pub(crate) fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `application/x-www-form-urlencoded` pairs for a body: top-level
/// properties as fields, arrays repeated, nested objects as `a[b]=c`.
pub(crate) fn form_pairs(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(prefix, v, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}[{k}]")
                    };
                    walk(&key, v, out);
                }
            }
            other => out.push((prefix.to_owned(), scalar(other).unwrap_or_default())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// Puts credential `pairs` into the query of a redirect's target, in place
/// of pairs with the same names already there (a `Location` may echo the
/// query it was reached with), so each key is sent once.
pub(super) fn replace_query_pairs(url: &mut reqwest::Url, pairs: &[(&str, &str)]) {
    if pairs.is_empty() {
        return;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !pairs.iter().any(|(key, _)| key == name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut query = url.query_pairs_mut();
    query.clear();
    query.extend_pairs(kept);
    query.extend_pairs(pairs);
}

#[cfg(test)]
mod tests {
    #[test]
    fn redirect_targets_get_each_key_once() {
        let mut url =
            reqwest::Url::parse("https://api.example.com/v1/x?api_key=old&page=2").unwrap();
        super::replace_query_pairs(&mut url, &[("api_key", "k1")]);
        assert_eq!(url.query(), Some("page=2&api_key=k1"));
        let mut url = reqwest::Url::parse("https://api.example.com/v1/x").unwrap();
        super::replace_query_pairs(&mut url, &[]);
        assert_eq!(url.as_str(), "https://api.example.com/v1/x");
    }

    use super::*;
    use serde_json::json;

    fn flat(value: serde_json::Value) -> Flat {
        flatten(&value).unwrap()
    }

    #[test]
    fn path_styles() {
        let list = || flat(json!(["a b", "c"]));
        let object = || flat(json!({"x": 1, "y": "z"}));
        assert_eq!(
            path_text("id", &flat(json!("a/b")), Style::Simple, false),
            "a%2Fb"
        );
        assert_eq!(path_text("id", &list(), Style::Simple, false), "a%20b,c");
        assert_eq!(path_text("id", &flat(json!(5)), Style::Label, false), ".5");
        assert_eq!(path_text("id", &list(), Style::Label, true), ".a%20b.c");
        assert_eq!(path_text("id", &list(), Style::Label, false), ".a%20b,c");
        assert_eq!(
            path_text("id", &flat(json!(5)), Style::Matrix, false),
            ";id=5"
        );
        assert_eq!(
            path_text("id", &list(), Style::Matrix, true),
            ";id=a%20b;id=c"
        );
        assert_eq!(
            path_text("id", &list(), Style::Matrix, false),
            ";id=a%20b,c"
        );
        assert_eq!(path_text("id", &object(), Style::Simple, true), "x=1,y=z");
        assert_eq!(path_text("id", &object(), Style::Simple, false), "x,1,y,z");
        assert_eq!(path_text("id", &object(), Style::Matrix, true), ";x=1;y=z");
    }

    #[test]
    fn query_styles() {
        let pairs = |p: Vec<(String, String)>| {
            p.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        assert_eq!(
            pairs(query_pairs("t", flat(json!(["a", "b"])), Style::Form, true)),
            "t=a&t=b"
        );
        assert_eq!(
            pairs(query_pairs(
                "t",
                flat(json!(["a", "b"])),
                Style::Form,
                false
            )),
            "t=a,b"
        );
        assert_eq!(
            pairs(query_pairs(
                "t",
                flat(json!(["a", "b"])),
                Style::SpaceDelimited,
                false
            )),
            "t=a b"
        );
        assert_eq!(
            pairs(query_pairs(
                "t",
                flat(json!(["a", "b"])),
                Style::PipeDelimited,
                false
            )),
            "t=a|b"
        );
        assert_eq!(
            pairs(query_pairs(
                "f",
                flat(json!({"x": 1, "y": true})),
                Style::DeepObject,
                true
            )),
            "f[x]=1&f[y]=true"
        );
        assert_eq!(
            pairs(query_pairs("f", flat(json!({"x": 1})), Style::Form, true)),
            "x=1"
        );
        assert_eq!(
            pairs(query_pairs("f", flat(json!({"x": 1})), Style::Form, false)),
            "f=x,1"
        );
        assert!(query_pairs("n", flat(json!(null)), Style::Form, true).is_empty());
    }

    #[test]
    fn form_bodies() {
        let mut pairs =
            form_pairs(&json!({"a": 1, "tags": ["x", "y"], "meta": {"k": "v"}, "none": null}));
        // Object key order depends on serde_json's features; sort to compare.
        pairs.sort();
        let expected: Vec<(String, String)> =
            [("a", "1"), ("meta[k]", "v"), ("tags", "x"), ("tags", "y")]
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn dot_segments_in_any_spelling() {
        for segment in [".", "..", "%2e", "%2E%2e", ".%2E", "%2e."] {
            assert!(is_dot_segment(segment), "{segment}");
        }
        for segment in ["...", "a.", ".a", "%2e%2e%2e", "", "é.", ".é", "%2", "%"] {
            assert!(!is_dot_segment(segment), "{segment}");
        }
    }

    #[test]
    fn cookie_octets() {
        assert!(cookie_safe("abc-._~!#$%&'()*+/:<=>?@[]^`{|}"));
        for bad in ["a;b", "a b", "a,b", "a\"b", "a\\b", "a\tb", "a\u{7f}", "é"] {
            assert!(!cookie_safe(bad), "{bad:?}");
        }
    }

    #[test]
    fn path_segments_are_fully_encoded() {
        assert_eq!(encode_path_segment("a/b c%d?é"), "a%2Fb%20c%25d%3F%C3%A9");
        assert_eq!(encode_path_segment("plain-1.2_~"), "plain-1.2_~");
    }
}
