//! The collector each part of the model stage reports into: warnings, and
//! the errors that stop generation once the whole document has been read
//! (so a user sees every problem at once, not one per run).

use crate::error::{Error, LocalKind, Pointer, Warning, WarningKind};

#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Whether a defect that touches one part of the document degrades
    /// that part (a warning) rather than stopping generation (an error).
    lenient: bool,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Error>,
}

impl Diagnostics {
    pub fn new(lenient: bool) -> Self {
        Diagnostics {
            lenient,
            ..Diagnostics::default()
        }
    }

    pub fn warn(&mut self, kind: WarningKind, at: &Pointer, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: at.clone(),
            kind,
            message: message.into(),
        });
    }

    pub fn error(&mut self, error: Error) {
        self.errors.push(error);
    }

    /// A defect that touches one part of the document: an error, or when
    /// lenient a warning that says how the part was degraded.
    pub fn local(&mut self, kind: LocalKind, at: &Pointer, message: String, degraded: &str) {
        if self.lenient {
            self.warn(
                WarningKind::Degraded(kind),
                at,
                format!("{message}; {degraded}"),
            );
        } else {
            self.errors.push(Error::Local {
                kind,
                pointer: at.clone(),
                message,
            });
        }
    }

    /// Takes in what another part of the stage collected.
    pub fn absorb(&mut self, other: Diagnostics) {
        self.warnings.extend(other.warnings);
        self.errors.extend(other.errors);
    }
}
