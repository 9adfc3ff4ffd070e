//! The page helper of an operation `codegen.toml` paginates
//! (`list_pets_all`): a `Paginated` walk that calls the operation once per
//! page, with the parameters the caller gave and the page's position.

use super::args::{method_on_client, path_arg_by_value, path_arg_type};
use super::{ident, operation_type, ty};
use crate::model::{Api, Operation, PageStyleKind, ParamLocation, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn page_helper(api: &Api, op: &Operation, types: &TokenStream) -> TokenStream {
    let Some(page) = &op.pagination else {
        return quote!();
    };
    let helper = ident(&page.helper);
    let (this, client_of_self) = super::operation::receiver(api, op);
    // Each page's call, through the group on a grouped operation.
    let call = method_on_client(api, op);
    let item = ty(api, &page.item_ty, types);
    let error_ty = super::operation::error_type(api, op, types);
    // Path arguments as the operation takes them, kept as owned values for
    // every page's call.
    let mut args = Vec::new();
    let mut owned = Vec::new();
    let mut passed = Vec::new();
    let mut owned_names = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let arg = ident(&p.name);
        let t = path_arg_type(api, &p.ty, types);
        args.push(quote!(#arg: #t));
        match &p.ty {
            t if path_arg_by_value(t) => passed.push(quote!(#arg)),
            TypeRef::String => {
                owned.push(quote!(let #arg = #arg.to_owned();));
                passed.push(quote!(&#arg));
                owned_names.push(arg);
            }
            TypeRef::Array(_) => {
                owned.push(quote!(let #arg = #arg.to_vec();));
                passed.push(quote!(&#arg));
                owned_names.push(arg);
            }
            _ => {
                owned.push(quote!(let #arg = #arg.clone();));
                passed.push(quote!(&#arg));
                owned_names.push(arg);
            }
        }
    }
    let params_ty = op.params_type.map(|id| operation_type(api, id));
    let field = ident(&page.param_field);
    let set = |value: TokenStream| {
        if page.param_optional {
            quote!(params.#field = Some(#value);)
        } else {
            quote!(params.#field = #value;)
        }
    };
    let position = match page.style {
        PageStyleKind::Cursor | PageStyleKind::Link => {
            let set_cursor = set(quote!(cursor));
            quote! {
                if let Some(crate::runtime::PagePosition::Cursor(cursor)) = position {
                    #set_cursor
                }
            }
        }
        PageStyleKind::Offset | PageStyleKind::Number { .. } => {
            let number_ty = ty(api, &page.param_ty, types);
            let set_number = set(quote!(#number_ty::try_from(number).unwrap_or(#number_ty::MAX)));
            quote! {
                if let Some(crate::runtime::PagePosition::Number(number)) = position {
                    #set_number
                }
            }
        }
    };
    let style = match page.style {
        PageStyleKind::Cursor | PageStyleKind::Link => quote!(crate::runtime::PageStyle::Cursor),
        PageStyleKind::Offset => quote!(crate::runtime::PageStyle::Offset),
        PageStyleKind::Number { first } => {
            let first = Literal::u64_unsuffixed(first);
            quote!(crate::runtime::PageStyle::Number { first: #first })
        }
    };
    let items = match &page.items_field {
        Some((name, true)) => {
            let name = ident(name);
            quote!(body.#name.unwrap_or_default())
        }
        Some((name, false)) => {
            let name = ident(name);
            quote!(body.#name)
        }
        None => quote!(body),
    };
    // The next cursor: from the `Link` header before the body is taken,
    // or from the body's field.
    let read = match (&page.style, &page.next_field) {
        (PageStyleKind::Link, _) => {
            let wire = op
                .params
                .iter()
                .find(|p| p.name == page.param_field)
                .map_or(String::new(), |p| p.wire_name.clone());
            quote! {
                let next = crate::runtime::next_link_param(response.headers(), #wire);
                let body = response.into_inner();
            }
        }
        (_, Some((name, true))) => {
            let name = ident(name);
            quote! {
                let body = response.into_inner();
                let next = body.#name.clone();
            }
        }
        (_, Some((name, false))) => {
            let name = ident(name);
            quote! {
                let body = response.into_inner();
                let next = Some(body.#name.clone());
            }
        }
        (_, None) => quote! {
            let body = response.into_inner();
            let next = None;
        },
    };
    let max_pages = Literal::u32_unsuffixed(page.max_pages);
    let params_arg = params_ty.as_ref().map(|t| quote!(params: &#types::#t));
    let doc = format!(
        " Every item of [`Self::{}`], page after page, fetched as they are read (each page a call like any other). The walk stops at an empty page, at the last page, at a cursor the server repeats, and after {} pages ([`Paginated::stopped`](crate::Paginated::stopped) says which).",
        op.call_name(),
        page.max_pages
    );
    let all_args = args.iter().chain(params_arg.iter());
    quote! {
        #[doc = #doc]
        pub fn #helper(#this, #(#all_args),*) -> crate::Paginated<#item, #error_ty> {
            let client = #client_of_self.clone();
            let params = params.clone();
            #(#owned)*
            crate::Paginated::new(#style, #max_pages, move |position| {
                let client = client.clone();
                let mut params = params.clone();
                #(let #owned_names = #owned_names.clone();)*
                Box::pin(async move {
                    #position
                    let response = #call(#(#passed,)* &params).await?;
                    #read
                    Ok(crate::runtime::Page { items: #items, next })
                })
            })
        }
    }
}
