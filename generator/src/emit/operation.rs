//! One `Client` method per operation: build the request, apply
//! credentials, send, and turn each declared status into its result.

use super::args::{path_arg_type, style};
use super::{docs, first_line, ident, operation_type, ty};
use crate::model::{
    Api, BodyEncoding, FormFile, Operation, ParamLocation, PathPiece, ResponseBody, ResponseCase,
    SchemeKind, StatusMatch, Success,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

fn body_type(api: &Api, body: &ResponseBody, types: &TokenStream) -> TokenStream {
    match body {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(t) => ty(api, t, types),
        // The model reads streams whole wherever a body is buffered.
        ResponseBody::Text | ResponseBody::EventStream(_) => quote!(String),
        ResponseBody::Bytes | ResponseBody::JsonLines(_) => quote!(Vec<u8>),
    }
}

/// How a buffered body is read from the response, as an expression.
fn read_body(body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(_) => quote!(response.json()?),
        ResponseBody::Text | ResponseBody::EventStream(_) => quote!(response.text()),
        ResponseBody::Bytes | ResponseBody::JsonLines(_) => quote!(response.bytes()),
    }
}

/// A streamed success: the type the method returns, and the expression
/// that makes it of the response (`None`: the body is not streamed).
fn streamed(
    api: &Api,
    body: &ResponseBody,
    types: &TokenStream,
    client: &TokenStream,
) -> Option<(TokenStream, TokenStream)> {
    Some(match body {
        ResponseBody::Bytes => (quote!(crate::ByteStream), quote!(response.into_stream())),
        ResponseBody::EventStream(Some(item)) => {
            let item = ty(api, item, types);
            (
                quote!(crate::EventStream<#item>),
                quote!(response.into_events(&#client.config, crate::runtime::stream_json::<#item>)),
            )
        }
        ResponseBody::EventStream(None) => (
            quote!(crate::EventStream<String>),
            quote!(response.into_events(&#client.config, crate::runtime::stream_text)),
        ),
        ResponseBody::JsonLines(item) => {
            let item = ty(api, item, types);
            (
                quote!(crate::JsonLines<#item>),
                quote!(response.into_json_lines(&#client.config, crate::runtime::stream_json::<#item>)),
            )
        }
        _ => return None,
    })
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

/// Exact codes before ranges before the catch-all.
fn arms(mut arms: Vec<(StatusMatch, TokenStream)>, fallback: TokenStream) -> TokenStream {
    if arms.is_empty() {
        return fallback;
    }
    arms.sort_by_key(|(s, _)| match s {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    });
    let has_default = arms.iter().any(|(s, _)| *s == StatusMatch::Default);
    let arms = arms.iter().map(|(s, body)| {
        let pattern = status_pattern(*s);
        quote!(#pattern => #body,)
    });
    let fallback = (!has_default).then(|| quote!(_ => #fallback,));
    quote! {
        match response.status().as_u16() {
            #(#arms)*
            #fallback
        }
    }
}

/// The error type a call of `op` returns in `Error::Api`.
pub(super) fn error_type(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    match op.error_type {
        Some(id) => {
            let name = operation_type(api, id);
            quote!(#types::#name)
        }
        None => quote!(std::convert::Infallible),
    }
}

fn error_arms(api: &Api, op: &Operation, types: &TokenStream) -> Vec<(StatusMatch, TokenStream)> {
    let Some(error_type) = op.error_type else {
        return Vec::new();
    };
    let error_type = operation_type(api, error_type);
    op.errors
        .iter()
        .map(|case| {
            let value = case_value(types, &error_type, case);
            (
                case.status,
                quote!({ let body = #value; Err(response.api_error(body)) }),
            )
        })
        .collect()
}

/// `Enum::Variant(body)` for a response case.
fn case_value(
    types: &TokenStream,
    enum_type: &proc_macro2::Ident,
    case: &ResponseCase,
) -> TokenStream {
    let variant = ident(&case.variant);
    match &case.body {
        ResponseBody::Empty => quote!(#types::#enum_type::#variant),
        body => {
            let read = read_body(body);
            quote!(#types::#enum_type::#variant(#read))
        }
    }
}

/// Statements that add the request body.
fn body_statements(
    api: &Api,
    op: &Operation,
    types: &TokenStream,
) -> (Option<TokenStream>, Vec<TokenStream>) {
    let Some(body) = &op.body else {
        return (None, Vec::new());
    };
    let content_type = &body.content_type;
    let (arg_type, set) = match (body.encoding, api.form_fields(op)) {
        (BodyEncoding::Json | BodyEncoding::Form, _) => {
            let t = ty(api, &body.ty, types);
            let encode = if body.encoding == BodyEncoding::Json {
                quote!(request.json_body(body, #content_type)?;)
            } else {
                quote!(request.form_body(body, #content_type)?;)
            };
            // Credentials inside the body are blanked from error text too.
            let remember = api.secret_body_fields(&body.ty).into_iter().map(|f| {
                let field = ident(&f.name);
                if f.explicit_null {
                    quote!(if let Some(value) = body.#field.value() { request.remember_secret(value); })
                } else if f.is_option() {
                    quote!(if let Some(value) = &body.#field { request.remember_secret(value); })
                } else {
                    quote!(request.remember_secret(&body.#field);)
                }
            });
            (quote!(&#t), quote!(#encode #(#remember)*))
        }
        (BodyEncoding::Text, _) => (
            quote!(&str),
            quote!(request.raw_body(body.as_bytes().to_vec(), #content_type)?;),
        ),
        // The model gives every multipart body its form.
        (BodyEncoding::Bytes, _) | (BodyEncoding::Multipart, None) => (
            quote!(Vec<u8>),
            quote!(request.raw_body(body, #content_type)?;),
        ),
        (BodyEncoding::Multipart, Some(fields)) => {
            let parts = fields.iter().map(|f| {
                let field = ident(&f.name);
                let wire = &f.wire_name;
                let add = |value: TokenStream| match f.file {
                    Some(FormFile::One) => {
                        quote!(form.file(#wire, #value).map_err(|e| request.invalid(e))?;)
                    }
                    Some(FormFile::Many) => {
                        quote!(form.files(#wire, #value).map_err(|e| request.invalid(e))?;)
                    }
                    None => quote!(form.field(#wire, #value).map_err(|e| request.invalid(e))?;),
                };
                if f.optional && f.file.is_some() {
                    let add = add(quote!(value));
                    quote!(if let Some(value) = &body.#field { #add })
                } else {
                    add(quote!(&body.#field))
                }
            });
            let form = op.form_type.map(|id| operation_type(api, id));
            let set = quote! {
                let mut form = Multipart::new();
                #(#parts)*
                request.multipart_body(form)?;
            };
            (quote!(&#types::#form), set)
        }
    };
    if body.required {
        (Some(quote!(body: #arg_type)), vec![set])
    } else {
        (
            Some(quote!(body: Option<#arg_type>)),
            vec![quote!(if let Some(body) = body { #set })],
        )
    }
}

/// How a method that calls `op` takes its receiver, and where it finds
/// the client: `&self` and `self` on `Client`; `self` and `self.client` on
/// a group (a `Copy` handle taken by value, so that the call's future may
/// outlive the `client.repos()` temporary).
pub(super) fn receiver(api: &Api, op: &Operation) -> (TokenStream, TokenStream) {
    match api.group_of(op) {
        Some(_) => (quote!(self), quote!(self.client)),
        None => (quote!(&self), quote!(self)),
    }
}

pub fn operation(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let name = ident(op.call_name());
    let (this, client) = receiver(api, op);
    // Tracing and hooks name the operation as the caller knows it: its method.
    let operation_name = &op.method_name;
    let doc = docs(&op.docs);
    let route = format!(" `{} {}`", op.http_method.as_str(), op.path);
    let method = ident(op.http_method.as_str());
    let path = &op.path;

    let mut args = Vec::new();
    let mut fill = Vec::new();
    let mut arg_docs = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let arg = ident(&p.name);
        let t = path_arg_type(api, &p.ty, types);
        args.push(quote!(#arg: #t));
        if let Some(text) = &p.docs.text {
            arg_docs.push(format!(" - `{}`: {}", p.name, first_line(text)));
        }
    }
    // The path, piece after piece in the template's order: the runtime
    // appends them and never searches the template.
    if op.path_has_params() {
        for piece in &op.path_pieces {
            fill.push(match piece {
                PathPiece::Literal(text) => quote!(request.path_piece(#text);),
                PathPiece::Param(index) => {
                    let p = &op.params[*index];
                    let arg = ident(&p.name);
                    let wire = &p.wire_name;
                    let (style, explode) = (style(p.style), p.explode);
                    // A credential in the path is sent, but shown as `***`
                    // in errors.
                    if p.sensitive {
                        quote!(request.secret_path_param(#wire, &#arg, #style, #explode)?;)
                    } else {
                        quote!(request.path_param(#wire, &#arg, #style, #explode)?;)
                    }
                }
            });
        }
    }
    let (body_arg, body_fill) = body_statements(api, op, types);
    args.extend(body_arg);
    if let Some(params_type) = op.params_type {
        let t = operation_type(api, params_type);
        args.push(quote!(params: &#types::#t));
        for p in op
            .params
            .iter()
            .filter(|p| p.location != ParamLocation::Path)
        {
            let field = ident(&p.name);
            let wire = &p.wire_name;
            let (style, explode) = (style(p.style), p.explode);
            fill.push(match p.location {
                ParamLocation::Query => {
                    quote!(request.query(#wire, &params.#field, #style, #explode)?;)
                }
                ParamLocation::Header => quote!(request.header(#wire, &params.#field, #explode)?;),
                ParamLocation::Cookie => quote!(request.cookie(#wire, &params.#field, #explode)?;),
                ParamLocation::Path => quote!(),
            });
        }
    }
    fill.extend(body_fill);
    if let Some(accept) = &op.accept {
        fill.push(quote!(request.accept(#accept);));
    }
    // A declared 3xx is the operation's answer, not a redirect to follow.
    let declares_redirect = op
        .successes
        .iter()
        .chain(&op.errors)
        .any(|case| match case.status {
            StatusMatch::Code(code) => (300..400).contains(&code),
            StatusMatch::Range(hundreds) => hundreds == 3,
            StatusMatch::Default => false,
        });
    if declares_redirect {
        fill.push(quote!(request.answers_redirects();));
    }
    let auth = authorization(api, op, &client);
    let binding = if fill.is_empty() && auth.is_empty() {
        quote!(request)
    } else {
        quote!(mut request)
    };

    let error_ty = error_type(api, op, types);
    let streamed = match &op.success {
        Success::Body(body) => streamed(api, body, types, &client),
        Success::PerStatus(_) => None,
    };
    // The request is built in a block that ends in the call's future, so
    // the request is moved into it and the method's own future does not
    // keep a second place for it.
    let send = ident(if streamed.is_some() {
        "send_streaming"
    } else {
        "send"
    });
    let (success_ty, handling) = if let Some((stream_ty, into_stream)) = streamed {
        let patterns = op.successes.iter().map(|c| status_pattern(c.status));
        let rest = arms(
            error_arms(api, op, types),
            quote!(Err(response.unexpected())),
        );
        (
            stream_ty,
            quote! {
                if matches!(response.status().as_u16(), #(#patterns)|*) {
                    return Ok(#into_stream);
                }
                let response = response.buffer(&#client.config).await?;
                #rest
            },
        )
    } else {
        let (success_ty, success_arms): (TokenStream, Vec<_>) = match &op.success {
            Success::PerStatus(success_type) => {
                let enum_type = operation_type(api, *success_type);
                let arms = op
                    .successes
                    .iter()
                    .map(|case| {
                        let value = case_value(types, &enum_type, case);
                        (
                            case.status,
                            quote!({ let body = #value; Ok(response.success(body)) }),
                        )
                    })
                    .collect();
                (quote!(#types::#enum_type), arms)
            }
            Success::Body(success) => {
                let read = read_body(success);
                let arms = op
                    .successes
                    .iter()
                    .map(|case| {
                        (
                            case.status,
                            quote!({ let body = #read; Ok(response.success(body)) }),
                        )
                    })
                    .collect();
                (body_type(api, success, types), arms)
            }
        };
        let mut all = success_arms;
        all.extend(error_arms(api, op, types));
        let matching = arms(all, quote!(Err(response.unexpected())));
        (success_ty, quote!(#matching))
    };
    let arg_docs = (!arg_docs.is_empty()).then(|| {
        let lines = arg_docs.iter();
        quote!(#[doc = ""] #[doc = " Path parameters:"] #(#[doc = #lines])*)
    });
    let headers_doc = op.headers_type.map(|headers| {
        let headers = &api.operation_type(headers).name;
        let line = format!(" Declared response headers: [`{headers}`](crate::types::{headers}).");
        quote!(#[doc = ""] #[doc = #line])
    });
    // Path parameters are arguments; the spec decides how many there are.
    let many_args = (args.len() + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #doc
        #[doc = ""]
        #[doc = #route]
        #arg_docs
        #headers_doc
        #many_args
        pub async fn #name(#this, #(#args),*) -> Result<ResponseValue<#success_ty>, Error<#error_ty>> {
            let response = {
                let #binding = PendingRequest::for_operation(#operation_name, reqwest::Method::#method, #path);
                #(#fill)*
                #auth
                request.#send(&#client.http, &#client.base_url, &#client.config)
            }
            .await?;
            #handling
        }
    }
}

/// Applies the first security alternative whose credentials are all set.
/// With none set the request goes out without credentials, and the server
/// decides (an operation may accept anonymous calls).
fn authorization(api: &Api, op: &Operation, client: &TokenStream) -> TokenStream {
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
                quote!(&#client.#f)
            })
            .collect();
        let apply = schemes.iter().zip(&bindings).map(|(s, b)| match &s.kind {
            SchemeKind::Bearer => quote!(request.bearer_credential(#b)?;),
            SchemeKind::Basic => quote!(request.basic_credential(&#b.0, &#b.1)?;),
            SchemeKind::ApiKey { location, name } => match location {
                ParamLocation::Query => quote!(request.query_credential(#name, #b);),
                ParamLocation::Cookie => quote!(request.cookie_credential(#name, #b)?;),
                _ => quote!(request.header_credential(#name, #b)?;),
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
