//! Page helpers: `[pagination.<operation>]` in `codegen.toml`, checked
//! against the operation's parameters and response, and the list
//! operations that look paginated but are not configured, reported as
//! notes with the line that would configure them.
//!
//! Both go through [`check`], so a note only ever suggests a
//! configuration that the generator accepts.

use super::naming;
use super::{
    Api, Operation, PageStyleKind, Pagination, ParamLocation, ResponseBody, Success, TypeRef,
};
use crate::config::{ClientConfig, ConfigError, PaginationConfig, toml_string};
use crate::error::{Warning, WarningKind};
use serde_json::Value;

/// One operation's page settings, as plain text (from the configuration
/// or from a guess).
struct PageRequest<'a> {
    style: &'a str,
    param: &'a str,
    items: Option<&'a str>,
    next: Option<&'a str>,
    first_page: Option<u64>,
    max_pages: Option<u32>,
}

/// Which setting a problem is about, so that the configuration's error
/// points at it.
enum Setting {
    Operation,
    Style,
    Param,
    Items,
    Next,
}

type Problem = (Setting, String);

/// `[pagination.<operation>]`: each list operation's page helper.
/// `style = "none"` says an operation does not page (no helper, no note).
pub(super) fn configured(
    api: &mut Api,
    raw: &Value,
    config: &ClientConfig,
) -> Result<(), ConfigError> {
    for (key, page) in &config.pagination {
        let found = api.operations.iter().position(|op| {
            op.variant_of.is_none()
                && (&op.method_name == key.get_ref()
                    || operation_id(op, raw) == Some(key.get_ref()))
        });
        let Some(index) = found else {
            let methods = api.operations.iter().map(|op| op.method_name.as_str());
            let hint = super::configure::closest(key.get_ref(), methods);
            return Err(config.error_at(
                key,
                format!(
                    "no operation has the id or method name `{}`{hint}",
                    key.get_ref()
                ),
            ));
        };
        if page.style.get_ref() == "none" {
            continue;
        }
        let request = PageRequest {
            style: page.style.get_ref(),
            param: page.param.as_ref().map_or("", |p| p.get_ref()),
            items: page.items.as_ref().map(|i| i.get_ref().as_str()),
            next: page.next.as_ref().map(|n| n.get_ref().as_str()),
            first_page: page.first_page,
            max_pages: page.max_pages,
        };
        let pagination = check(api, &api.operations[index], &request)
            .map_err(|(setting, message)| located(config, key, page, setting, message))?;
        api.operations[index].pagination = Some(pagination);
    }
    Ok(())
}

fn located(
    config: &ClientConfig,
    key: &toml::Spanned<String>,
    page: &PaginationConfig,
    setting: Setting,
    message: String,
) -> ConfigError {
    // Where the setting was written; the operation's table when it was not.
    let written = match setting {
        Setting::Style => Some(&page.style),
        Setting::Param => page.param.as_ref(),
        Setting::Items => page.items.as_ref(),
        Setting::Next => page.next.as_ref(),
        Setting::Operation => None,
    };
    config.error_at(written.unwrap_or(key), message)
}

fn operation_id<'a>(op: &Operation, raw: &'a Value) -> Option<&'a str> {
    op.origin.resolve(raw)?.get("operationId")?.as_str()
}

