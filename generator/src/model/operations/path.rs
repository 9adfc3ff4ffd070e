//! Path templates: every `{name}` declared, and the template cut into the
//! pieces the request builds the path from.

use super::OperationBuilder;
use super::params::undeclared_path_param;
use crate::error::{Error, LocalKind, WarningKind};
use crate::model::{Param, ParamLocation, PathPiece};

impl OperationBuilder<'_, '_> {
    /// Every `{name}` in the path template must be a declared path
    /// parameter (under `--lenient` a missing one is added as a string),
    /// and every declared one should appear.
    pub(super) fn check_path_template(&mut self, path: &str, params: &mut Vec<Param>) {
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.diagnostics.error(Error::invalid(
                    &self.at,
                    format!("path template `{path}` has an unclosed `{{`"),
                ));
                return;
            };
            let name = &rest[open + 1..open + close];
            let declared = params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire_name == name);
            if !declared {
                {
                    self.diagnostics.local(
                        LocalKind::UndeclaredPathParam,
                        &self.at.join("parameters"),
                        format!("path template `{path}` uses `{{{name}}}`, but no path parameter `{name}` is declared"),
                        "it is added as a required string parameter",
                    );
                    params.push(undeclared_path_param(name, params));
                }
            }
            rest = &rest[open + close + 1..];
        }
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !path.contains(&format!("{{{}}}", p.wire_name)) {
                self.diagnostics.warn(WarningKind::LeftOut, &self.at.join("parameters"), format!("path parameter `{}` does not appear in the path template `{path}`; it is ignored", p.wire_name));
            }
        }
    }
}

/// The path template as the request builds it: literal text, and each
/// `{name}` as the index of its parameter in `params`. A template without
/// parameters is one piece; an unclosed `{` (an error) is literal text.
pub(super) fn pieces(path: &str, params: &[Param]) -> Vec<PathPiece> {
    let mut pieces = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let param = params
            .iter()
            .position(|p| p.location == ParamLocation::Path && p.wire_name == name);
        let literal = match param {
            Some(_) => &rest[..open],
            None => &rest[..open + close + 1],
        };
        if !literal.is_empty() {
            pieces.push(PathPiece::Literal(literal.to_owned()));
        }
        pieces.extend(param.map(PathPiece::Param));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(PathPiece::Literal(rest.to_owned()));
    }
    // Adjacent literals (an undeclared `{name}` left as text) as one.
    let mut merged: Vec<PathPiece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (merged.last_mut(), piece) {
            (Some(PathPiece::Literal(text)), PathPiece::Literal(more)) => text.push_str(&more),
            (_, piece) => merged.push(piece),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_are_cut_into_pieces() {
        let params = [
            undeclared_path_param("id", &[]),
            undeclared_path_param("format", &[]),
        ];
        let literal = |text: &str| PathPiece::Literal(text.to_owned());
        assert_eq!(
            pieces("/items/{id}/as{format}.{id}", &params),
            [
                literal("/items/"),
                PathPiece::Param(0),
                literal("/as"),
                PathPiece::Param(1),
                literal("."),
                PathPiece::Param(0),
            ]
        );
        // A `{name}` no parameter declares stays text, joined to its
        // neighbours; so does an unclosed `{`.
        assert_eq!(
            pieces("/a/{other}/b/{id}", &params),
            [literal("/a/{other}/b/"), PathPiece::Param(0)]
        );
        assert_eq!(pieces("/a/{id", &params), [literal("/a/{id")]);
        assert_eq!(pieces("/plain", &params), [literal("/plain")]);
    }
}
