//! The names the emitted code itself declares and binds: the `Client`'s
//! members, the locals of its methods and of the written-out impls, the
//! helpers a method gets (page walks, streaming twins, contract calls),
//! tag groups and the mock module's names. The document's names must keep
//! off them; the golden tests parse the emitted files and fail on a name
//! declared there that is not decided here.

use super::{Namespace, field_name};
use heck::ToUpperCamelCase;

/// Locals of the emitted client methods, the `types` module they name, and
/// `client` (the caller's usual name for the client). A path parameter, which becomes a
/// method argument, must not shadow or be shadowed by them, so such a
/// parameter gets a trailing `_` (`request_`).
pub const METHOD_LOCALS: &[&str] = &[
    "request", "response", "form", "value", "client", "types", // every method
    "position", "cursor", "number", "next", // page helpers (`emit/paginate.rs`)
];

/// Locals of the impls written out in `types.rs` (serde's traits, unions'
/// variant choice), besides the fields' slots ([`field_slot`]), whose names
/// end in `_slot` and so never meet these.
pub const WIRE_LOCALS: &[&str] = &[
    "map",
    "key",
    "value",
    "state",
    "serializer",
    "deserializer",
    "inner",
    "tag",
    "parsed",
    "fallback",
    "naive",
];

/// The function `types.rs` declares (beside the types, whose names are
/// UpperCamelCase and so never meet it) that reads a date-time leniently.
pub const DATE_TIME_READER: &str = "date_time_from_wire";

/// The variants of a schema with `items` but no `type: array`: any value
/// satisfies it, a list only if its items do (JSON Schema), so a list of
/// the items, or any other JSON value.
pub const LIST_OR_OTHER: [&str; 2] = ["List", "Other"];

/// The local holding a field's value while its struct is deserialised:
/// `id` → `id_slot`, `type_` → `type_slot`. Distinct fields give distinct
/// slots: a trailing `_` only ever escapes a keyword, which is no field.
pub fn field_slot(field: &str) -> String {
    format!("{}_slot", field.strip_suffix('_').unwrap_or(field))
}

/// Arguments every method may take after the path parameters; parameters of
/// any location yield these names (a `body` parameter is `body_2`).
pub const METHOD_ARGUMENTS: &[&str] = &["body", "params"];

/// Methods, constants and fields of the generated `Client` that operations
/// and credential setters must not take: every one `emit/client.rs` writes
/// (the golden test `client_members_are_reserved` fails on one missing
/// here, and the fixture `client-members-v31` names an operation after
/// each).
pub const CLIENT_MEMBERS: &[&str] = &[
    "DEFAULT_BASE_URL",
    "new",
    "builder",
    "with_base_url",
    "with_http_client",
    "with_http_client_builder",
    "redirects_are_checked",
    "base_url",
    "http_client",
    "http",
    "config",
    "clone",
    "fmt",
    "default",
    "with_config",
    "with_timeout",
    "with_total_timeout",
    "with_redirect_policy",
    "with_hook",
    "with_retry_policy",
    "assume_idempotent",
    "without_credentials",
];

/// Names the `groups` module of `client.rs` declares or imports, which a
/// group's type must not take: it imports the client's own items and the
/// runtime's, and the operations name std's prelude types.
pub const GROUP_MODULE_ITEMS: &[&str] = &[
    "Client",
    "Config",
    "Error",
    "PendingRequest",
    "ResponseValue",
    "Style",
    "Multipart",
    "Credential",
    "CredentialProvider",
    "Secret",
    "String",
    "Option",
    "Result",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
];

/// Methods a group's type has besides its operations (it derives `Clone`,
/// `Copy` and `Debug`).
pub const GROUP_MEMBERS: &[&str] = &["clone", "clone_from", "fmt"];

/// A grouped operation's method name: its name without the group's
/// accessor in front (`repos_get` in `repos` → `get`), when what is left
/// is a name of its own.
pub fn group_method(method_name: &str, accessor: &str) -> String {
    let rest = method_name
        .strip_prefix(accessor)
        .and_then(|rest| rest.strip_prefix('_'))
        .filter(|rest| !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()));
    match rest {
        Some(rest) if field_name(rest) == rest => rest.to_owned(),
        _ => method_name.to_owned(),
    }
}

