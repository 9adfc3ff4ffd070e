//! Every Rust name the generator produces is decided here: case conversion,
//! keywords, names that are not identifiers, collisions, and the cleanup of
//! FastAPI's mangled operation ids. The names the emitted code itself
//! declares and binds (client members, locals, mock and group names) are
//! in `emitted.rs`.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

mod emitted;

pub use emitted::*;

/// Words Rust reserves in any edition we target, plus ones reserved for the
/// future. Suffixing `_` is more readable than `r#` in generated APIs.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// What a schema reached by `$ref` is named after: the last segment of its
/// pointer that names something (`#/components/schemas/Pet` → `Pet`,
/// `#/components/parameters/Kind/schema` → `Kind`,
/// `#/components/responses/Conflict/content/application~1json/schema` →
/// `Conflict`, `#/paths/~1users/get/...` → `users`), past the keywords,
/// media types, statuses and indices that only say where in it the schema
/// lies.
pub fn reference_hint(segments: &[String]) -> String {
    const PLACES: [&str; 27] = [
        "schema",
        "items",
        "content",
        "not",
        "additionalProperties",
        "contentSchema",
        "itemSchema",
        "allOf",
        "anyOf",
        "oneOf",
        "prefixItems",
        "properties",
        "requestBody",
        "responses",
        "parameters",
        "headers",
        "components",
        "paths",
        "schemas",
        "get",
        "put",
        "post",
        "delete",
        "options",
        "head",
        "patch",
        "trace",
    ];
    // An index, or a status such as `200`, `4XX` or `default`.
    let position = |s: &str| {
        s == "default"
            || s.chars().all(|c| c.is_ascii_digit())
            || (s.len() == 3
                && s.starts_with(|c: char| c.is_ascii_digit())
                && s[1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x'))
    };
    // A media type (`application/json`), but not a path (`/users`).
    let media_type = |s: &str| s.contains('/') && !s.starts_with('/');
    let names = |segment: &&String| {
        !(PLACES.contains(&segment.as_str()) || position(segment) || media_type(segment))
    };
    match segments.iter().rev().find(names) {
        Some(name) if name.starts_with('/') => {
            let words: Vec<&str> = name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                "Root".to_owned()
            } else {
                words.join("_")
            }
        }
        Some(name) => name.clone(),
        None => "Schema".to_owned(),
    }
}

/// Associated items of the string enums' trait impls (`FromStr::Err`): a
/// variant of that name makes `Self::Err` ambiguous, so it gets a `_`.
const ENUM_ASSOCIATED: &[&str] = &["Err"];

/// Keeps ASCII letters, digits and `_`; everything else separates words.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn finish_ident(mut ident: String, fallback: &str, digit_prefix: &str) -> String {
    if ident.is_empty() {
        ident = fallback.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident = format!("{digit_prefix}{ident}");
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// `HTTPValidationError` → `HttpValidationError`, `checkout.session` →
/// `CheckoutSession`, `Body_login-login_access_token` → `BodyLoginLoginAccessToken`.
pub fn type_name(raw: &str) -> String {
    let camel = ascii_words(raw).to_upper_camel_case();
    finish_ident(camel, "Unnamed", "Type")
}

/// A path parameter's argument name: [`field_name`], with a `_` after the
/// method's own locals (`request` → `request_`).
pub fn argument_name(raw: &str) -> String {
    let mut name = field_name(raw);
    if METHOD_LOCALS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// `organizationId` → `organization_id`, `type` → `type_`, `2fa` → `n2fa`.
pub fn field_name(raw: &str) -> String {
    let snake = ascii_words(raw).to_snake_case();
    finish_ident(snake, "field", "n")
}

/// Enum variant for a string value: `in-progress` → `InProgress`, `2xx` →
/// `V2xx`, `""` → `Empty`, `+` → `Plus`.
pub fn variant_name(value: &str) -> String {
    let symbolic = match value {
        "" => Some("Empty"),
        "+" => Some("Plus"),
        "-" => Some("Minus"),
        "*" => Some("Star"),
        "=" => Some("Equals"),
        "<" => Some("LessThan"),
        ">" => Some("GreaterThan"),
        "<=" => Some("LessOrEqual"),
        ">=" => Some("GreaterOrEqual"),
        "!=" => Some("NotEqual"),
        _ => None,
    };
    if let Some(name) = symbolic {
        return name.to_owned();
    }
    let mut name = finish_ident(ascii_words(value).to_upper_camel_case(), "Value", "V");
    if ENUM_ASSOCIATED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The method name for an operation.
///
/// FastAPI builds ids as `{function}{path}_{method}` with every non-word
/// character of the path replaced by `_`; when the id ends with exactly that
/// suffix for this operation's own path and method, only the function name is
/// kept. Any other id is used as it is, in snake_case. Without an id, the
/// method and path make the name (`get_users_by_id`).
pub fn clean_operation_id(operation_id: Option<&str>, method: &str, path: &str) -> String {
    let Some(id) = operation_id.filter(|id| !id.trim().is_empty()) else {
        let mut words = vec![method.to_ascii_lowercase()];
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => words.push(format!("by_{param}")),
                None => words.push(segment.to_owned()),
            }
        }
        return field_name(&words.join("_"));
    };
    let mangled_path: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let suffix = format!("{mangled_path}_{}", method.to_ascii_lowercase());
    let stem = id
        .strip_suffix(&suffix)
        .filter(|stem| !stem.is_empty() && !stem.ends_with('_'))
        .unwrap_or(id);
    field_name(stem)
}

/// Whether a property or parameter holds a credential, so that `Debug` must
/// not print it.
///
/// A name is sensitive when one of its words is a credential word (`token`,
/// `secret`, `password`, `apikey`, …) or it contains `api_key`/`private_key`,
/// unless its last word says it describes the credential rather than holding
/// it (`token_type`, `token_expires_at`, `password_hint`). The schema can also
/// say so itself with `format: password` or `x-sensitive: true`.
pub fn is_sensitive_name(raw: &str) -> bool {
    const CREDENTIAL_WORDS: &[&str] = &[
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "apikey",
        "credential",
        "credentials",
        "authorization",
        "cookie",
        "pin",
        "otp",
    ];
    const DESCRIPTIVE_LAST_WORDS: &[&str] = &[
        "type",
        "types",
        "expires",
        "expiry",
        "expiration",
        "at",
        "ttl",
        "count",
        "id",
        "ids",
        "url",
        "uri",
        "name",
        "hint",
        "length",
        "policy",
        "required",
        "set",
        "enabled",
        "len",
    ];
    let snake = field_name(raw);
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    let has_credential = words.iter().any(|w| CREDENTIAL_WORDS.contains(w))
        || snake.contains("api_key")
        || snake.contains("private_key")
        || snake.contains("access_key");
    let describes = words
        .last()
        .is_some_and(|w| DESCRIPTIVE_LAST_WORDS.contains(w));
    has_credential && !describes
}

/// Whether a property echoes what the caller sent, and so may hold a
/// credential the caller sent: an untyped `input`, as validation errors in
/// the pydantic/FastAPI style carry (`{"loc": [...], "input": <the value>}`).
pub fn echoes_caller_input(raw: &str, untyped: bool) -> bool {
    untyped && raw == "input"
}

/// JSON keys whose values error messages blank out in the response
/// snippets they quote, whatever the spec says: the usual names of
/// credentials in token and login responses.
pub const COMMON_SECRET_KEYS: &[&str] = &[
    "access_token",
    "api_key",
    "apikey",
    "authorization",
    "client_secret",
    "cookie",
    "id_token",
    "password",
    "proxy_authorization",
    "refresh_token",
    "secret",
    "set_cookie",
    "token",
    "x_api_key",
];

/// How Rust code names a crate published as `crate_name`.
pub fn crate_ident(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// The field name for a flattened `additionalProperties` map, clear of the
/// declared fields.
pub fn additional_field_name(fields: &[super::Field]) -> String {
    let mut name = "additional_properties".to_owned();
    while fields.iter().any(|f| f.name == name) {
        name.push('_');
    }
    name
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Hands out unique names in one namespace, first come first served; a
/// repeated name gets the smallest free numeric suffix (`Foo2`, `foo_2`).
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Whether `name` is not taken yet.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(name)
    }

    /// Claims `desired` or, if taken, the first free suffixed form. Returns
    /// the name and whether it had to be changed.
    pub fn claim(&mut self, desired: &str) -> (String, bool) {
        if self.taken.insert(desired.to_owned()) {
            return (desired.to_owned(), false);
        }
        let separator =
            if desired.ends_with('_') || desired.contains(|c: char| c.is_ascii_uppercase()) {
                ""
            } else {
                "_"
            };
        let mut n = 2;
        loop {
            let candidate = format!("{desired}{separator}{n}");
            if self.taken.insert(candidate.clone()) {
                return (candidate, true);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_schemas_are_named_after_what_holds_them() {
        let hint = |pointer: &str| {
            let segments: Vec<String> = crate::error::Pointer::from_ref(pointer)
                .unwrap()
                .segments()
                .collect();
            reference_hint(&segments)
        };
        assert_eq!(hint("#/components/schemas/Pet"), "Pet");
        assert_eq!(hint("#/components/parameters/Kind/schema"), "Kind");
        assert_eq!(
            hint("#/components/responses/Conflict/content/application~1json/schema"),
            "Conflict"
        );
        assert_eq!(hint("#/components/schemas/Pet/properties/owner"), "owner");
        assert_eq!(hint("#/components/schemas/X/allOf/0"), "X");
        assert_eq!(
            hint("#/paths/~1users~1{id}/get/responses/2XX/content/application~1json/schema/items"),
            "users_id"
        );
        assert_eq!(
            hint("#/paths/~1/get/responses/default/content/text~1plain/schema"),
            "Root"
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("HTTPValidationError"), "HttpValidationError");
        assert_eq!(type_name("HostedLoginRefresh"), "HostedLoginRefresh");
        assert_eq!(type_name("checkout.session"), "CheckoutSession");
        assert_eq!(
            type_name("Body_login-login_access_token"),
            "BodyLoginLoginAccessToken"
        );
        assert_eq!(type_name("Foo-Input"), "FooInput");
        assert_eq!(type_name("2fa_settings"), "Type2faSettings");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("---"), "Unnamed");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("organization_id"), "organization_id");
        assert_eq!(field_name("organizationId"), "organization_id");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("ref"), "ref_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa"), "n2fa");
        assert_eq!(field_name("@odata.type"), "odata_type");
        assert_eq!(field_name("$"), "field");
        assert_eq!(field_name("X-Request-ID"), "x_request_id");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("in-progress"), "InProgress");
        assert_eq!(variant_name("2xx"), "V2xx");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("+"), "Plus");
        assert_eq!(variant_name("self"), "Self_");
        assert_eq!(variant_name("err"), "Err_");
    }

    #[test]
    fn arguments_do_not_take_the_methods_locals() {
        assert_eq!(argument_name("request"), "request_");
        assert_eq!(argument_name("Response"), "response_");
        assert_eq!(argument_name("self"), "self_");
        assert_eq!(argument_name("requestId"), "request_id");
        assert_eq!(argument_name("types"), "types_");
    }

    #[test]
    fn fastapi_operation_ids_are_cleaned() {
        assert_eq!(
            clean_operation_id(
                Some("refresh_token_v1_auth_token_refresh_post"),
                "post",
                "/v1/auth/token/refresh"
            ),
            "refresh_token"
        );
        assert_eq!(
            clean_operation_id(
                Some("read_item_items__item_id__get"),
                "get",
                "/items/{item_id}"
            ),
            "read_item"
        );
        // A suffix for another method or path is not FastAPI's: keep the id.
        assert_eq!(
            clean_operation_id(
                Some("refresh_token_v1_auth_token_refresh_post"),
                "get",
                "/v1/auth/token/refresh"
            ),
            "refresh_token_v1_auth_token_refresh_post"
        );
        assert_eq!(
            clean_operation_id(Some("listPets"), "get", "/pets"),
            "list_pets"
        );
        assert_eq!(
            clean_operation_id(None, "GET", "/users/{id}/posts"),
            "get_users_by_id_posts"
        );
        // An id that is nothing but the suffix is kept whole.
        assert_eq!(
            clean_operation_id(Some("_pets_get"), "get", "/pets"),
            "pets_get"
        );
    }

    #[test]
    fn sensitive_names() {
        for name in [
            "access_token",
            "refresh_token",
            "password",
            "client_secret",
            "apiKey",
            "X-API-Key",
            "private_key",
            "token",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "token_type",
            "organization_id",
            "expires_in",
            "password_hint",
            "token_expires_at",
            "username",
            "tokenizer",
        ] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("Pet", "Pett"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn namespace_suffixes_collisions() {
        let mut ns = Namespace::with_reserved(&["Client"]);
        assert_eq!(ns.claim("Client"), ("Client2".to_owned(), true));
        assert_eq!(ns.claim("Pet"), ("Pet".to_owned(), false));
        assert_eq!(ns.claim("Pet"), ("Pet2".to_owned(), true));
        let mut fields = Namespace::default();
        fields.claim("type_");
        assert_eq!(fields.claim("type_").0, "type_2");
        assert_eq!(fields.claim("name").0, "name");
        assert_eq!(fields.claim("name").0, "name_2");
    }
}
