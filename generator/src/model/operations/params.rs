//! Parameters: the path item's and the operation's merged, their schemas
//! converted, their names chosen, and how OpenAPI says each is written.

use super::OperationBuilder;
use crate::error::Pointer;
use crate::model::naming::{self, Namespace};
use crate::model::{Docs, Param, ParamLocation, ParamStyle, TypeRef};
use indexmap::IndexMap;
use openapiv3::{MediaType, Parameter, ParameterSchemaOrContent, ReferenceOr};

impl<'a> OperationBuilder<'a, '_> {
    /// The operation's parameters: the path item's, overridden by the
    /// operation's own with the same name and location, each converted.
    pub(super) fn params(
        &mut self,
        path_level: &'a [ReferenceOr<Parameter>],
        op_level: &'a [ReferenceOr<Parameter>],
    ) -> Vec<Param> {
        // Operation-level parameters override path-level ones with the same
        // name and location.
        let mut merged: IndexMap<(String, &'static str), (&Parameter, Pointer)> = IndexMap::new();
        let path_at = self.at.segments().collect::<Vec<_>>();
        let path_item_at = Pointer::root()
            .join("paths")
            .join(path_at.get(1).cloned().unwrap_or_default());
        for (list, base) in [
            (path_level, path_item_at.join("parameters")),
            (op_level, self.at.join("parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let at = base.join(i.to_string());
                if let Some((param, place)) = self.resolve(p, &at, "parameters", |c| &c.parameters)
                {
                    let data = param.parameter_data_ref();
                    merged.insert((data.name.clone(), location_key(param)), (param, place));
                }
            }
        }
        let mut names = Namespace::with_reserved(naming::METHOD_ARGUMENTS);
        let mut out = Vec::new();
        for ((_, _), (param, at)) in merged {
            let data = param.parameter_data_ref();
            let location = match param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let hint = format!("{}{}", self.prefix, naming::type_name(&data.name));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    self.converter.convert(schema, &at.join("schema"), &hint)
                }
                ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                    Some((
                        media,
                        MediaType {
                            schema: Some(schema),
                            ..
                        },
                    )) => self.converter.convert(
                        schema,
                        &at.join("content").join(media).join("schema"),
                        &hint,
                    ),
                    _ => TypeRef::String,
                },
            };
            let (ty, _) = ty.strip_nullable();
            let style = param_style(param);
            // OpenAPI: `explode` defaults to true for `form`, false otherwise.
            let explode = data.explode.unwrap_or(style == ParamStyle::Form);
            let desired = match location {
                ParamLocation::Path => naming::argument_name(&data.name),
                _ => naming::field_name(&data.name),
            };
            let (name, _) = names.claim(&desired);
            out.push(Param {
                name,
                wire_name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                style,
                explode,
                sensitive: naming::is_sensitive_name(&data.name),
                docs: Docs {
                    text: data.description.clone().filter(|d| !d.trim().is_empty()),
                    deprecated: data.deprecated.unwrap_or(false),
                },
            });
        }
        out
    }
}

/// The parameter a path template names but the operation does not declare.
pub(super) fn undeclared_path_param(wire: &str, existing: &[Param]) -> Param {
    let mut reserved: Vec<&str> = existing.iter().map(|p| p.name.as_str()).collect();
    reserved.extend(naming::METHOD_ARGUMENTS);
    let (name, _) = Namespace::with_reserved(&reserved).claim(&naming::argument_name(wire));
    Param {
        name,
        wire_name: wire.to_owned(),
        location: ParamLocation::Path,
        ty: TypeRef::String,
        required: true,
        style: ParamStyle::Simple,
        explode: false,
        sensitive: naming::is_sensitive_name(wire),
        docs: Docs::default(),
    }
}

fn param_style(p: &Parameter) -> ParamStyle {
    use openapiv3::{PathStyle, QueryStyle};
    match p {
        Parameter::Path { style, .. } => match style {
            PathStyle::Simple => ParamStyle::Simple,
            PathStyle::Label => ParamStyle::Label,
            PathStyle::Matrix => ParamStyle::Matrix,
        },
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => ParamStyle::Form,
            QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
            QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        Parameter::Header { .. } => ParamStyle::Simple,
        Parameter::Cookie { .. } => ParamStyle::Form,
    }
}

fn location_key(p: &Parameter) -> &'static str {
    match p {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}
