//! What the configuration file ([`ClientConfig`]) changes in the model:
//! which operations are kept (and so which types are reached), new names,
//! and added derives. Every name it gives must match something in the
//! document; one that does not is an error naming the closest that does.

use super::naming::{self, edit_distance};
use super::operations::{Draft, RenameOutcome};
use super::{Api, TypeId, TypeKind, TypeRef, reach};
use crate::config::{ClientConfig, ConfigError, glob_matches};
use crate::error::Pointer;
use serde_json::Value;
use std::collections::BTreeSet;
use toml::Spanned;

/// `, did you mean `x`?` for the candidate closest to `given`, when one
/// is close.
pub(super) fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (edit_distance(given, c), c))
        .filter(|(distance, c)| *distance <= 3.max(c.len() / 3))
        .min()
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Why `name` names no schema type a table (`[derives]`, say) can change:
/// it is one an operation declares, which only `[rename.types]` reaches,
/// or no type at all (with the closest of `candidates`).
fn not_a_schema_type<'a>(
    api: &Api,
    name: &str,
    table: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    if api.operation_types.iter().any(|t| t.name == name) {
        return format!(
            "`{name}` is a type an operation declares, which {table} does not change (only [rename.types] renames it)"
        );
    }
    format!("no type is named `{name}`{}", closest(name, candidates))
}

/// The id and tags of the operation at `origin`, as the document gives
/// them.
fn id_and_tags<'a>(origin: &Pointer, raw: &'a Value) -> (Option<&'a str>, Vec<&'a str>) {
    let Some(object) = origin.resolve(raw) else {
        return (None, Vec::new());
    };
    let id = object.get("operationId").and_then(Value::as_str);
    let tags = object
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    (id, tags)
}

/// Keeps the operations `[operations]` selects. Runs before the
/// operations are finished, so that shared error enums are shared among
/// the kept ones only.
pub(super) fn filter_operations(
    operations: &mut Vec<Draft>,
    raw: &Value,
    config: &ClientConfig,
) -> Result<(), ConfigError> {
    let filter = &config.operations;
    if filter.is_empty() {
        return Ok(());
    }
    let facts: Vec<(Option<&str>, Vec<&str>)> = operations
        .iter()
        .map(|op| id_and_tags(&op.origin, raw))
        .collect();
    // Every name given must match something.
    let ids: BTreeSet<&str> = operations
        .iter()
        .zip(&facts)
        .flat_map(|(op, (id, _))| id.iter().copied().chain([op.method_name.as_str()]))
        .collect();
    for given in filter.include.iter().chain(&filter.exclude) {
        if !ids.contains(given.get_ref().as_str()) {
            let hint = closest(given.get_ref(), ids.iter().copied());
            return Err(config.error_at(
                given,
                format!(
                    "no operation has the id or method name `{}`{hint}",
                    given.get_ref()
                ),
            ));
        }
    }
    let tags: BTreeSet<&str> = facts.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    for given in filter.include_tags.iter().chain(&filter.exclude_tags) {
        if !tags.contains(given.get_ref().as_str()) {
            let hint = closest(given.get_ref(), tags.iter().copied());
            return Err(config.error_at(
                given,
                format!("no operation has the tag `{}`{hint}", given.get_ref()),
            ));
        }
    }
    let paths: BTreeSet<&str> = operations.iter().map(|op| op.path.as_str()).collect();
    for given in filter.include_paths.iter().chain(&filter.exclude_paths) {
        if !paths.iter().any(|p| glob_matches(given.get_ref(), p)) {
            let hint = closest(given.get_ref(), paths.iter().copied());
            return Err(config.error_at(
                given,
                format!("no path matches `{}`{hint}", given.get_ref()),
            ));
        }
    }
    let named = |list: &[Spanned<String>], op: &Draft, id: Option<&str>| {
        list.iter()
            .any(|n| n.get_ref() == &op.method_name || Some(n.get_ref().as_str()) == id)
    };
    let tagged = |list: &[Spanned<String>], op_tags: &[&str]| {
        list.iter().any(|t| op_tags.contains(&t.get_ref().as_str()))
    };
    let pathed =
        |list: &[Spanned<String>], path: &str| list.iter().any(|p| glob_matches(p.get_ref(), path));
    let includes = !(filter.include.is_empty()
        && filter.include_tags.is_empty()
        && filter.include_paths.is_empty());
    let keep: Vec<bool> = operations
        .iter()
        .zip(&facts)
        .map(|(op, (id, op_tags))| {
            let included = !includes
                || named(&filter.include, op, *id)
                || tagged(&filter.include_tags, op_tags)
                || pathed(&filter.include_paths, &op.path);
            let excluded = named(&filter.exclude, op, *id)
                || tagged(&filter.exclude_tags, op_tags)
                || pathed(&filter.exclude_paths, &op.path);
            included && !excluded
        })
        .collect();
    // A streaming twin goes with the operation it is a form of.
    let kept_methods: BTreeSet<String> = operations
        .iter()
        .zip(&keep)
        .filter(|(op, keep)| **keep && op.variant_of.is_none())
        .map(|(op, _)| op.method_name.clone())
        .collect();
    let mut keep = keep.into_iter();
    operations.retain(|op| {
        let kept = keep.next().unwrap_or(false);
        match &op.variant_of {
            Some(base) => kept_methods.contains(base),
            None => kept,
        }
    });
    Ok(())
}