/// The group's type in the mock module: `Repos` → `ReposMocks`.
pub fn group_mock_type(type_name: &str) -> String {
    format!("{type_name}Mocks")
}

/// The page helper of a paginated list method: `list_pets` →
/// `list_pets_all`, every item across the pages.
pub fn paginated_method(method_name: &str) -> String {
    format!("{method_name}_all")
}

/// The streaming twin of a method whose response offers JSON and a stream:
/// `chat` → `chat_stream`.
pub fn stream_method(method_name: &str) -> String {
    format!("{method_name}_stream")
}

/// The function of the contract program (`cargo xtask contract`) that
/// calls `method` with synthesised arguments: `call_<method>`. The
/// program's other names (`value`, `failed`, `Outcome`, ...) are its own
/// and meet no name of the document's: types are reached through `types::`
/// and operations through `client.`.
pub fn contract_call(method_name: &str) -> String {
    format!("call_{method_name}")
}

/// The `Client` method that sets a scheme's credential (`with_bearer_token`).
pub fn credential_setter(field: &str) -> String {
    format!("with_{field}")
}

/// The `Client` method that sets a provider for a scheme's credential
/// (`with_bearer_token_provider`).
pub fn provider_setter(field: &str) -> String {
    format!("with_{field}_provider")
}

/// Items of the round-trip test file that test names must not take.
pub const TEST_HELPERS: &[&str] = &["roundtrip", "check", "types"];

/// Methods of the `mock` feature's `MockServer` (hand-written, in the
/// runtime) that the per-operation mock methods must not take.
pub const MOCK_SERVER_MEMBERS: &[&str] =
    &["start", "client", "uri", "inner", "verify", "call", "fmt"];

/// Methods every typed mock builder has besides its path matchers
/// (`emit/mock.rs` writes them; the golden test
/// `mock_methods_are_the_models_names` fails on one missing here).
pub const MOCK_BUILDER_METHODS: &[&str] = &["with_body", "respond_ok", "respond_error"];

/// Types the generated `mock` module names besides the builders.
pub const MOCK_ITEMS: &[&str] = &["MockServer", "MockCall", "Style", "Mock"];

/// The names one operation gets in the generated `mock` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockNames {
    /// The `MockServer` method that starts a mock of the operation.
    pub method: String,
    /// The typed builder it returns: `RefreshTokenMock`.
    pub builder: String,
    /// The builder's method that matches each path parameter, in order.
    pub path_methods: Vec<String>,
}

/// Mock names for the operations, from their client method names (unique
/// snake_case) and path arguments, in the same order.
pub fn mock_names(operations: &[(&str, Vec<&str>)]) -> Vec<MockNames> {
    let mut methods = Namespace::with_reserved(MOCK_SERVER_MEMBERS);
    let mut builders = Namespace::with_reserved(MOCK_ITEMS);
    operations
        .iter()
        .map(|(name, path_arguments)| MockNames {
            method: methods.claim(name).0,
            builder: builders
                .claim(&format!("{}Mock", name.to_upper_camel_case()))
                .0,
            path_methods: path_arguments
                .iter()
                .map(|argument| mock_path_method(argument))
                .collect(),
        })
        .collect()
}

/// The builder method that matches a path parameter's value: `with_id`.
/// No parameter is named `body` (see `METHOD_ARGUMENTS`), so it never
/// takes `with_body`, the builder's method for the request body.
pub fn mock_path_method(argument: &str) -> String {
    format!("with_{}", argument.trim_end_matches('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_names_are_unique_and_leave_the_server_methods_alone() {
        let operations = ["refresh_token", "start", "get_item2", "get_item_2"]
            .map(|name| (name, vec!["id", "type_"]));
        let names = mock_names(&operations);
        let pairs: Vec<_> = names
            .iter()
            .map(|n| (n.method.as_str(), n.builder.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("refresh_token", "RefreshTokenMock"),
                ("start_2", "StartMock"),
                ("get_item2", "GetItem2Mock"),
                ("get_item_2", "GetItem2Mock2"),
            ]
        );
        assert!(
            names
                .iter()
                .all(|n| n.path_methods == ["with_id", "with_type"])
        );
    }
}
