//! Building the model: the loaded document through schema conversion,
//! operations, diagnostics and samples into an [`Api`].

use super::{
    Api, TypeKind, configure, diagnostics, formats, groups, naming, operations, pagination,
    samples, schemas,
};
use crate::config::ClientConfig;
use crate::error::{Error, Pointer, WarningKind};
use crate::load::Document;
use serde_json::Value;

/// See [`Api::sensitive_keys`].
fn sensitive_keys(api: &Api) -> Vec<String> {
    let fields = api.types.iter().flat_map(|t| match &t.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter(|f| f.sensitive)
            .map(|f| f.wire_name.as_str())
            .collect(),
        _ => Vec::new(),
    });
    let params = api.operations.iter().flat_map(|op| {
        op.params
            .iter()
            .filter(|p| p.sensitive)
            .map(|p| p.wire_name.as_str())
    });
    let keys: std::collections::BTreeSet<&str> = fields
        .chain(params)
        .chain(naming::COMMON_SECRET_KEYS.iter().copied())
        .collect();
    keys.into_iter().map(str::to_owned).collect()
}

/// A union of a number and a string is how FastAPI (pydantic) describes a
/// `Decimal`: its docs say which variant keeps such a value exact.
fn note_decimal_unions(types: &mut [super::TypeDef]) {
    for def in types {
        let TypeKind::Union(union) = &def.kind else {
            continue;
        };
        let [a, b] = union.variants.as_slice() else {
            continue;
        };
        let (number, string) = match (&a.ty, &b.ty) {
            (super::TypeRef::Float(_), super::TypeRef::String) => (a, b),
            (super::TypeRef::String, super::TypeRef::Float(_)) => (b, a),
            _ => continue,
        };
        let note = format!(
            "A decimal, as FastAPI describes one: send an exact value (money, say) as the `{}` variant (`\"12.30\"`); the `{}` variant is a float, which may round it.",
            string.name, number.name
        );
        def.docs.text = Some(match def.docs.text.take() {
            Some(text) => format!("{text}\n\n{note}"),
            None => note,
        });
    }
}

/// The JSON Schema dialect 3.1 documents use unless they say otherwise.
const OAS_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// 3.1 parts of a document that a client has no use for, and 3.2 parts it
/// does not support yet (set aside at load).
fn document_level_warnings(doc: &Document, diagnostics: &mut diagnostics::Diagnostics) {
    let root = Pointer::root();
    let left_out = doc
        .raw
        .get(crate::load::normalize::X_LEFT_OUT)
        .and_then(Value::as_array);
    for entry in left_out.into_iter().flatten() {
        let pointer = entry["pointer"]
            .as_str()
            .and_then(Pointer::from_ref)
            .unwrap_or_else(Pointer::root);
        let message = entry["message"].as_str().unwrap_or_default();
        diagnostics.warn(WarningKind::LeftOut, &pointer, message);
    }
    if doc
        .raw
        .get("webhooks")
        .and_then(Value::as_object)
        .is_some_and(|w| !w.is_empty())
    {
        diagnostics.warn(
            WarningKind::LeftOut,
            &root.join("webhooks"),
            "webhooks are requests the API makes, not a client; no methods are generated for them (the schemas they use are)",
        );
    }
    if let Some(dialect) = doc.raw.get("jsonSchemaDialect").and_then(Value::as_str) {
        if dialect.trim_end_matches('#') != OAS_DIALECT {
            diagnostics.warn(
                WarningKind::Unenforced,
                &root.join("jsonSchemaDialect"),
                format!("schemas are read as the OpenAPI 3.1 dialect, not `{dialect}`"),
            );
        }
    }
}

