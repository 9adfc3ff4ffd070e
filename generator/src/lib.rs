//! Generates typed async Rust clients from OpenAPI 3.0 and 3.1 documents.
//!
//! The work happens in four stages, one module each:
//!
//! 1. [`load`]: YAML/JSON text → `openapiv3::OpenAPI`, with 3.1 normalised
//!    to what `openapiv3` models;
//! 2. [`model`]: references resolved into named Rust types and operations;
//! 3. [`emit`]: the model → `proc-macro2` tokens;
//! 4. [`render`]: tokens → formatted files of a crate.

pub mod config;
pub mod emit;
pub mod error;
pub mod load;
pub mod model;
pub mod render;

pub use error::{Error, LocalKind, Pointer, Warning, WarningKind};
pub use render::{CrateOptions, GeneratedFile};

/// The files of a generated crate, and what the generator had to
/// approximate on the way.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Warning>,
    /// Suggestions, not problems: what `codegen.toml` could add (a list
    /// operation that looks paginated). `--deny-warnings` does not count
    /// them.
    pub notes: Vec<Warning>,
    /// How many named types and operations the client has, for summaries.
    pub types: usize,
    pub operations: usize,
}

/// Runs every stage on the text of an OpenAPI document.
pub fn generate(spec: &str, options: &CrateOptions) -> Result<Generated, Error> {
    let document = load::load(spec)?;
    let api = model::build_configured(&document, options.lenient, &options.config)?;
    let crate_ident = model::crate_ident(&options.crate_name);
    let files = render::render(&api, &crate_ident, options)?;
    Ok(Generated {
        files,
        types: api.emitted_types().count(),
        operations: api.operations.len(),
        warnings: api.warnings,
        notes: api.notes,
    })
}

/// The program `cargo xtask contract` runs in a crate [`generate`] made of
/// the same document (`examples/contract.rs`): every operation called once
/// against a server that mocks the document.
pub fn contract_program(spec: &str, options: &CrateOptions) -> Result<GeneratedFile, Error> {
    let document = load::load(spec)?;
    let api = model::build_configured(&document, options.lenient, &options.config)?;
    let crate_ident = model::crate_ident(&options.crate_name);
    render::contract_program(&api, &crate_ident, options)
}
