//! `mock.rs` (cargo feature `mock`): a typed mock builder per operation,
//! each a thin wrapper over the runtime's `MockCall`.

use super::args::{borrowed_type, path_arg_type, style};
use super::{ident, operation_type, ty};
use crate::model::{
    Api, BodyEncoding, Operation, ParamLocation, ResponseBody, ResponseCase, Success,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn mock(api: &Api) -> TokenStream {
    let types = quote!(types);
    let starts = api
        .operations
        .iter()
        .filter(|op| op.group.is_none())
        .map(|op| start(api, op, &quote!(self)));
    let accessors = api.groups.iter().map(|group| {
        let accessor = ident(&group.accessor);
        let mock_type = ident(&group.mock_type);
        let doc = format!(
            " Mocks of the operations tagged `{}` ([`{}`](crate::groups::{})).",
            group.tag.replace('`', "'"),
            group.type_name,
            group.type_name
        );
        quote! {
            #[doc = #doc]
            pub fn #accessor(&self) -> #mock_type<'_> {
                #mock_type(self)
            }
        }
    });
    let groups = api.groups.iter().enumerate().map(|(index, group)| {
        let mock_type = ident(&group.mock_type);
        let doc = format!(
            " Mocks of the operations tagged `{}`, from [`MockServer::{}`].",
            group.tag.replace('`', "'"),
            group.accessor
        );
        let starts = api
            .operations_in_group(index)
            .map(|op| start(api, op, &quote!(self.0)));
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug)]
            pub struct #mock_type<'a>(&'a MockServer);

            impl<'a> #mock_type<'a> {
                #(#starts)*
            }
        }
    });
    let builders = api.operations.iter().map(|op| builder(api, op, &types));
    let uses_style = api
        .operations
        .iter()
        .any(|op| op.params.iter().any(|p| p.location == ParamLocation::Path));
    let use_style = uses_style.then(|| {
        quote!(
            use crate::runtime::Style;
        )
    });
    let use_types = (!api.operations.is_empty()).then(|| {
        quote!(
            #[allow(unused_imports)]
            use crate::types;
        )
    });
    quote! {
        //! Typed mocks of the API's operations, for the tests of code that
        //! uses this client (cargo feature `mock`, on `wiremock`).
        //!
        //! [`MockServer::start`] starts an in-process server and
        //! [`MockServer::client`] a client for it; one method per operation
        //! mounts a mock of it, which matches the call (optionally its path
        //! parameters and JSON body) and answers with a typed success, a
        //! declared error or a status.
        #![allow(deprecated)]

        pub use crate::runtime::{MockCall, MockServer};
        pub use wiremock;
        #use_style
        #use_types

        impl MockServer {
            #(#accessors)*
            #(#starts)*
        }

        #(#groups)*
        #(#builders)*
    }
}

