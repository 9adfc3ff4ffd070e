//! `tests/roundtrip/cases.rs`: one test per sample, checking that the
//! generated type reads the JSON and writes back what the model expects.

use super::{ident, ty};
use crate::model::Api;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub fn roundtrip(api: &Api, crate_ident: &Ident) -> TokenStream {
    if api.samples.is_empty() {
        return quote! {
            //! The API description has no schemas, so there is nothing to
            //! round-trip.
        };
    }
    let types = quote!(types);
    let tests = api.samples.iter().map(|sample| {
        let name = ident(&sample.test_name);
        let t = ty(api, &sample.ty, &types);
        let origin = &sample.origin;
        let input = sample.input.to_string();
        let expected = sample.expected.to_string();
        quote! {
            #[test]
            fn #name() {
                roundtrip::<#t>(#origin, #input, #expected);
            }
        }
    });
    let skipped = (!api.skipped_samples.is_empty()).then(|| {
        let lines = api
            .skipped_samples
            .iter()
            .map(|(name, why)| format!(" - `{name}`: {why}"));
        quote! {
            #![doc = ""]
            #![doc = " Cases left out, because no instance that satisfies the schema could be"]
            #![doc = " synthesised:"]
            #(#![doc = #lines])*
        }
    });
    quote! {
        //! Every example in the API description, and instances synthesised
        //! from each schema, deserialise into the generated types and
        //! serialise back to the JSON the schema implies.
        #skipped
        #![allow(deprecated)]

        use #crate_ident::types;

        /// Reads `input` as `T`, writes it back, and compares with `expected`.
        /// Large API types make deep serde frames in debug builds, so the
        /// work runs on a thread with a roomy stack.
        fn roundtrip<T>(origin: &'static str, input: &'static str, expected: &'static str)
        where
            T: serde::Serialize + serde::de::DeserializeOwned,
        {
            let worker = std::thread::Builder::new()
                .stack_size(64 * 1024 * 1024)
                .spawn(move || check::<T>(origin, input, expected))
                .expect("test thread starts");
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }

        fn check<T>(origin: &str, input: &str, expected: &str)
        where
            T: serde::Serialize + serde::de::DeserializeOwned,
        {
            let value: T = match serde_json::from_str(input) {
                Ok(value) => value,
                Err(error) => panic!("{origin}: does not deserialise: {error}\ninput: {input}"),
            };
            let actual = match serde_json::to_value(&value) {
                Ok(actual) => actual,
                Err(error) => panic!("{origin}: does not serialise: {error}"),
            };
            let expected: serde_json::Value = match serde_json::from_str(expected) {
                Ok(expected) => expected,
                Err(error) => panic!("{origin}: expected JSON is invalid: {error}"),
            };
            assert_eq!(actual, expected, "{origin}: serialised form differs\ninput: {input}");
        }

        #(#tests)*
    }
}
