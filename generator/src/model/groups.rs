//! Tag groups (`[client] group_by = "tag"` in `codegen.toml`): a large
//! API's operations as `client.repos().get(..)` rather than hundreds of
//! methods on `Client`. Each operation goes to the group of its first tag;
//! one without tags stays on `Client`. Runs after every other part of the
//! configuration, so renames and page helpers are settled.

use super::naming::{self, Namespace};
use super::{Api, Docs, GroupPlace, OperationGroup};
use crate::config::{ClientConfig, ConfigError};
use serde_json::Value;

pub(super) fn group_by_tag(
    api: &mut Api,
    raw: &Value,
    config: &ClientConfig,
) -> Result<(), ConfigError> {
    let Some(group_by) = &config.client.group_by else {
        return Ok(());
    };
    if group_by.get_ref() != "tag" {
        return Err(config.error_at(
            group_by,
            format!(
                "`group_by = \"{}\"` is not a grouping: use `\"tag\"`, or leave it out for every operation on `Client`",
                group_by.get_ref()
            ),
        ));
    }
    let first_tags: Vec<Option<String>> = api
        .operations
        .iter()
        .map(|op| {
            op.origin.resolve(raw).and_then(|object| {
                object
                    .get("tags")?
                    .as_array()?
                    .iter()
                    .find_map(Value::as_str)
                    .map(str::to_owned)
            })
        })
        .collect();

    // What stays on `Client` keeps its name; the groups' accessors come
    // after it.
    let mut client_members: Vec<&str> = naming::CLIENT_MEMBERS.to_vec();
    for scheme in &api.security_schemes {
        client_members.extend([scheme.setter.as_str(), scheme.provider_setter.as_str()]);
    }
    for (op, tag) in api.operations.iter().zip(&first_tags) {
        if tag.is_none() {
            client_members.push(&op.method_name);
            client_members.extend(op.pagination.as_ref().map(|p| p.helper.as_str()));
        }
    }
    let mut accessors = Namespace::with_reserved(&client_members);
    let mut mock_accessors = Namespace::with_reserved(naming::MOCK_SERVER_MEMBERS);
    for (op, tag) in api.operations.iter().zip(&first_tags) {
        if tag.is_none() {
            mock_accessors.claim(&op.mock.method);
        }
    }
    let mut type_names = Namespace::with_reserved(naming::GROUP_MODULE_ITEMS);
    let mut mock_types = Namespace::with_reserved(naming::MOCK_ITEMS);
    for op in &api.operations {
        mock_types.claim(&op.mock.builder);
    }

    let mut groups: Vec<OperationGroup> = Vec::new();
    let mut members: Vec<Namespace> = Vec::new();
    let mut mock_members: Vec<Namespace> = Vec::new();
    for (op, tag) in api.operations.iter_mut().zip(first_tags) {
        let Some(tag) = tag else { continue };
        let index = match groups.iter().position(|g| g.tag == tag) {
            Some(index) => index,
            None => {
                // One name for the client's and the mock server's accessor,
                // when both are free.
                let desired = naming::field_name(&tag);
                let (mut accessor, _) = accessors.claim(&desired);
                while !mock_accessors.is_free(&accessor) {
                    accessor = accessors.claim(&desired).0;
                }
                mock_accessors.claim(&accessor);
                let type_name = type_names.claim(&naming::type_name(&tag)).0;
                let mock_type = mock_types.claim(&naming::group_mock_type(&type_name)).0;
                groups.push(OperationGroup {
                    docs: tag_docs(raw, &tag),
                    tag,
                    accessor,
                    type_name,
                    mock_type,
                });
                members.push(Namespace::with_reserved(naming::GROUP_MEMBERS));
                mock_members.push(Namespace::with_reserved(naming::GROUP_MEMBERS));
                groups.len() - 1
            }
        };
        let group = &groups[index];
        let method = members[index]
            .claim(&naming::group_method(&op.method_name, &group.accessor))
            .0;
        if let Some(page) = &mut op.pagination {
            page.helper = members[index].claim(&naming::paginated_method(&method)).0;
        }
        // The mock's method is the client's: `server.repos().get()`.
        op.mock.method = mock_members[index].claim(&method).0;
        op.group = Some(GroupPlace {
            group: index,
            method,
        });
    }
    api.groups = groups;
    // A streaming twin's docs link its buffered method, which a group may
    // have renamed; both are in the same group.
    let renamed: Vec<(String, String)> = api
        .operations
        .iter()
        .filter_map(|op| Some((op.method_name.clone(), op.group.as_ref()?.method.clone())))
        .collect();
    for op in &mut api.operations {
        let (Some(base), Some(text)) = (&op.variant_of, &mut op.docs.text) else {
            continue;
        };
        if let Some((_, method)) = renamed.iter().find(|(name, _)| name == base) {
            *text = text.replace(&format!("[`Self::{base}`]"), &format!("[`Self::{method}`]"));
        }
    }
    Ok(())
}

/// The description the document's `tags` list gives `tag`.
fn tag_docs(raw: &Value, tag: &str) -> Docs {
    let text = raw
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|entry| entry.get("name").and_then(Value::as_str) == Some(tag))
        .and_then(|entry| entry.get("description")?.as_str())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned);
    Docs {
        text,
        ..Docs::default()
    }
}
