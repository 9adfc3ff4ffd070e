//! Following aliases: the one loop every part of the model uses to see
//! what a type stands for, whether the types are still being converted
//! (`schemas::Converter`) or final (`Api`).

use super::{TypeId, TypeKind, TypeRef};

/// Whether `Nullable` is looked through too: "what is this, if present?"
/// rather than "what is this exactly?".
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nulls {
    Kept,
    LookedThrough,
}

/// `ty` with aliases followed to what they name: a named struct, enum or
/// union stays named, as does a name `kind_of` does not know yet. A chain
/// is never longer than the number of types (`count`) unless it is a
/// cycle; then it stops where it got to.
pub(crate) fn resolve<'a>(
    mut ty: &'a TypeRef,
    count: usize,
    nulls: Nulls,
    kind_of: impl Fn(TypeId) -> Option<&'a TypeKind>,
) -> &'a TypeRef {
    for _ in 0..=count {
        match ty {
            TypeRef::Named(id) => match kind_of(*id) {
                Some(TypeKind::Alias(target)) => ty = target,
                _ => return ty,
            },
            TypeRef::Nullable(inner) if nulls == Nulls::LookedThrough => ty = inner,
            _ => return ty,
        }
    }
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_followed_and_cycles_end() {
        let kinds = [
            TypeKind::Alias(TypeRef::Nullable(Box::new(TypeRef::Named(TypeId(1))))),
            TypeKind::Alias(TypeRef::String),
            TypeKind::Alias(TypeRef::Named(TypeId(3))),
            TypeKind::Alias(TypeRef::Named(TypeId(2))),
        ];
        let kind_of = |id: TypeId| kinds.get(id.0);
        let start = TypeRef::Named(TypeId(0));
        assert_eq!(
            resolve(&start, kinds.len(), Nulls::LookedThrough, kind_of),
            &TypeRef::String
        );
        assert_eq!(
            resolve(&start, kinds.len(), Nulls::Kept, kind_of),
            &TypeRef::Nullable(Box::new(TypeRef::Named(TypeId(1))))
        );
        let cycle = TypeRef::Named(TypeId(2));
        assert!(matches!(
            resolve(&cycle, kinds.len(), Nulls::Kept, kind_of),
            TypeRef::Named(_)
        ));
    }
}
