//! Errors and warnings, each tied to a place in the OpenAPI document.

use std::fmt;

/// A JSON pointer into the OpenAPI document, written `#/a/b~1c` as in `$ref`s.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Pointer(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/Foo`).
    pub fn from_ref(reference: &str) -> Option<Self> {
        let rest = reference.strip_prefix('#')?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        Some(Pointer(rest.to_owned()))
    }

    /// The pointer one level down, escaping `~` and `/` in the segment.
    pub fn join(&self, segment: impl AsRef<str>) -> Self {
        let escaped = segment.as_ref().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, escaped))
    }

    /// The unescaped segments, root first.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
    }

    /// Looks the pointer up in a JSON document.
    pub fn resolve<'a>(&self, document: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        if self.0.is_empty() {
            return Some(document);
        }
        document.pointer(&self.0)
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not valid YAML or JSON.
    #[error("{format} syntax error at line {line}, column {column}: {message}")]
    Syntax {
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// Swagger 2.0 documents need converting first.
    #[error(
        "this is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are supported. \
         Convert it first (for example with swagger2openapi or the Swagger Editor's \
         \"Convert to OpenAPI 3\"), then generate from the result"
    )]
    Swagger2,
    /// The `openapi` field is missing or names a version we do not read.
    #[error("{pointer}: {message}")]
    UnsupportedVersion { pointer: Pointer, message: String },
    /// The document breaks the OpenAPI schema or a rule the generator relies on.
    #[error("{pointer}: {message}")]
    Invalid { pointer: Pointer, message: String },
    /// A defect that touches only one part of the document; lenient
    /// generation degrades that part with a warning instead.
    #[error("{pointer}: {message}")]
    Local {
        kind: LocalKind,
        pointer: Pointer,
        message: String,
    },
    /// The configuration file is wrong (see [`crate::config`]).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Several independent problems, all reported at once.
    #[error("{} errors in the OpenAPI document:\n{}", .0.len(), list(.0))]
    Many(Vec<Error>),
    /// A bug in the generator, not in the document (the code it produced
    /// does not parse, for example).
    #[error("internal error (a generator bug, please report it with the document): {message}")]
    Internal { message: String },
    /// Writing or reading generated files failed.
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// At most this many errors are listed; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 50;

fn list(errors: &[Error]) -> String {
    let mut lines: Vec<String> = errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(|e| format!("  - {e}"))
        .collect();
    if errors.len() > MAX_LISTED_ERRORS {
        lines.push(format!(
            "  ... and {} more",
            errors.len() - MAX_LISTED_ERRORS
        ));
    }
    lines.join("\n")
}

impl Error {
    /// An error at a place in the document.
    pub fn invalid(pointer: &Pointer, message: impl Into<String>) -> Self {
        Error::Invalid {
            pointer: pointer.clone(),
            message: message.into(),
        }
    }

    /// The place in the document this error is about, when it has one.
    pub fn pointer(&self) -> Option<&Pointer> {
        match self {
            Error::UnsupportedVersion { pointer, .. }
            | Error::Invalid { pointer, .. }
            | Error::Local { pointer, .. } => Some(pointer),
            _ => None,
        }
    }

    /// How many errors this is, and how many of them are [`Error::Local`]
    /// (which lenient generation would turn into warnings).
    pub fn local_count(&self) -> (usize, usize) {
        match self {
            Error::Many(all) => all.iter().fold((0, 0), |(local, total), e| {
                let (l, t) = e.local_count();
                (local + l, total + t)
            }),
            Error::Local { .. } => (1, 1),
            _ => (0, 1),
        }
    }

    /// Folds a list of errors into one, or `Ok` when it is empty. An error
    /// reached along several paths (a top-level requirement checked for
    /// every operation) is listed once.
    pub fn collect(errors: Vec<Error>) -> Result<(), Error> {
        let mut seen = std::collections::HashSet::new();
        let mut errors: Vec<Error> = errors
            .into_iter()
            .filter(|e| seen.insert(e.to_string()))
            .collect();
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }
}

/// Defects that touch one part of the document, each with how lenient
/// generation degrades that part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LocalKind {
    /// A `$ref` whose target does not exist: the type becomes
    /// `serde_json::Value`, a parameter or response is left out.
    MissingRef,
    /// `$ref: ''`: as a missing target.
    EmptyRef,
    /// A `$ref` to the wrong kind of component (a parameter where a schema
    /// belongs): as a missing target.
    WrongComponent,
    /// `{name}` in a path template with no declared parameter: a required
    /// string path parameter is added.
    UndeclaredPathParam,
    /// An `operationId` used twice: the later method gets a numeric suffix.
    DuplicateOperationId,
}

/// Something the generator could only approximate; the output still compiles.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub pointer: Pointer,
    pub kind: WarningKind,
    pub message: String,
}

/// What a warning is about, for grouping and for tests; the message says
/// the specifics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WarningKind {
    /// A name was already taken (a type, field or method) or is not an
    /// identifier; the item got another.
    Renamed,
    /// A keyword the generated types do not enforce (`not`,
    /// `patternProperties`, `if`, ...): values are not checked against it.
    Unenforced,
    /// A schema represented more loosely than written: as
    /// `serde_json::Value`, an untagged union, or without some properties.
    Loosened,
    /// A request body the client sends as pre-encoded bytes.
    BodyAsBytes,
    /// An example that does not match its schema, or cannot be checked.
    Example,
    /// A part of the document the client leaves out (webhooks, a security
    /// scheme or requirement it cannot apply, an unused path parameter).
    LeftOut,
    /// A defect that touches one part of the document, degraded because
    /// generation is lenient.
    Degraded(LocalKind),
    /// Not a problem: something the configuration could add (a list
    /// operation that looks paginated). Kept apart from the warnings, in
    /// [`Generated::notes`](crate::Generated::notes), and not counted by
    /// `--deny-warnings`.
    Suggestion,
}

impl WarningKind {
    /// A short heading for a group of warnings of this kind.
    pub fn title(self) -> &'static str {
        match self {
            WarningKind::Renamed => "names changed to avoid a collision",
            WarningKind::Unenforced => "constraints the generated types do not check",
            WarningKind::Loosened => "schemas represented more loosely than written",
            WarningKind::BodyAsBytes => "request bodies sent as pre-encoded bytes",
            WarningKind::Example => "examples not round-tripped",
            WarningKind::LeftOut => "parts of the document left out",
            WarningKind::Degraded(_) => "defects degraded by --lenient",
            WarningKind::Suggestion => "notes: what codegen.toml could add",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}
