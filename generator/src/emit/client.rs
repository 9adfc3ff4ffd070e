//! `client.rs`: the `Client` with its credentials and one async method per
//! operation.

use super::{docs, ident, operation};
use crate::model::{Api, Operation, ParamLocation, ResponseBody, SchemeKind, Success, TypeRef};
use proc_macro2::TokenStream;
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
    let without_credentials = (!api.security_schemes.is_empty()).then(|| {
        let fields = api.security_schemes.iter().map(|s| ident(&s.field));
        quote! {
            /// A copy of this client that sends no credentials (for a
            /// credential provider's own calls, which must not ask itself).
            pub fn without_credentials(mut self) -> Self {
                #(self.#fields = None;)*
                self
            }
        }
    });
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
    let mutual_tls_doc = (!api.mutual_tls.is_empty()).then(|| {
        let keys: Vec<String> = api.mutual_tls.iter().map(|k| format!("`{k}`")).collect();
        let line = format!(
            " The API authenticates clients by certificate (mutual TLS, scheme {}): pass `http_client_builder().identity(reqwest::Identity::from_pem(&pem)?)` here.",
            keys.join(", ")
        );
        quote!(#[doc = ""] #[doc = #line])
    });
    let methods = api
        .operations
        .iter()
        .filter(|op| op.group.is_none())
        .map(|op| {
            let method = operation::operation(api, op, &types);
            let pages = super::paginate::page_helper(api, op, &types);
            quote!(#method #pages)
        });
    let accessors = api.groups.iter().map(|group| {
        let accessor = ident(&group.accessor);
        let type_name = ident(&group.type_name);
        let doc = format!(
            " The operations tagged `{}`: [`groups::{}`].",
            group.tag.replace('`', "'"),
            group.type_name
        );
        quote! {
            #[doc = #doc]
            pub fn #accessor(&self) -> groups::#type_name<'_> {
                groups::#type_name { client: self }
            }
        }
    });
    let groups = groups(api, &types);
    let mut imports = vec![quote!(Config)];
    if !api.operations.is_empty() {
        imports.extend([quote!(Error), quote!(PendingRequest), quote!(ResponseValue)]);
    }
    let uses = |check: &dyn Fn(&crate::model::Operation) -> bool| api.operations.iter().any(check);
    if uses(&|op| {
        op.params
            .iter()
            .any(|p| matches!(p.location, ParamLocation::Path | ParamLocation::Query))
    }) {
        imports.push(quote!(Style));
    }
    if uses(&|op| op.form_type.is_some()) {
        imports.push(quote!(Multipart));
    }
    if !api.security_schemes.is_empty() {
        imports.extend([
            quote!(Credential),
            quote!(CredentialProvider),
            quote!(Secret),
        ]);
    }
    let use_types = api.operations.iter().any(uses_types_module).then(|| {
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
            base_url: crate::runtime::BaseUrl,
            http: crate::runtime::HttpClient,
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
                    base_url: crate::runtime::BaseUrl::new(base_url.into()),
                    http: crate::runtime::HttpClient::default(),
                    config: Config::default(),
                    #(#cred_init)*
                }
            }

            /// Uses the `reqwest::Client` that `builder` builds (for
            /// proxies, custom TLS roots, client certificates, connection
            /// pool settings), with `reqwest`'s own redirects and `Referer`
            /// turned off: the runtime walks redirects itself and keeps
            /// credentials and bodies on the API's origin. Start from
            /// [`http_client_builder`](crate::http_client_builder). If the
            /// client cannot be built, every call fails with
            /// [`Error::InvalidRequest`](crate::Error::InvalidRequest)
            /// saying why.
            #mutual_tls_doc
            pub fn with_http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
                self.http = crate::runtime::HttpClient::from_builder(builder);
                self
            }

            /// Uses this `reqwest::Client` as it is. Prefer
            /// [`Self::with_http_client_builder`]: the runtime cannot see
            /// whether a built client follows redirects itself, which would
            /// bypass the checks that keep credentials and bodies on the
            /// API's origin, so with one given here connection errors
            /// cannot prove that a request never reached the API (POST and
            /// PATCH are not retried after one) and
            /// [`Self::redirects_are_checked`] is false.
            pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
                self.http = crate::runtime::HttpClient::supplied(http);
                self
            }

            /// Whether every redirect a call meets is decided by the
            /// runtime's rules (see [`RedirectPolicy`](crate::RedirectPolicy)):
            /// true unless a built client was given to
            /// [`Self::with_http_client`], which may follow redirects
            /// before the runtime sees them.
            pub fn redirects_are_checked(&self) -> bool {
                self.http.follows_no_redirects
            }

            /// Replaces the per-request settings.
            pub fn with_config(mut self, config: Config) -> Self {
                self.config = config;
                self
            }

            /// Sets the timeout of each attempt: from sending the request to
            /// the last byte of the response (for a streamed download, its
            /// head). Retries are further attempts, each with this timeout;
            /// [`Self::with_total_timeout`] bounds the whole call.
            pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.config.timeout = Some(timeout);
                self
            }

            /// Sets a deadline for each whole call: every attempt, redirect
            /// and wait between retries. When it passes, the call ends with
            /// [`Error::Timeout`](crate::Error::Timeout).
            pub fn with_total_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.config.total_timeout = Some(timeout);
                self
            }

            /// Replaces the redirect policy (see
            /// [`RedirectPolicy`](crate::RedirectPolicy) for what is followed).
            pub fn with_redirect_policy(mut self, redirects: crate::RedirectPolicy) -> Self {
                self.config.redirects = redirects;
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

            /// Adds a hook, run on every attempt of every call after the
            /// hooks added before it (see [`Hook`](crate::Hook)).
            pub fn with_hook(mut self, hook: impl crate::Hook) -> Self {
                self.config.hooks.push(hook);
                self
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.base_url.as_str()
            }

            /// The per-request settings (timeouts, retries, redirects, hooks).
            pub fn config(&self) -> &Config {
                &self.config
            }

            #(#setters)*
            #without_credentials
            #(#accessors)*
            #(#methods)*
        }

        #groups
    }
}