/// The page helper `request` describes for `op`, or why it cannot be.
fn check(api: &Api, op: &Operation, request: &PageRequest<'_>) -> Result<Pagination, Problem> {
    let style = match request.style {
        "cursor" => PageStyleKind::Cursor,
        "link" => PageStyleKind::Link,
        "offset" => PageStyleKind::Offset,
        "page" => PageStyleKind::Number {
            first: request.first_page.unwrap_or(1),
        },
        other => {
            let hint =
                super::configure::closest(other, ["cursor", "link", "offset", "page", "none"]);
            return Err((
                Setting::Style,
                format!("`{other}` is not a page style (cursor, link, offset, page or none){hint}"),
            ));
        }
    };
    if op.body.is_some() {
        return Err((
            Setting::Operation,
            format!(
                "`{}` has a request body; only operations without one can be paginated",
                op.method_name
            ),
        ));
    }
    if request.param.is_empty() {
        return Err((
            Setting::Operation,
            "`param`, the query parameter that says where a page starts, is missing".to_owned(),
        ));
    }
    let query = || {
        op.params
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
    };
    let Some(param) = query().find(|p| p.wire_name == request.param) else {
        let hint = super::configure::closest(request.param, query().map(|p| p.wire_name.as_str()));
        return Err((
            Setting::Param,
            format!(
                "`{}` has no query parameter `{}`{hint}",
                op.method_name, request.param
            ),
        ));
    };
    let param_ty = api.resolve_alias(&param.ty).clone();
    let by_text = matches!(style, PageStyleKind::Cursor | PageStyleKind::Link);
    let fits = if by_text {
        param_ty == TypeRef::String
    } else {
        matches!(param_ty, TypeRef::Integer(_))
    };
    if !fits {
        let kind = if by_text { "a string" } else { "an integer" };
        return Err((
            Setting::Param,
            format!("`{}` is not {kind} parameter", request.param),
        ));
    }
    let Success::Body(ResponseBody::Json(response)) = &op.success else {
        return Err((
            Setting::Operation,
            format!("`{}` does not answer one JSON type", op.method_name),
        ));
    };
    let (items_field, list) = match request.items {
        Some(items) => match struct_field(api, response, items) {
            Some((name, ty, optional)) => (Some((name, optional)), ty),
            None => {
                return Err((
                    Setting::Items,
                    format!("`{}`'s response has no property `{items}`", op.method_name),
                ));
            }
        },
        None => (None, response.clone()),
    };
    let TypeRef::Array(item_ty) = api.resolve_alias(&list).clone() else {
        let setting = match request.items {
            Some(_) => Setting::Items,
            None => Setting::Operation,
        };
        return Err((
            setting,
            format!("`{}`'s items are not a list", op.method_name),
        ));
    };
    let next_field = match (style, request.next) {
        (PageStyleKind::Cursor, Some(next)) => match struct_field(api, response, next) {
            Some((name, ty, optional)) if api.resolve_alias(&ty) == &TypeRef::String => {
                Some((name, optional))
            }
            _ => {
                return Err((
                    Setting::Next,
                    format!(
                        "`{}`'s response has no string property `{next}`",
                        op.method_name
                    ),
                ));
            }
        },
        (PageStyleKind::Cursor, None) => {
            return Err((
                Setting::Operation,
                "a `cursor` style needs `next`, the response's property with the next cursor"
                    .to_owned(),
            ));
        }
        (_, Some(_)) => {
            return Err((
                Setting::Next,
                "`next` is for the `cursor` style only".to_owned(),
            ));
        }
        (_, None) => None,
    };
    let helper = naming::paginated_method(&op.method_name);
    if api.operations.iter().any(|o| o.method_name == helper)
        || naming::CLIENT_MEMBERS.contains(&helper.as_str())
    {
        return Err((
            Setting::Operation,
            format!("the page helper's name `{helper}` is taken"),
        ));
    }
    Ok(Pagination {
        helper,
        style,
        param_field: param.name.clone(),
        param_ty,
        param_optional: !param.required,
        items_field,
        item_ty: *item_ty,
        next_field,
        max_pages: request.max_pages.unwrap_or(1000),
    })
}

/// A struct's field by wire name (through aliases): Rust name, type, and
/// whether it is an `Option`.
fn struct_field(api: &Api, ty: &TypeRef, wire: &str) -> Option<(String, TypeRef, bool)> {
    api.struct_behind(ty)?
        .fields
        .iter()
        .find(|f| f.wire_name == wire)
        .map(|f| (f.name.clone(), f.ty.clone(), f.is_option()))
}

/// Query parameters that say where a cursor-paged list starts, as real
/// documents name them.
const CURSOR_PARAMS: &[&str] = &[
    "cursor",
    "after",
    "page_token",
    "pageToken",
    "next_token",
    "nextToken",
    "starting_after",
    "continuation_token",
    "continuationToken",
    "marker",
    "max_id",
];

/// Response properties that hold the next cursor. (Not `next`: APIs fill
/// it with the next page's whole URL, which is no cursor.)
const NEXT_FIELDS: &[&str] = &[
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "next_token",
    "nextToken",
    "next_marker",
    "nextMarker",
    "next_page",
    "nextPage",
    "cursor",
];

/// Response properties that hold a page's items, when the response has
/// more than one list.
const ITEM_FIELDS: &[&str] = &["data", "items", "results", "entries", "records", "values"];

