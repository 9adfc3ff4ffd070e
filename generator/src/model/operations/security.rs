//! Security schemes → the client's credential fields and setters.

use crate::error::Pointer;
use crate::error::WarningKind;
use crate::load::Document;
use crate::model::diagnostics::Diagnostics;
use crate::model::naming::{self, Namespace};
use crate::model::{Docs, ParamLocation, SchemeKind, SecurityScheme};
use openapiv3::ReferenceOr;

pub(in crate::model) fn security_schemes(
    doc: &Document,
    diagnostics: &mut Diagnostics,
) -> Vec<SecurityScheme> {
    let base = Pointer::root().join("components").join("securitySchemes");
    for key in crate::load::normalize::mutual_tls_schemes(&doc.raw).keys() {
        diagnostics.warn(
            WarningKind::LeftOut,
            &base.join(key),
            "mutualTLS: the client certificate is not set by the generated client; give a reqwest::ClientBuilder with a reqwest::Identity to `Client::with_http_client_builder`",
        );
    }
    let Some(components) = &doc.openapi.components else {
        return Vec::new();
    };
    let mut entries: Vec<_> = components.security_schemes.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut schemes = Vec::new();
    for (key, scheme) in entries {
        let at = base.join(key);
        let ReferenceOr::Item(scheme) = scheme else {
            diagnostics.warn(
                WarningKind::LeftOut,
                &at,
                "referenced security schemes are not supported; scheme skipped",
            );
            continue;
        };
        use openapiv3::SecurityScheme as S;
        let (kind, description) = match scheme {
            S::HTTP {
                scheme,
                description,
                ..
            } => match scheme.to_ascii_lowercase().as_str() {
                "bearer" => (SchemeKind::Bearer, description),
                "basic" => (SchemeKind::Basic, description),
                other => {
                    diagnostics.warn(
                        WarningKind::LeftOut,
                        &at,
                        format!("HTTP auth scheme `{other}` is not supported; scheme skipped"),
                    );
                    continue;
                }
            },
            S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                (SchemeKind::Bearer, description)
            }
            S::APIKey {
                location,
                name,
                description,
                ..
            } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                    openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                    openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                (
                    SchemeKind::ApiKey {
                        location,
                        name: name.clone(),
                    },
                    description,
                )
            }
        };
        schemes.push(SecurityScheme {
            key: key.clone(),
            kind,
            field: String::new(),
            setter: String::new(),
            provider_setter: String::new(),
            docs: Docs {
                text: description.clone(),
                deprecated: false,
            },
        });
    }
    // `with_bearer_token` when there is one bearer scheme; otherwise the
    // scheme's key tells them apart.
    let mut names = Namespace::with_reserved(naming::CLIENT_MEMBERS);
    let kinds: Vec<&'static str> = schemes.iter().map(|s| kind_word(&s.kind)).collect();
    for (scheme, kind) in schemes.iter_mut().zip(&kinds) {
        let alone = kinds.iter().filter(|k| *k == kind).count() == 1;
        let key = naming::field_name(&scheme.key);
        let field = if alone {
            (*kind).to_owned()
        } else if kind.split('_').any(|word| key.contains(word)) {
            // `apiKeyHeader` reads well as it is: `api_key_header`.
            key
        } else {
            format!("{key}_{kind}")
        };
        let (field, _) = names.claim(&field);
        scheme.setter = naming::credential_setter(&field);
        (scheme.provider_setter, _) = names.claim(&naming::provider_setter(&field));
        scheme.field = field;
    }
    schemes
}

fn kind_word(kind: &SchemeKind) -> &'static str {
    match kind {
        SchemeKind::Bearer => "bearer_token",
        SchemeKind::Basic => "basic_auth",
        SchemeKind::ApiKey { .. } => "api_key",
    }
}
