//! `client.rs`: the `Client` with its credentials and one async method per
//! operation.

use super::{docs, ident, ty};
use crate::model::{
    Api, BodyEncoding, Operation, ParamLocation, ResponseBody, SchemeKind, StatusMatch, TypeRef,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn client(api: &Api) -> TokenStream {
    let types = quote!(types);
    let cred_fields = api.security_schemes.iter().map(|s| {
        let field = ident(&s.field);
        let t = credential_type(&s.kind);
        quote!(#field: Option<#t>,)
    });
    let cred_init: Vec<_> = api
        .security_schemes
        .iter()
        .map(|s| {
            let field = ident(&s.field);
            quote!(#field: None,)
        })
        .collect();
    let cred_debug = api.security_schemes.iter().map(|s| {
        let field = ident(&s.field);
        let label = &s.field;
        quote!(.field(#label, &self.#field.as_ref().map(|_| "***")))
    });
    let setters = api.security_schemes.iter().map(setter);
    let default_server = api.default_server.as_ref().map(|url| {
        quote! {
            /// The server the API description lists first.
            pub const DEFAULT_BASE_URL: &'static str = #url;

            /// A client for [`Self::DEFAULT_BASE_URL`] with default settings.
            pub fn new() -> Self {
                Self::with_base_url(Self::DEFAULT_BASE_URL)
            }
        }
    });
    let default_impl = api.default_server.as_ref().map(|_| {
        quote! {
            impl Default for Client {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let methods = api.operations.iter().map(|op| operation(api, op, &types));
    let mut imports = vec![quote!(Config)];
    if !api.operations.is_empty() {
        imports.extend([quote!(Error), quote!(PendingRequest), quote!(ResponseValue)]);
    }
    if !api.security_schemes.is_empty() {
        imports.push(quote!(Secret));
    }
    let use_types = (!api.operations.is_empty()).then(|| {
        quote!(
            use crate::types;
        )
    });
    quote! {
        //! The API client.
        #![allow(deprecated)]
        // Descriptions come from the API document, not all of it tidy Markdown.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        use crate::runtime::{#(#imports),*};
        #use_types

        /// Client for the API. Cheap to clone: clones share one connection
        /// pool.
        #[derive(Clone)]
        pub struct Client {
            base_url: String,
            http: reqwest::Client,
            config: Config,
            #(#cred_fields)*
        }

        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Client")
                    .field("base_url", &self.base_url)
                    .field("config", &self.config)
                    #(#cred_debug)*
                    .finish_non_exhaustive()
            }
        }

        #default_impl

        impl Client {
            #default_server

            /// A client for another server (a mock, a staging deployment),
            /// e.g. `http://127.0.0.1:8080`.
            pub fn with_base_url(base_url: impl Into<String>) -> Self {
                Client {
                    base_url: base_url.into(),
                    http: crate::runtime::default_http_client(),
                    config: Config::default(),
                    #(#cred_init)*
                }
            }

            /// Uses this `reqwest::Client` (for proxies, custom TLS roots,
            /// connection pool settings).
            pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
                self.http = http;
                self
            }

            /// Replaces the per-request settings.
            pub fn with_config(mut self, config: Config) -> Self {
                self.config = config;
                self
            }

            /// Sets the whole-request timeout.
            pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.config.timeout = Some(timeout);
                self
            }

            /// Replaces the retry policy (see [`RetryPolicy`](crate::RetryPolicy)
            /// for what is retried); `RetryPolicy::disabled()` turns retries off.
            pub fn with_retry_policy(mut self, retry: crate::RetryPolicy) -> Self {
                self.config.retry = retry;
                self
            }

            /// A copy of this client that also retries POST and PATCH
            /// requests after failures that may have reached the server. Use
            /// it for a call you know is safe to repeat:
            /// `client.assume_idempotent().create_thing(&body)`.
            pub fn assume_idempotent(&self) -> Self {
                let mut client = self.clone();
                client.config.retry.retry_non_idempotent = true;
                client
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            #(#setters)*
            #(#methods)*
        }
    }
}

fn credential_type(kind: &SchemeKind) -> TokenStream {
    match kind {
        SchemeKind::Basic => quote!((Secret, Secret)),
        SchemeKind::Bearer | SchemeKind::ApiKey { .. } => quote!(Secret),
    }
}

fn setter(scheme: &crate::model::SecurityScheme) -> TokenStream {
    let field = ident(&scheme.field);
    let setter = ident(&scheme.setter);
    let what = match &scheme.kind {
        SchemeKind::Bearer => "the bearer token sent as `Authorization: Bearer <token>`".to_owned(),
        SchemeKind::Basic => "the user name and password sent as HTTP basic auth".to_owned(),
        SchemeKind::ApiKey { location, name } => {
            let place = match location {
                ParamLocation::Header => "header",
                ParamLocation::Query => "query parameter",
                ParamLocation::Cookie => "cookie",
                ParamLocation::Path => "path parameter",
            };
            format!("the API key sent in the `{name}` {place}")
        }
    };
    let summary = format!(
        " Sets {what} (security scheme `{}`), on the operations that use it. It never appears in `Debug` output.",
        scheme.key
    );
    let scheme_docs = docs(&scheme.docs);
    let separator = scheme.docs.text.is_some().then(|| quote!(#[doc = ""]));
    match scheme.kind {
        SchemeKind::Basic => quote! {
            #[doc = #summary] #separator #scheme_docs
            pub fn #setter(mut self, username: impl Into<Secret>, password: impl Into<Secret>) -> Self {
                self.#field = Some((username.into(), password.into()));
                self
            }
        },
        _ => quote! {
            #[doc = #summary] #separator #scheme_docs
            pub fn #setter(mut self, credential: impl Into<Secret>) -> Self {
                self.#field = Some(credential.into());
                self
            }
        },
    }
}

fn success_type(api: &Api, body: &ResponseBody, types: &TokenStream) -> TokenStream {
    match body {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(t) => ty(api, t, types),
        ResponseBody::Text => quote!(String),
        ResponseBody::Bytes => quote!(Vec<u8>),
    }
}

/// How a body is read from the response, as an expression.
fn read_body(body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(_) => quote!(response.json()?),
        ResponseBody::Text => quote!(response.text()),
        ResponseBody::Bytes => quote!(response.bytes()),
    }
}

fn status_pattern(status: StatusMatch) -> TokenStream {
    match status {
        StatusMatch::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        StatusMatch::Range(hundreds) => {
            let low = Literal::u16_unsuffixed(hundreds * 100);
            let high = Literal::u16_unsuffixed(hundreds * 100 + 99);
            quote!(#low..=#high)
        }
        StatusMatch::Default => quote!(_),
    }
}

/// Path parameters are taken by value when they are `Copy` scalars.
fn path_arg_type(api: &Api, t: &TypeRef, types: &TokenStream) -> TokenStream {
    match t {
        TypeRef::String => quote!(&str),
        TypeRef::Bool | TypeRef::Integer(_) | TypeRef::Float(_) => ty(api, t, types),
        other => {
            let t = ty(api, other, types);
            quote!(&#t)
        }
    }
}

fn operation(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let name = ident(&op.method_name);
    let doc = docs(&op.docs);
    let route = format!(" `{} {}`", op.http_method, op.path);
    let method = ident(&op.http_method);
    let path = &op.path;

    let mut args = Vec::new();
    let mut fill = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let arg = ident(&p.name);
        let t = path_arg_type(api, &p.ty, types);
        let wire = &p.wire_name;
        args.push(quote!(#arg: #t));
        fill.push(quote!(request.path_param(#wire, &#arg)?;));
    }
    if let Some(body) = &op.body {
        let t = match body.encoding {
            BodyEncoding::Json => {
                let t = ty(api, &body.ty, types);
                quote!(&#t)
            }
            BodyEncoding::Text => quote!(&str),
            BodyEncoding::Bytes => quote!(Vec<u8>),
        };
        let content_type = &body.content_type;
        let set = match body.encoding {
            BodyEncoding::Json => quote!(request.json_body(body, #content_type)?;),
            BodyEncoding::Text => {
                quote!(request.raw_body(body.as_bytes().to_vec(), #content_type);)
            }
            BodyEncoding::Bytes => quote!(request.raw_body(body, #content_type);),
        };
        if body.required {
            args.push(quote!(body: #t));
            fill.push(set);
        } else {
            args.push(quote!(body: Option<#t>));
            fill.push(quote!(if let Some(body) = body { #set }));
        }
    }
    if let Some(params_type) = &op.params_type {
        let t = ident(params_type);
        args.push(quote!(params: &#types::#t));
        for p in op
            .params
            .iter()
            .filter(|p| p.location != ParamLocation::Path)
        {
            let field = ident(&p.name);
            let wire = &p.wire_name;
            let explode = p.explode;
            fill.push(match p.location {
                ParamLocation::Query => quote!(request.query(#wire, &params.#field, #explode)?;),
                ParamLocation::Header => quote!(request.header(#wire, &params.#field)?;),
                ParamLocation::Cookie => quote!(request.cookie(#wire, &params.#field)?;),
                ParamLocation::Path => quote!(),
            });
        }
    }
    let auth = authorization(api, op);

    let success_ty = success_type(api, &op.success, types);
    let error_ty = match &op.error_type {
        Some(e) => {
            let e = ident(e);
            quote!(#types::#e)
        }
        None => quote!(std::convert::Infallible),
    };
    let mut arms: Vec<(StatusMatch, TokenStream)> = Vec::new();
    let read_success = read_body(&op.success);
    for status in &op.success_statuses {
        arms.push((
            *status,
            quote!({
                let body = #read_success;
                Ok(response.success(body))
            }),
        ));
    }
    if let Some(error_type) = &op.error_type {
        let error_type = ident(error_type);
        for case in &op.errors {
            let variant = ident(&case.variant);
            let value = match &case.body {
                ResponseBody::Empty => quote!(#types::#error_type::#variant),
                body => {
                    let read = read_body(body);
                    quote!(#types::#error_type::#variant(#read))
                }
            };
            arms.push((
                case.status,
                quote!({
                    let body = #value;
                    Err(response.api_error(body))
                }),
            ));
        }
    }
    // Exact codes before ranges before the catch-all.
    arms.sort_by_key(|(s, _)| match s {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    });
    let has_default = arms.iter().any(|(s, _)| *s == StatusMatch::Default);
    let arms = arms.iter().map(|(s, body)| {
        let pattern = status_pattern(*s);
        quote!(#pattern => #body)
    });
    let fallback = (!has_default).then(|| quote!(_ => Err(response.unexpected()),));
    let binding = if fill.is_empty() && auth.is_empty() {
        quote!(request)
    } else {
        quote!(mut request)
    };
    quote! {
        #doc
        #[doc = ""]
        #[doc = #route]
        pub async fn #name(&self, #(#args),*) -> Result<ResponseValue<#success_ty>, Error<#error_ty>> {
            let #binding = PendingRequest::new(reqwest::Method::#method, #path);
            #(#fill)*
            #auth
            let response = request.send(&self.http, &self.base_url, &self.config).await?;
            match response.status().as_u16() {
                #(#arms,)*
                #fallback
            }
        }
    }
}

/// Applies the first security alternative whose credentials are all set.
/// With none set the request goes out without credentials, and the server
/// decides (an operation may accept anonymous calls).
fn authorization(api: &Api, op: &Operation) -> TokenStream {
    let mut branches = Vec::new();
    for alternative in op.security.iter().filter(|a| !a.is_empty()) {
        let schemes: Vec<_> = alternative
            .iter()
            .map(|i| &api.security_schemes[*i])
            .collect();
        let bindings: Vec<_> = schemes.iter().map(|s| ident(&s.field)).collect();
        let fields: Vec<_> = schemes
            .iter()
            .map(|s| {
                let f = ident(&s.field);
                quote!(&self.#f)
            })
            .collect();
        let apply = schemes.iter().zip(&bindings).map(|(s, b)| match &s.kind {
            SchemeKind::Bearer => quote!(request.bearer_auth(#b)?;),
            SchemeKind::Basic => quote!(request.basic_auth(&#b.0, Some(&#b.1));),
            SchemeKind::ApiKey { location, name } => match location {
                ParamLocation::Query => quote!(request.secret_query(#name, #b);),
                ParamLocation::Cookie => quote!(request.secret_cookie(#name, #b);),
                _ => quote!(request.secret_header(#name, #b)?;),
            },
        });
        let pattern = if bindings.len() == 1 {
            let b = &bindings[0];
            let f = &fields[0];
            quote!(let Some(#b) = #f)
        } else {
            quote!(let (#(Some(#bindings)),*) = (#(#fields),*))
        };
        branches.push(quote!(if #pattern { #(#apply)* }));
    }
    if branches.is_empty() {
        return quote!();
    }
    quote!(#(#branches)else*)
}