/// Notes for the list operations that look paginated in one of the
/// common shapes and that the configuration does not mention: each says
/// what was seen and gives the `codegen.toml` line that adds the helper
/// (or `style = "none"` to say the operation does not page). Off with
/// `[client] pagination_notes = false`.
pub(super) fn suggestions(api: &Api, raw: &Value, config: &ClientConfig) -> Vec<Warning> {
    if config.client.pagination_notes == Some(false) {
        return Vec::new();
    }
    let mentioned = |op: &Operation| {
        config.pagination.keys().any(|key| {
            key.get_ref() == &op.method_name
                || Some(key.get_ref().as_str()) == operation_id(op, raw)
        })
    };
    let mut notes = Vec::new();
    for op in &api.operations {
        if op.variant_of.is_some() || op.pagination.is_some() || mentioned(op) {
            continue;
        }
        // The first shape the operation fits, as the configuration checks it.
        let Some((request, seen)) = guesses(api, op)
            .into_iter()
            .find(|(request, _)| check(api, op, request).is_ok())
        else {
            continue;
        };
        // The method name: snake_case, a bare TOML key.
        let key = &op.method_name;
        let mut settings = vec![
            format!("style = {}", toml_string(request.style)),
            format!("param = {}", toml_string(request.param)),
        ];
        settings.extend(
            request
                .items
                .map(|items| format!("items = {}", toml_string(items))),
        );
        settings.extend(
            request
                .next
                .map(|next| format!("next = {}", toml_string(next))),
        );
        // Said, so that an API whose pages start at 0 is noticed.
        settings.extend(
            request
                .first_page
                .map(|first| format!("first_page = {first}")),
        );
        notes.push(Warning {
            kind: WarningKind::Suggestion,
            pointer: op.origin.clone(),
            message: format!(
                "`{}` looks paginated ({seen}); for a helper that walks its pages, add `pagination.{key} = {{ {} }}` to codegen.toml (or `style = \"none\"` to say it does not page)",
                op.method_name,
                settings.join(", ")
            ),
        });
    }
    notes
}

/// The page settings `op`'s parameters and response suggest, most
/// specific first, each with what suggested it.
fn guesses<'a>(api: &'a Api, op: &'a Operation) -> Vec<(PageRequest<'a>, String)> {
    let mut found = Vec::new();
    let Success::Body(ResponseBody::Json(response)) = &op.success else {
        return found;
    };
    let query = |names: &[&str]| {
        names.iter().find_map(|name| {
            op.params
                .iter()
                .find(|p| p.location == ParamLocation::Query && p.wire_name == *name)
        })
    };
    // The items: the response itself, or its one list (or the list with
    // a usual name).
    let items: Option<&str> = match api.resolve_alias(response) {
        TypeRef::Array(_) => None,
        _ => {
            let Some(s) = api.struct_behind(response) else {
                return found;
            };
            let lists: Vec<&str> = s
                .fields
                .iter()
                .filter(|f| matches!(api.resolve_alias(&f.ty), TypeRef::Array(_)))
                .map(|f| f.wire_name.as_str())
                .collect();
            match lists.as_slice() {
                [one] => Some(*one),
                many => match many.iter().find(|l| ITEM_FIELDS.contains(l)) {
                    Some(list) => Some(*list),
                    None => return found,
                },
            }
        }
    };
    let request = |style, param: &'a str, next| PageRequest {
        style,
        param,
        items,
        next,
        first_page: (style == "page").then_some(1),
        max_pages: None,
    };
    let link = op
        .response_headers
        .iter()
        .any(|h| h.wire_name.eq_ignore_ascii_case("link"));
    if let Some(cursor) = query(CURSOR_PARAMS) {
        let next = items.and_then(|_| {
            NEXT_FIELDS
                .iter()
                .find(|name| struct_field(api, response, name).is_some())
                .copied()
        });
        if let Some(next) = next {
            let seen = format!(
                "query parameter `{}` and the response's `{next}`",
                cursor.wire_name
            );
            found.push((request("cursor", &cursor.wire_name, Some(next)), seen));
        }
        if link {
            let seen = format!(
                "query parameter `{}` and a `Link` response header",
                cursor.wire_name
            );
            found.push((request("link", &cursor.wire_name, None), seen));
        }
    }
    if let Some(offset) = query(&["offset", "skip"]) {
        let seen = format!("query parameter `{}`", offset.wire_name);
        found.push((request("offset", &offset.wire_name, None), seen));
    }
    if let Some(page) = query(&["page", "page_number", "pageNumber"]) {
        let seen = format!("query parameter `{}`", page.wire_name);
        found.push((request("page", &page.wire_name, None), seen));
    }
    found
}
