//! The program `cargo xtask contract` runs (`examples/contract.rs` of the
//! generated crate): every operation called once, with the model's
//! synthesised arguments, against a server that mocks the document
//! (Stoplight Prism, validating requests). A hook records what the server
//! said of each request (Prism's `sl-violations` header); the program
//! prints a row per operation and a summary, and fails when any operation
//! does.

use super::args::{method_on_client, path_arg_by_value};
use super::{ident, operation_type, ty};
use crate::model::{
    Api, CallArguments, CallBody, ContractCall, FormFile, Operation, ResponseBody, SchemeKind,
    Success, contract_call,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// How many calls are in flight at once.
const CONCURRENCY: usize = 8;
/// How long one call (a streamed body read to its end included) may take.
const CALL_SECONDS: u64 = 60;

pub fn program(api: &Api, crate_ident: &str) -> TokenStream {
    let krate = ident(crate_ident);
    let types = quote!(#krate::types);
    let calls: Vec<(&Operation, &ContractCall)> =
        api.operations.iter().zip(&api.contract_calls).collect();
    let call_fns = calls.iter().filter_map(|(op, call)| {
        Some(call_fn(
            api,
            op,
            call.arguments.as_ref().ok()?,
            &krate,
            &types,
        ))
    });
    let rows = calls.iter().map(|(op, _)| {
        let method = &op.method_name;
        let route = format!("{} {}", op.http_method.as_str(), op.path);
        quote!((#method, #route))
    });
    let spawns = calls.iter().enumerate().map(|(index, (op, call))| {
        let index = Literal::usize_unsuffixed(index);
        match &call.arguments {
            Ok(_) => {
                let call_fn = ident(&contract_call(&op.method_name));
                quote! {{
                    let (client, bound) = (client.clone(), bound.clone());
                    let task = tasks.spawn(async move {
                        let _permit = bound.acquire_owned().await;
                        let call = tokio::time::timeout(std::time::Duration::from_secs(#CALL_SECONDS), #call_fn(&client));
                        match call.await {
                            Ok(Ok(outcome)) => outcome,
                            Ok(Err(why)) => Outcome::Failed(why),
                            Err(_) => Outcome::Failed(format!("did not finish within {} s", #CALL_SECONDS)),
                        }
                    });
                    indices.insert(task.id(), #index);
                }}
            }
            Err(why) => {
                let why = format!("skipped: {why}");
                quote!(outcomes[#index] = Some(Outcome::Skipped(#why.to_owned()));)
            }
        }
    });
    let credentials = api.security_schemes.iter().map(|scheme| {
        let setter = ident(&scheme.setter);
        match scheme.kind {
            SchemeKind::Basic => quote!(.#setter("contract-user", "contract-password")),
            _ => quote!(.#setter("contract-credential")),
        }
    });
    let count = Literal::usize_unsuffixed(calls.len());
    let concurrency = Literal::usize_unsuffixed(CONCURRENCY);
    quote! {
        //! Calls every operation once against a server that mocks the API
        //! (`cargo xtask contract` starts Stoplight Prism, validating
        //! requests, and passes its URL), and prints whether the server
        //! accepted each request and whether its response decoded.

        // Deprecated operations are called too.
        #![allow(deprecated)]

        use std::collections::HashMap;
        use std::sync::{Arc, Mutex};

        use #krate::{AttemptResponse, Client, Config, Error, Hook, HookError, RetryPolicy};

        /// The operations, in the document's order: method and route.
        const OPERATIONS: [(&str, &str); #count] = [#(#rows),*];

        /// What the server answered each operation.
        #[derive(Default)]
        struct Answers(Mutex<HashMap<&'static str, Answer>>);

        #[derive(Clone)]
        struct Answer {
            status: u16,
            /// The answer is Prism's own problem report
            /// (`application/problem+json`), not the document's response.
            problem: bool,
            /// The violations of the request Prism reported.
            violations: Option<String>,
        }

        struct Recorder(Arc<Answers>);

        impl Hook for Recorder {
            fn on_response(&self, response: &AttemptResponse<'_>) -> Result<(), HookError> {
                let violations = response
                    .headers()
                    .get("sl-violations")
                    .and_then(|value| value.to_str().ok())
                    .and_then(request_violations);
                let problem = response
                    .headers()
                    .get("content-type")
                    .and_then(|value| value.to_str().ok())
                    .is_some_and(|value| value.starts_with("application/problem+json"));
                let answer = Answer { status: response.status().as_u16(), problem, violations };
                let mut answers = self.0.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                answers.insert(response.operation(), answer);
                Ok(())
            }
        }

        /// The request's violations in Prism's `sl-violations` (a JSON
        /// list; those of its own response are Prism's, not the client's).
        fn request_violations(header: &str) -> Option<String> {
            let list: Vec<serde_json::Value> = serde_json::from_str(header).ok()?;
            let found: Vec<String> = list
                .iter()
                .filter(|v| v["location"].get(0).and_then(serde_json::Value::as_str) == Some("request"))
                .map(|v| {
                    let place: Vec<String> = v["location"].as_array().into_iter().flatten().skip(1).map(|p| p.to_string().trim_matches('"').to_owned()).collect();
                    format!("{}: {}", place.join("."), v["message"].as_str().unwrap_or("violation"))
                })
                .collect();
            (!found.is_empty()).then(|| found.join("; "))
        }

        // Only a document with operations that cannot be called skips any.
        #[allow(dead_code)]
        enum Outcome {
            /// The success decoded (a stream read to its end).
            Decoded,
            /// A declared error decoded, with its status.
            DeclaredError(u16),
            Failed(String),
            Skipped(String),
        }

        /// A synthesised argument, read into its type.
        fn value<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
            serde_json::from_str(json).map_err(|e| format!("a synthesised argument does not decode: {e}"))
        }

        fn failed<E>(error: Error<E>) -> Outcome {
            match error {
                Error::Api { status, .. } => Outcome::DeclaredError(status.as_u16()),
                other => Outcome::Failed(other.to_string()),
            }
        }

        #(#call_fns)*

        fn shorten(text: &str) -> String {
            let text = text.replace(['\n', '|'], " ");
            match text.char_indices().nth(160) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        }

        #[tokio::main]
        async fn main() -> std::process::ExitCode {
            let Some(base_url) = std::env::args().nth(1) else {
                eprintln!("usage: contract BASE_URL (cargo xtask contract starts the mock server)");
                return std::process::ExitCode::FAILURE;
            };
            let answers = Arc::new(Answers::default());
            let config = Config {
                retry: RetryPolicy::disabled(),
                ..Config::default()
            };
            let client = Client::with_base_url(base_url)
                .with_config(config)
                .with_hook(Recorder(answers.clone()))
                #(#credentials)*;
            let bound = Arc::new(tokio::sync::Semaphore::new(#concurrency));
            let mut outcomes: Vec<Option<Outcome>> = (0..#count).map(|_| None).collect();
            let mut tasks = tokio::task::JoinSet::new();
            let mut indices = HashMap::new();
            #(#spawns)*
            while let Some(joined) = tasks.join_next_with_id().await {
                let (id, outcome) = match joined {
                    Ok((id, outcome)) => (id, outcome),
                    Err(error) => (error.id(), Outcome::Failed("the call panicked".to_owned())),
                };
                if let Some(&index) = indices.get(&id) {
                    outcomes[index] = Some(outcome);
                }
            }
            let answers = answers.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Operations known to fail for a reason that is not the
            // client's (Prism's or the document's): `method<TAB>why` lines.
            let known: HashMap<String, String> = std::env::var("CONTRACT_KNOWN")
                .unwrap_or_default()
                .lines()
                .filter_map(|line| line.split_once('\t'))
                .map(|(method, why)| (method.to_owned(), why.to_owned()))
                .collect();
            let (mut accepted, mut decoded, mut failures, mut skipped, mut unchecked, mut excused) = (0, 0, 0, 0, 0, 0);
            println!("| operation | request | accepted | decoded | note |");
            println!("|---|---|---|---|---|");
            for ((method, route), outcome) in OPERATIONS.iter().zip(outcomes) {
                let answer = answers.get(method).cloned();
                let outcome = outcome.unwrap_or_else(|| Outcome::Failed("not run".to_owned()));
                if let Outcome::Skipped(why) = &outcome {
                    skipped += 1;
                    println!("| {method} | {route} | - | - | {} |", shorten(why));
                    continue;
                }
                let refused = answer.as_ref().is_some_and(|a| a.problem && (400..500).contains(&a.status));
                // Prism's own 5xx: it could not make a response of the
                // document (an example or schema it cannot serve).
                let unanswered = answer.as_ref().is_some_and(|a| a.problem && a.status >= 500);
                let violation = answer.as_ref().and_then(|a| a.violations.clone());
                let was_accepted = answer.is_some() && !refused && violation.is_none();
                let (was_decoded, note) = match outcome {
                    Outcome::Decoded => (true, String::new()),
                    Outcome::DeclaredError(status) => (true, format!("declared error {status}")),
                    Outcome::Failed(why) => (false, why),
                    Outcome::Skipped(_) => (false, String::new()),
                };
                let note = match (violation, refused) {
                    (Some(violation), _) => format!("request violation: {violation}"),
                    (None, true) => format!("refused by Prism: {note}"),
                    (None, false) => note,
                };
                accepted += usize::from(was_accepted);
                let yes_no = |b: bool| if b { "yes" } else { "NO" };
                if was_accepted && unanswered {
                    unchecked += 1;
                    println!("| {method} | {route} | yes | - | not checked, Prism could not answer: {} |", shorten(&note));
                    continue;
                }
                decoded += usize::from(was_decoded);
                let ok = was_accepted && was_decoded;
                match known.get(*method) {
                    Some(why) if !ok => {
                        excused += 1;
                        println!("| {method} | {route} | {} | {} | known: {why} ({}) |", yes_no(was_accepted), yes_no(was_decoded), shorten(&note));
                    }
                    Some(_) => {
                        failures += 1;
                        println!("| {method} | {route} | yes | yes | passes now: take it off the known list |");
                    }
                    None => {
                        failures += usize::from(!ok);
                        println!("| {method} | {route} | {} | {} | {} |", yes_no(was_accepted), yes_no(was_decoded), shorten(&note));
                    }
                }
            }
            println!();
            println!(
                "{} operations: {accepted} requests accepted, {decoded} responses decoded, {failures} failed ({skipped} skipped, {unchecked} not checked, {excused} known)",
                OPERATIONS.len()
            );
            if failures > 0 {
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            }
        }
    }
}

/// `async fn call_<method>(client) -> Result<Outcome, String>`: the
/// arguments read from their JSON, the call, and its success read to the
/// end.
fn call_fn(
    api: &Api,
    op: &Operation,
    arguments: &CallArguments,
    krate: &proc_macro2::Ident,
    types: &TokenStream,
) -> TokenStream {
    let name = ident(&contract_call(&op.method_name));
    let call = method_on_client(api, op);
    let mut lets = Vec::new();
    let mut args = Vec::new();
    for (i, (path_ty, json)) in arguments.path.iter().enumerate() {
        let local = ident(&format!("path_{i}"));
        let t = ty(api, path_ty, types);
        lets.push(quote!(let #local: #t = value(#json)?;));
        args.push(if path_arg_by_value(path_ty) {
            quote!(#local)
        } else {
            quote!(&#local)
        });
    }
    if let (Some(body), Some(call_body)) = (&op.body, &arguments.body) {
        let value = match call_body {
            CallBody::Value(json) => {
                let t = ty(api, &body.ty, types);
                lets.push(quote!(let body: #t = value(#json)?;));
                quote!(&body)
            }
            CallBody::Text => quote!("contract"),
            CallBody::Bytes => quote!(b"contract".to_vec()),
            CallBody::Form(fields) => {
                let form_name = op.form_type.map(|id| operation_type(api, id));
                let form_fields = api.form_fields(op).unwrap_or_default();
                let fields = fields.iter().map(|(field, json, file)| {
                    let optional = form_fields
                        .iter()
                        .any(|f| &f.name == field && f.optional);
                    let field = ident(field);
                    let value = match (file, json) {
                        (Some(FormFile::One), _) => {
                            quote!(#krate::FilePart::new(b"contract".to_vec()))
                        }
                        (Some(FormFile::Many), _) => {
                            // Two: one repeated part is one value to a parser
                            // that does not read the schema.
                            quote!(vec![#krate::FilePart::new(b"contract".to_vec()), #krate::FilePart::new(b"contract".to_vec())])
                        }
                        (None, Some(json)) => return quote!(#field: value(#json)?,),
                        (None, None) => quote!(Default::default()),
                    };
                    if optional {
                        quote!(#field: Some(#value),)
                    } else {
                        quote!(#field: #value,)
                    }
                });
                lets.push(quote!(let body = #types::#form_name { #(#fields)* };));
                quote!(&body)
            }
        };
        args.push(if body.required {
            value
        } else {
            quote!(Some(#value))
        });
    }
    if let Some(params_type) = op.params_type {
        let t = operation_type(api, params_type);
        let fields = arguments.params.iter().map(|(field, json)| {
            let field = ident(field);
            quote!(#field: value(#json)?,)
        });
        lets.push(quote!(let params = #types::#t { #(#fields)* };));
        args.push(quote!(&params));
    }
    let read = match &op.success {
        Success::Body(ResponseBody::EventStream(_) | ResponseBody::JsonLines(_)) => quote! {
            let mut stream = response.into_inner();
            while let Some(item) = stream.next().await {
                if let Err(error) = item {
                    return Ok(Outcome::Failed(format!("a streamed item: {error}")));
                }
            }
        },
        Success::Body(ResponseBody::Bytes) => quote! {
            let mut stream = response.into_inner();
            loop {
                match stream.next_chunk().await {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(error) => return Ok(Outcome::Failed(format!("the body: {error}"))),
                }
            }
        },
        _ => quote!(let _ = response;),
    };
    quote! {
        async fn #name(client: &Client) -> Result<Outcome, String> {
            #(#lets)*
            Ok(match #call(#(#args),*).await {
                Ok(response) => {
                    #read
                    Outcome::Decoded
                }
                Err(error) => failed(error),
            })
        }
    }
}
