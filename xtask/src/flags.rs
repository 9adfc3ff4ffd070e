//! The command line: one grammar, from which xflags makes the argument
//! structs and the `--help` text.

#![allow(unreachable_pub)]

use std::path::PathBuf;

xflags::xflags! {
    /// Project automation for the OpenAPI → Rust client generator.
    cmd xtask {
        /// Generate a typed Rust client crate from an OpenAPI 3.0/3.1
        /// document (by default the Almanac client from spec/openapi.yaml).
        /// If the output directory holds a hand-written Cargo.extra.toml,
        /// its TOML is appended to the generated Cargo.toml. If it holds a
        /// hand-written src/extra/mod.rs, the generated lib.rs declares
        /// `pub mod extra;`. Files without the generated header (those two,
        /// hand-written tests, src/extra/) are never written or removed, and
        /// --check does not look at them.
        cmd codegen {
            /// Write nothing; fail with a diff if the files on disk differ.
            optional --check
            /// The OpenAPI document (default: spec/openapi.yaml).
            optional --spec path: PathBuf
            /// The crate directory (default: generated-client).
            optional --out dir: PathBuf
            /// Package name (default: almanac-client for the default output,
            /// otherwise the output directory's name).
            optional --crate-name name: String
            /// Add an empty [workspace] so the crate builds on its own
            /// (implied when the output is outside this workspace).
            optional --standalone
            /// Fail if the generator reports warnings (notes, which
            /// suggest what codegen.toml could add, do not count).
            optional --deny-warnings
            /// Print every note, not the first ten.
            optional --all-notes
            /// Generate even when a defect touches only part of the document
            /// (a missing or empty $ref target, a $ref to the wrong kind of
            /// component, an undeclared path parameter, a duplicate
            /// operationId): that part is degraded and the error becomes a
            /// warning.
            optional --lenient
        }

        /// Generate a crate for every .yaml/.yml/.json document in a folder
        /// under target/corpus/, run clippy and rustdoc with -D warnings and
        /// the tests on each, and print a table. A document named
        /// X.lenient.yaml must be refused by default and is generated with
        /// --lenient.
        cmd corpus {
            /// The folder of OpenAPI documents.
            required dir: PathBuf
            /// Do not stop at the first failure.
            optional --keep-going
        }

        /// Call every operation of a document for real: generate its crate
        /// (under target/contract/), start Stoplight Prism on the document
        /// (validating requests; PRISM_BIN, or the copy that
        /// `npm ci --prefix generated-client/tests/contract` installs), call
        /// each operation once with arguments synthesised from its schemas,
        /// and print whether Prism accepted each request and whether its
        /// response decoded. Fails when any operation does.
        cmd contract {
            /// An OpenAPI document, or a folder of them (each in turn).
            required spec: PathBuf
            /// The crate directory (default: target/contract/NAME); only
            /// for a single document.
            optional --out dir: PathBuf
            /// Generate even when a defect touches only part of the
            /// document (implied for X.lenient.yaml).
            optional --lenient
        }

        /// Print the performance figures as ratios of medians, ours against a
        /// reference, the two alternating: rebuild of the generated crate and
        /// codegen time against progenitor (installed into target/bench-tools/
        /// when missing), and one Almanac call against hand-written reqwest.
        cmd bench {
            /// The document to measure (default:
            /// ../shared/specs/progenitor-nexus.json).
            optional --spec path: PathBuf
            /// Runs per side, at least 5 (default 7).
            optional --runs n: usize
            /// Only these figures, e.g. 1,4.
            optional --only figures: String
        }
    }
}

/// Every flag the grammar knows, for "did you mean" hints.
pub const KNOWN: &[&str] = &[
    "codegen",
    "corpus",
    "contract",
    "bench",
    "--check",
    "--spec",
    "--out",
    "--crate-name",
    "--standalone",
    "--deny-warnings",
    "--all-notes",
    "--lenient",
    "--keep-going",
    "--runs",
    "--only",
    "--help",
];