/// The method that starts a mock of `op`, on `MockServer` (`server` is
/// `self`) or on a group's mocks (`self.0`, the server they borrow).
fn start(api: &Api, op: &Operation, server: &TokenStream) -> TokenStream {
    let method = ident(&op.mock.method);
    let builder = ident(&op.mock.builder);
    let http_method = op.http_method.as_str();
    let path = &op.path;
    let (shown, link) = api.method_link(op);
    let doc = format!(" Mocks [`{shown}`]({link}): `{http_method} {path}`.");
    let call = match &op.accept {
        Some(accept) => quote!(#server.call(#http_method, #path).accepting(#accept)),
        None => quote!(#server.call(#http_method, #path)),
    };
    // A group's mocks return a builder that borrows the server, not them.
    let lifetime = match op.group {
        Some(_) => quote!('a),
        None => quote!('_),
    };
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> #builder<#lifetime> {
            #builder(#call)
        }
    }
}

fn builder(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let builder = ident(&op.mock.builder);
    let (shown, link) = api.method_link(op);
    let doc = format!(" A mock of [`{shown}`]({link}), mounted by one of its `respond_` methods.");
    let path_methods = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .zip(&op.mock.path_methods)
        .map(|(p, method)| {
            let method = ident(method);
            let arg = ident(&p.name);
            let t = path_arg_type(api, &p.ty, types);
            let wire = &p.wire_name;
            let (style, explode) = (style(p.style), p.explode);
            let line = format!(" Matches only calls whose `{}` is this value.", p.name);
            quote! {
                #[doc = #line]
                pub fn #method(self, #arg: #t) -> Self {
                    Self(self.0.path_param(#wire, &#arg, #style, #explode))
                }
            }
        });
    let body_method = op
        .body
        .as_ref()
        .filter(|body| body.encoding == BodyEncoding::Json)
        .map(|body| {
            let t = borrowed_type(api, &body.ty, types);
            quote! {
                /// Matches only calls whose JSON body equals `body`.
                pub fn with_body(self, body: #t) -> Self {
                    Self(self.0.json_body(serde_json::to_value(body).unwrap_or_default()))
                }
            }
        });
    let respond_ok = respond_ok(api, op, types);
    let respond_error = respond_error(api, op, types);
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        #[must_use = "a mock does nothing until a `respond_` method mounts it"]
        pub struct #builder<'a>(MockCall<'a>);

        impl<'a> #builder<'a> {
            #(#path_methods)*
            #body_method
            #respond_ok
            #respond_error
            // `expect`, `times`, `respond_status` and `into_call`.
            crate::runtime::shared_mock_methods!();
        }
    }
}

/// The statement that answers a case with status `status` and the body
/// `value` (an expression of the case's body type, by reference).
fn answer(body: &ResponseBody, status: u16, value: TokenStream) -> TokenStream {
    let status = Literal::u16_unsuffixed(status);
    match body {
        ResponseBody::Empty => quote!(self.0.respond_status(#status).await),
        ResponseBody::Json(_) => {
            quote!(self.0.respond_json(#status, serde_json::to_value(#value)).await)
        }
        ResponseBody::Text => quote!(self.0.respond_text(#status, #value).await),
        ResponseBody::Bytes => quote!(self.0.respond_bytes(#status, #value).await),
        ResponseBody::EventStream(Some(_)) => quote! {
            self.0.respond_events(#status, #value.iter().map(serde_json::to_string).collect()).await
        },
        ResponseBody::EventStream(None) => quote! {
            self.0.respond_events(#status, #value.iter().map(|item| Ok(item.to_string())).collect()).await
        },
        ResponseBody::JsonLines(_) => quote! {
            self.0.respond_json_lines(#status, #value.iter().map(serde_json::to_value).collect()).await
        },
    }
}

/// `respond_ok`: the success value, as the operation returns it.
fn respond_ok(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let doc = quote!(#[doc = " Answers with a success, as the client returns it."]);
    let success = match &op.success {
        Success::Body(body) => body,
        Success::PerStatus(success_type) => {
            let enum_type = operation_type(api, *success_type);
            let arms = op
                .successes
                .iter()
                .map(|case| enum_arm(op, case, types, &enum_type));
            return quote! {
                #doc
                pub async fn respond_ok(self, value: #types::#enum_type) {
                    match value { #(#arms)* }
                }
            };
        }
    };
    let Some(case) = op.successes.first() else {
        return quote!();
    };
    let status = op.answer_status(case);
    let (arg, value) = match success {
        ResponseBody::Empty => (quote!(), quote!()),
        ResponseBody::Json(t) => {
            let t = borrowed_type(api, t, types);
            (quote!(, body: #t), quote!(body))
        }
        ResponseBody::Text => (quote!(, body: &str), quote!(body)),
        ResponseBody::Bytes => (quote!(, body: &[u8]), quote!(body)),
        // A stream answers with its items, in order.
        ResponseBody::EventStream(Some(t)) | ResponseBody::JsonLines(t) => {
            let t = ty(api, t, types);
            (quote!(, items: &[#t]), quote!(items))
        }
        ResponseBody::EventStream(None) => (quote!(, items: &[&str]), quote!(items)),
    };
    let answer = answer(success, status, value);
    quote! {
        #doc
        pub async fn respond_ok(self #arg) {
            #answer
        }
    }
}

/// `respond_error`: one of the operation's declared errors.
fn respond_error(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let Some(error_type) = op.error_type else {
        return quote!();
    };
    let enum_type = operation_type(api, error_type);
    let arms = op
        .errors
        .iter()
        .map(|case| enum_arm(op, case, types, &enum_type));
    quote! {
        /// Answers with a declared error, as the client returns it in
        /// `Error::Api`.
        pub async fn respond_error(self, error: #types::#enum_type) {
            match error { #(#arms)* }
        }
    }
}

/// A match arm from a variant of a success or error enum to its answer.
fn enum_arm(
    op: &Operation,
    case: &ResponseCase,
    types: &TokenStream,
    enum_type: &proc_macro2::Ident,
) -> TokenStream {
    let variant = ident(&case.variant);
    let status = op.answer_status(case);
    let answer = answer(&case.body, status, quote!(&body));
    match &case.body {
        ResponseBody::Empty => quote!(#types::#enum_type::#variant => #answer,),
        _ => quote!(#types::#enum_type::#variant(body) => #answer,),
    }
}
