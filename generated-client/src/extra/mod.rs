//! Hand-written code that builds on the generated client. `cargo xtask
//! codegen` declares this module in `lib.rs` because `src/extra/mod.rs`
//! exists, and never writes or removes anything here (these files do not
//! start with the generated header).

mod session;

pub use session::{
    RotationError, Session, SessionBuildError, SessionBuilder, SessionError, TokenPair,
};