/// With an operation filter, the types no kept operation reaches are not
/// emitted (so the crate builds in proportion to what it keeps).
pub(super) fn prune_types(api: &Api, config: &ClientConfig) -> BTreeSet<TypeId> {
    if config.operations.is_empty() {
        return BTreeSet::new();
    }
    let roots = api
        .operations
        .iter()
        .flat_map(|op| reach::parameter_and_answer_types(op).chain(op.body.iter().map(|b| &b.ty)));
    let reached = reach::reached(api, roots);
    (0..api.types.len())
        .map(TypeId)
        .filter(|id| !reached.contains(id))
        .collect()
}

/// Whether `ty` names a type [`prune_types`] left out.
pub(super) fn mentions_pruned(api: &Api, ty: &TypeRef) -> bool {
    !api.pruned.is_empty()
        && reach::reached(api, [ty])
            .iter()
            .any(|id| api.pruned.contains(id))
}

/// `[rename]`: types by their Rust name, operations by id or method name.
pub(super) fn rename(
    api: &mut Api,
    config: &ClientConfig,
    outcomes: &[RenameOutcome],
) -> Result<(), ConfigError> {
    // Schema types and the types operations declare share one namespace.
    enum Table {
        Schemas(usize),
        Operations(usize),
    }
    for (from, to) in &config.rename.types {
        let names: Vec<&str> = api
            .emitted_types()
            .map(|(_, t)| t.name.as_str())
            .chain(api.operation_types.iter().map(|t| t.name.as_str()))
            .collect();
        let found = if let Some(index) = api.types.iter().position(|t| &t.name == from.get_ref()) {
            Table::Schemas(index)
        } else if let Some(index) = api
            .operation_types
            .iter()
            .position(|t| &t.name == from.get_ref())
        {
            Table::Operations(index)
        } else {
            let hint = closest(from.get_ref(), names.iter().copied());
            return Err(
                config.error_at(from, format!("no type is named `{}`{hint}", from.get_ref()))
            );
        };
        if naming::type_name(to.get_ref()) != *to.get_ref()
            || names.contains(&to.get_ref().as_str())
        {
            return Err(config.error_at(
                to,
                format!("`{}` is not a free UpperCamelCase type name", to.get_ref()),
            ));
        }
        let name = match found {
            Table::Schemas(index) => &mut api.types[index].name,
            Table::Operations(index) => &mut api.operation_types[index].name,
        };
        *name = to.get_ref().clone();
    }
    for (key, to) in &config.rename.fields {
        rename_member(api, config, key, to, Member::Field)?;
    }
    for (key, to) in &config.rename.variants {
        rename_member(api, config, key, to, Member::Variant)?;
    }
    // Operations were named as they were built; each rename must have
    // found its operation and kept its name.
    for ((from, to), outcome) in config.rename.operations.iter().zip(outcomes) {
        if naming::field_name(to.get_ref()) != *to.get_ref() {
            return Err(config.error_at(
                to,
                format!("`{}` is not a snake_case method name", to.get_ref()),
            ));
        }
        match outcome {
            RenameOutcome::Applied => {}
            RenameOutcome::Taken => {
                return Err(config.error_at(
                    to,
                    format!(
                        "`{}` is taken (by the client or another operation)",
                        to.get_ref()
                    ),
                ));
            }
            RenameOutcome::Unmatched => {
                let methods = api.operations.iter().map(|op| op.method_name.as_str());
                let hint = closest(from.get_ref(), methods);
                return Err(config.error_at(
                    from,
                    format!(
                        "no operation has the id or method name `{}`{hint}",
                        from.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Derives the generator knows: which can hold on which types.
const CHECKED_DERIVES: [&str; 5] = ["Eq", "Hash", "PartialOrd", "Ord", "Default"];

/// Why `derive` cannot hold on type `id` (through the types it holds), or
/// `None`.
fn cannot_hold(api: &Api, id: TypeId, derive: &str) -> Option<String> {
    let reached = reach::reached(api, [&TypeRef::Named(id)]);
    if let Some(replaced) = reached
        .iter()
        .find_map(|held| api.ty(*held).replaced_by.as_ref())
    {
        return Some(format!(
            "it holds `{replaced}` (from `[replace]`), whose derives the generator cannot see"
        ));
    }
    let total = matches!(derive, "Eq" | "Hash" | "Ord" | "PartialOrd");
    if total {
        for holder in &reached {
            let def = api.ty(*holder);
            let fields: Vec<&TypeRef> = match &def.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .map(|f| &f.ty)
                    .chain(&s.additional)
                    .collect(),
                TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
                TypeKind::Tagged(t) => t.variants.iter().map(|v| &v.ty).collect(),
                TypeKind::Alias(ty) => vec![ty],
                TypeKind::Enum(_) => Vec::new(),
            };
            if let Some(bad) = fields.iter().find_map(|ty| unorderable(ty)) {
                return Some(format!(
                    "`{}` holds {bad}, which has no `{derive}`",
                    def.name
                ));
            }
        }
    }
    if derive == "Default" {
        let def = api.ty(id);
        let all_optional =
            matches!(&def.kind, TypeKind::Struct(s) if s.fields.iter().all(|f| !f.required));
        if !all_optional {
            return Some(format!(
                "`{}` has required fields or is not a struct, so it has no default",
                def.name
            ));
        }
    }
    None
}

/// A float or any JSON value inside `ty`, which have no total order or hash.
fn unorderable(ty: &TypeRef) -> Option<&'static str> {
    if ty.contains(|t| matches!(t, TypeRef::Float(_))) {
        Some("a float")
    } else if ty.contains(|t| matches!(t, TypeRef::Any | TypeRef::Object)) {
        Some("a JSON value")
    } else {
        None
    }
}

/// A derive as written: one the generator checks, or a path to the
/// caller's (`schemars::JsonSchema`).
fn check_derive(config: &ClientConfig, derive: &Spanned<String>) -> Result<(), ConfigError> {
    let text = derive.get_ref();
    let is_path = !text.is_empty()
        && text.split("::").all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !is_path {
        return Err(config.error_at(
            derive,
            format!(
                "`{text}` is not a derive (a trait path such as `Eq` or `schemars::JsonSchema`)"
            ),
        ));
    }
    if matches!(text.as_str(), "Debug" | "Clone" | "PartialEq") {
        return Err(config.error_at(derive, format!("every type already derives `{text}`")));
    }
    if !text.contains("::") && !CHECKED_DERIVES.contains(&text.as_str()) {
        let hint = closest(text, CHECKED_DERIVES);
        return Err(config.error_at(derive, format!("`{text}` is not a derive the generator knows; name another crate's derive by its path (`serde_with::X`){hint}")));
    }
    Ok(())
}

/// `[derives]`: `all` on every type where it holds; per type, on the type
/// and every type it holds, an error where it cannot.
pub(super) fn derives(api: &mut Api, config: &ClientConfig) -> Result<(), ConfigError> {
    let ids: Vec<TypeId> = api.emitted_types().map(|(id, _)| id).collect();
    let mut added: Vec<BTreeSet<String>> = vec![BTreeSet::new(); api.types.len()];
    for derive in &config.derives.all {
        check_derive(config, derive)?;
        for &id in &ids {
            if cannot_hold(api, id, derive.get_ref()).is_none() {
                added[id.0].insert(derive.get_ref().clone());
            }
        }
    }
    for (type_name, list) in &config.derives.types {
        let Some(&id) = ids
            .iter()
            .find(|id| &api.ty(**id).name == type_name.get_ref())
        else {
            let candidates = ids.iter().map(|id| api.ty(*id).name.as_str());
            let why = not_a_schema_type(api, type_name.get_ref(), "[derives]", candidates);
            return Err(config.error_at(type_name, why));
        };
        for derive in list {
            check_derive(config, derive)?;
            if let Some(why) = cannot_hold(api, id, derive.get_ref()) {
                return Err(config.error_at(
                    derive,
                    format!(
                        "`{}` cannot derive `{}`: {why}",
                        type_name.get_ref(),
                        derive.get_ref()
                    ),
                ));
            }
            let holds = reach::reached(api, [&TypeRef::Named(id)]);
            for held in holds {
                // `Default` is the one derive the types it holds need not share.
                if held == id || derive.get_ref() != "Default" {
                    added[held.0].insert(derive.get_ref().clone());
                }
            }
        }
    }
    for (def, extra) in api.types.iter_mut().zip(added) {
        def.derives = extra.into_iter().collect();
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Member {
    Field,
    Variant,
}

/// `"Type.member" = "new"`: a struct field (by Rust or wire name) or an
/// enum or union variant, renamed in Rust; what travels stays.
fn rename_member(
    api: &mut Api,
    config: &ClientConfig,
    key: &Spanned<String>,
    to: &Spanned<String>,
    member: Member,
) -> Result<(), ConfigError> {
    let Some((type_name, from)) = key.get_ref().split_once('.') else {
        return Err(config.error_at(key, format!("`{}` is not `Type.name`", key.get_ref())));
    };
    let Some(index) = api.types.iter().position(|t| t.name == type_name) else {
        let candidates = api.emitted_types().map(|(_, t)| t.name.as_str());
        let table = match member {
            Member::Field => "[rename.fields]",
            Member::Variant => "[rename.variants]",
        };
        let why = not_a_schema_type(api, type_name, table, candidates);
        return Err(config.error_at(key, why));
    };
    let new = to.get_ref().as_str();
    let well_formed = match member {
        Member::Field => naming::field_name(new) == new,
        Member::Variant => naming::type_name(new) == new,
    };
    let def = &mut api.types[index];
    // Every member's Rust name, with the one renamed (by position).
    let members: Vec<(String, Option<String>)> = match (&def.kind, member) {
        (TypeKind::Struct(s), Member::Field) => {
            let mut all: Vec<(String, Option<String>)> = s
                .fields
                .iter()
                .map(|f| (f.name.clone(), Some(f.wire_name.clone())))
                .collect();
            all.push((s.additional_name.clone(), None));
            all
        }
        (TypeKind::Enum(e), Member::Variant) => e
            .variants
            .iter()
            .map(|v| (v.name.clone(), None))
            .chain(e.catch_all.clone().map(|c| (c, None)))
            .collect(),
        (TypeKind::Union(u), Member::Variant) => {
            u.variants.iter().map(|v| (v.name.clone(), None)).collect()
        }
        (TypeKind::Tagged(t), Member::Variant) => {
            t.variants.iter().map(|v| (v.name.clone(), None)).collect()
        }
        _ => {
            let what = if member == Member::Field {
                "a struct"
            } else {
                "an enum or union"
            };
            return Err(config.error_at(key, format!("`{type_name}` is not {what}")));
        }
    };
    let Some(position) = members
        .iter()
        .position(|(name, wire)| name == from || wire.as_deref() == Some(from))
    else {
        let hint = closest(from, members.iter().map(|(n, _)| n.as_str()));
        return Err(config.error_at(key, format!("`{type_name}` has no `{from}`{hint}")));
    };
    if !well_formed
        || members
            .iter()
            .enumerate()
            .any(|(i, (name, _))| i != position && name == new)
    {
        let case = if member == Member::Field {
            "snake_case field"
        } else {
            "UpperCamelCase variant"
        };
        return Err(config.error_at(
            to,
            format!("`{new}` is not a free {case} name in `{type_name}`"),
        ));
    }
    match &mut def.kind {
        TypeKind::Struct(s) if position < s.fields.len() => {
            s.fields[position].name = new.to_owned()
        }
        TypeKind::Struct(s) => s.additional_name = new.to_owned(),
        TypeKind::Enum(e) if position < e.variants.len() => {
            e.variants[position].name = new.to_owned()
        }
        TypeKind::Enum(e) => e.catch_all = Some(new.to_owned()),
        TypeKind::Union(u) => u.variants[position].name = new.to_owned(),
        TypeKind::Tagged(t) => t.variants[position].name = new.to_owned(),
        TypeKind::Alias(_) => {}
    }
    Ok(())
}

/// `[replace]`: a schema's type is the caller's; the crate declares an
/// alias of it (and adds the dependency it names).
pub(super) fn replace(api: &mut Api, config: &ClientConfig) -> Result<(), ConfigError> {
    for (name, replacement) in &config.replace {
        let Some(index) = api.types.iter().position(|t| &t.name == name.get_ref()) else {
            let candidates = api.emitted_types().map(|(_, t)| t.name.as_str());
            let why = not_a_schema_type(api, name.get_ref(), "[replace]", candidates);
            return Err(config.error_at(name, why));
        };
        let path = replacement.path.get_ref();
        if syn::parse_str::<syn::Type>(path).is_err() {
            return Err(config.error_at(&replacement.path, format!("`{path}` is not a Rust type")));
        }
        if let Some(dependency) = &replacement.dependency {
            if toml::from_str::<toml::Table>(dependency.get_ref()).is_err() {
                return Err(config.error_at(
                    dependency,
                    format!(
                        "`{}` is not a `[dependencies]` line (`name = \"1\"`)",
                        dependency.get_ref()
                    ),
                ));
            }
            api.extra_dependencies.push(dependency.get_ref().clone());
        }
        api.types[index].replaced_by = Some(path.clone());
    }
    Ok(())
}