/// `info.summary` (3.1) and `info.description`, for the crate docs.
fn describe(doc: &Document) -> Option<String> {
    let summary = doc.raw["info"]["summary"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let description = doc.openapi.info.description.as_deref().map(str::trim);
    match (summary, description) {
        (Some(s), Some(d)) if !d.is_empty() => Some(format!("{s}\n\n{d}")),
        (Some(s), _) => Some(s.to_owned()),
        (None, d) => d.map(str::to_owned),
    }
}

/// Builds the model of a loaded document; every [`Error::Local`] defect
/// is an error.
pub fn build(doc: &Document) -> Result<Api, Error> {
    build_with(doc, false)
}

/// Builds the model; with `lenient`, each [`Error::Local`] defect degrades
/// its part of the document and becomes a warning.
pub fn build_with(doc: &Document, lenient: bool) -> Result<Api, Error> {
    build_configured(doc, lenient, &ClientConfig::default())
}

/// Builds the model as [`build_with`] does, with what `config` changes
/// (operations kept, names, derives).
pub fn build_configured(
    doc: &Document,
    lenient: bool,
    config: &ClientConfig,
) -> Result<Api, Error> {
    let info = &doc.openapi.info;
    let formats = formats::chosen(config)?;
    let mut converter = schemas::Converter::new(doc, lenient, formats);
    converter.register_components();
    converter.convert_components();
    let mut diagnostics = diagnostics::Diagnostics::new(lenient);
    let security_schemes = operations::security_schemes(doc, &mut diagnostics);
    let renames: Vec<(String, String)> = config
        .rename
        .operations
        .iter()
        .map(|(from, to)| (from.get_ref().clone(), to.get_ref().clone()))
        .collect();
    let (mut drafts, media_examples, rename_outcomes) = operations::operations(
        doc,
        &mut converter,
        &mut diagnostics,
        &security_schemes,
        &renames,
    );
    document_level_warnings(doc, &mut diagnostics);
    let (types, schema_diagnostics) = converter.finish();
    diagnostics.absorb(schema_diagnostics);
    let diagnostics::Diagnostics {
        mut warnings,
        mut errors,
        ..
    } = diagnostics;
    // In the order of the document's places, whichever part found them.
    errors.sort_by(|a, b| a.pointer().cmp(&b.pointer()));
    Error::collect(errors)?;
    configure::filter_operations(&mut drafts, &doc.raw, config)?;
    let (operations, operation_types) = operations::finish(&types, drafts);
    let mut api = Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: describe(doc),
        default_server: doc.openapi.servers.first().map(|s| s.url.clone()),
        types,
        operations,
        operation_types,
        security_schemes,
        mutual_tls: crate::load::normalize::mutual_tls_schemes(&doc.raw)
            .keys()
            .cloned()
            .collect(),
        samples: Vec::new(),
        skipped_samples: Vec::new(),
        contract_calls: Vec::new(),
        warnings: Vec::new(),
        shadowed_std_names: Default::default(),
        sensitive_keys: Vec::new(),
        form_only: Default::default(),
        pruned: Default::default(),
        extra_dependencies: Vec::new(),
        groups: Vec::new(),
        formats,
        notes: Vec::new(),
    };
    api.pruned = configure::prune_types(&api, config);
    configure::rename(&mut api, config, &rename_outcomes)?;
    configure::replace(&mut api, config)?;
    formats::decimal_unions(&mut api, &doc.raw);
    note_decimal_unions(&mut api.types);
    configure::derives(&mut api, config)?;
    pagination::configured(&mut api, &doc.raw, config)?;
    // Before grouping: the notes name the operations as configured.
    api.notes = pagination::suggestions(&api, &doc.raw, config);
    groups::group_by_tag(&mut api, &doc.raw, config)?;
    api.form_only = operations::form_only(&api);
    super::reach::mark_explicit_nulls(&mut api);
    api.sensitive_keys = sensitive_keys(&api);
    const STD_NAMES: [&str; 9] = [
        "String", "Option", "Vec", "Box", "From", "Some", "None", "Ok", "Err",
    ];
    // Operations' own types are declared in the same module.
    let declared = api.types.iter().map(|t| &t.name);
    let declared = declared.chain(api.operation_types.iter().map(|t| &t.name));
    api.shadowed_std_names = declared
        .filter(|name| STD_NAMES.contains(&name.as_str()))
        .cloned()
        .collect();
    // The examples of operations the configuration left out may be of
    // types no longer emitted.
    let media_examples: Vec<_> = media_examples
        .into_iter()
        .filter(|example| !configure::mentions_pruned(&api, &example.ty))
        .collect();
    let (samples, skipped, sample_warnings) = samples::samples(&api, doc, &media_examples);
    api.samples = samples;
    api.skipped_samples = skipped;
    api.contract_calls = super::contract::calls(&api, &doc.raw);
    warnings.extend(sample_warnings);
    warnings.sort();
    warnings.dedup();
    api.warnings = warnings;
    Ok(api)
}