/// The `groups` module: a type per tag group, a `Copy` handle on the
/// client whose methods are the group's operations.
fn groups(api: &Api, types: &TokenStream) -> Option<TokenStream> {
    if api.groups.is_empty() {
        return None;
    }
    let declarations = api.groups.iter().enumerate().map(|(index, group)| {
        let type_name = ident(&group.type_name);
        let summary = format!(
            " The operations tagged `{}`, from [`Client::{}`](super::Client::{}).",
            group.tag.replace('`', "'"),
            group.accessor,
            group.accessor
        );
        let separator = group.docs.text.is_some().then(|| quote!(#[doc = ""]));
        let tag_docs = docs(&group.docs);
        let methods = api.operations_in_group(index).map(|op| {
            let method = operation::operation(api, op, types);
            let pages = super::paginate::page_helper(api, op, types);
            quote!(#method #pages)
        });
        quote! {
            #[doc = #summary] #separator #tag_docs
            #[derive(Clone, Copy, Debug)]
            pub struct #type_name<'a> {
                pub(super) client: &'a Client,
            }

            impl #type_name<'_> {
                #(#methods)*
            }
        }
    });
    quote! {
        /// The client's operations, grouped by their first tag (`codegen.toml`
        /// asks for it): `client.pets().list()`.
        pub mod groups {
            #[allow(unused_imports)]
            use super::*;

            #(#declarations)*
        }
    }
    .into()
}

/// Whether an operation's method names anything in the types module (so
/// `use crate::types;` is not left unused).
fn uses_types_module(op: &Operation) -> bool {
    let named = |t: &TypeRef| matches!(t, TypeRef::Named(_));
    let body = |b: &ResponseBody| match b {
        ResponseBody::Json(t) | ResponseBody::EventStream(Some(t)) | ResponseBody::JsonLines(t) => {
            t.contains(named)
        }
        _ => false,
    };
    op.params_type.is_some()
        || op.error_type.is_some()
        || op.form_type.is_some()
        || op.params.iter().any(|p| p.ty.contains(named))
        || op.body.as_ref().is_some_and(|b| b.ty.contains(named))
        || match &op.success {
            Success::PerStatus(_) => true,
            Success::Body(b) => body(b),
        }
}

fn credential_type(kind: &SchemeKind) -> TokenStream {
    match kind {
        // The user name stays; the password may come from a provider.
        SchemeKind::Basic => quote!((Secret, Credential)),
        SchemeKind::Bearer | SchemeKind::ApiKey { .. } => quote!(Credential),
    }
}

fn setter(scheme: &crate::model::SecurityScheme) -> TokenStream {
    let field = ident(&scheme.field);
    let setter = ident(&scheme.setter);
    let provider_setter = ident(&scheme.provider_setter);
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
    let provider_summary = format!(
        " Takes {what} (security scheme `{}`) from `provider`, asked before every attempt of every call (retries included), so that it can change while this client and its clones run. When a request that carried it is answered `401`, the provider's [`CredentialProvider::on_unauthorized`] decides whether the request is sent once more with a renewed one.",
        scheme.key
    );
    let scheme_docs = docs(&scheme.docs);
    let separator = scheme.docs.text.is_some().then(|| quote!(#[doc = ""]));
    match scheme.kind {
        SchemeKind::Basic => quote! {
            #[doc = #summary] #separator #scheme_docs
            pub fn #setter(mut self, username: impl Into<Secret>, password: impl Into<Secret>) -> Self {
                self.#field = Some((username.into(), Credential::fixed(password.into())));
                self
            }

            #[doc = #provider_summary] #[doc = ""] #[doc = " The user name is fixed; the password comes from the provider."]
            pub fn #provider_setter(mut self, username: impl Into<Secret>, password: impl CredentialProvider + 'static) -> Self {
                self.#field = Some((username.into(), Credential::provided(password)));
                self
            }
        },
        _ => quote! {
            #[doc = #summary] #separator #scheme_docs
            pub fn #setter(mut self, credential: impl Into<Secret>) -> Self {
                self.#field = Some(Credential::fixed(credential.into()));
                self
            }

            #[doc = #provider_summary]
            pub fn #provider_setter(mut self, provider: impl CredentialProvider + 'static) -> Self {
                self.#field = Some(Credential::provided(provider));
                self
            }
        },
    }
}
