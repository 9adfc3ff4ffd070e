//! Whole-model passes that need every type defined: ordering untagged union
//! variants, and boxing the fields that make types recursive.

use super::{TypeDef, TypeId, TypeKind, TypeRef};
use crate::error::Warning;
use crate::error::WarningKind;

/// Serde tries untagged variants in order and keeps the first that fits, so
/// the pickier variants go first: enums before strings, integers before
/// floats, structs with more required fields before those with fewer, and
/// `serde_json::Value` last.
pub(super) fn order_union_variants(types: &mut [TypeDef]) {
    let ranks: Vec<Vec<(u32, i64)>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Union(u) => u.variants.iter().map(|v| rank(types, &v.ty)).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (t, ranks) in types.iter_mut().zip(ranks) {
        if let TypeKind::Union(u) = &mut t.kind {
            let mut ranked: Vec<_> = ranks
                .into_iter()
                .zip(std::mem::take(&mut u.variants))
                .collect();
            ranked.sort_by_key(|(r, _)| *r);
            u.variants = ranked.into_iter().map(|(_, v)| v).collect();
        }
    }
}

fn rank(types: &[TypeDef], ty: &TypeRef) -> (u32, i64) {
    match ty {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Enum(_) => (0, 0),
            TypeKind::Struct(s) => (1, -(s.fields.iter().filter(|f| f.required).count() as i64)),
            TypeKind::Union(_) | TypeKind::Tagged(_) => (2, 0),
            TypeKind::Alias(inner) => rank(types, inner),
        },
        TypeRef::Bool => (3, 0),
        TypeRef::Integer(_) => (3, 1),
        TypeRef::Float(_) => (3, 2),
        TypeRef::DateTime | TypeRef::Date | TypeRef::Uuid | TypeRef::Decimal => (3, 5),
        TypeRef::Binary => (4, 1),
        TypeRef::String => (4, 0),
        TypeRef::Tuple(_) => (4, 5),
        TypeRef::Array(_) => (5, 0),
        TypeRef::Map(_) => (6, 0),
        TypeRef::Object => (7, 0),
        TypeRef::Nullable(inner) => rank(types, inner),
        TypeRef::Any => (9, 0),
    }
}

/// Named types a value of `ty` contains inline (not behind a `Vec` or map,
/// which already allocate).
fn direct_targets(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Nullable(inner) => direct_targets(inner, out),
        TypeRef::Tuple(members) => members.iter().for_each(|m| direct_targets(m, out)),
        _ => {}
    }
}

fn edges(t: &TypeDef) -> Vec<TypeId> {
    let mut out = Vec::new();
    match &t.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .for_each(|f| direct_targets(&f.ty, &mut out)),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .for_each(|v| direct_targets(&v.ty, &mut out)),
        TypeKind::Tagged(t) => t
            .variants
            .iter()
            .for_each(|v| direct_targets(&v.ty, &mut out)),
        TypeKind::Alias(ty) => direct_targets(ty, &mut out),
        TypeKind::Enum(_) => {}
    }
    out
}

/// Boxes each field or variant that refers back into its own strongly
/// connected component (and nothing else). A cycle made only of aliases has
/// no Rust representation; those aliases become `serde_json::Value`.
pub(super) fn box_recursion(types: &mut [TypeDef]) -> Vec<Warning> {
    let graph: Vec<Vec<TypeId>> = types.iter().map(edges).collect();
    let component = strongly_connected(&graph);
    let mut warnings = Vec::new();
    for i in 0..types.len() {
        let cyclic = |id: &TypeId| component[id.0] == component[i];
        let in_cycle = graph[i].iter().any(cyclic);
        if !in_cycle {
            continue;
        }
        match &mut types[i].kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    let mut targets = Vec::new();
                    direct_targets(&f.ty, &mut targets);
                    f.boxed = targets.iter().any(cyclic);
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    let mut targets = Vec::new();
                    direct_targets(&v.ty, &mut targets);
                    v.boxed = targets.iter().any(cyclic);
                }
            }
            TypeKind::Tagged(t) => {
                for v in &mut t.variants {
                    let mut targets = Vec::new();
                    direct_targets(&v.ty, &mut targets);
                    v.boxed = targets.iter().any(cyclic);
                }
            }
            TypeKind::Alias(_) => {}
            TypeKind::Enum(_) => {}
        }
    }
    // Alias-only cycles: components of more than one type (or a type that
    // refers to itself) made only of aliases.
    let mut size = std::collections::HashMap::<usize, usize>::new();
    let mut all_alias = std::collections::HashMap::<usize, bool>::new();
    for (i, t) in types.iter().enumerate() {
        *size.entry(component[i]).or_default() += 1;
        let alias = matches!(t.kind, TypeKind::Alias(_));
        *all_alias.entry(component[i]).or_insert(true) &= alias;
    }
    for i in 0..types.len() {
        let c = component[i];
        let cyclic = size[&c] > 1 || graph[i].iter().any(|t| t.0 == i);
        if cyclic && all_alias[&c] {
            if let TypeKind::Alias(ty) = &mut types[i].kind {
                *ty = TypeRef::Any;
                warnings.push(Warning {
                    pointer: types[i].origin.clone(),
                    kind: WarningKind::Loosened,
                    message:
                        "schema only refers to itself through references; using serde_json::Value"
                            .into(),
                });
            }
        }
    }
    warnings
}

/// Kosaraju's algorithm, iterative so deep schemas cannot overflow the
/// stack. Returns a component number per node.
fn strongly_connected(graph: &[Vec<TypeId>]) -> Vec<usize> {
    let n = graph.len();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        seen[start] = true;
        while let Some((node, next)) = stack.pop() {
            if let Some(target) = graph[node].get(next) {
                stack.push((node, next + 1));
                if !seen[target.0] {
                    seen[target.0] = true;
                    stack.push((target.0, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut reverse = vec![Vec::new(); n];
    for (from, targets) in graph.iter().enumerate() {
        for t in targets {
            reverse[t.0].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut count = 0;
    for &start in order.iter().rev() {
        if component[start] != usize::MAX {
            continue;
        }
        let mut stack = vec![start];
        component[start] = count;
        while let Some(node) = stack.pop() {
            for &from in &reverse[node] {
                if component[from] == usize::MAX {
                    component[from] = count;
                    stack.push(from);
                }
            }
        }
        count += 1;
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_group_cycles_only() {
        // 0 -> 1 -> 0 is a cycle; 2 -> 0 is not part of it; 3 loops on itself.
        let g = vec![
            vec![TypeId(1)],
            vec![TypeId(0)],
            vec![TypeId(0)],
            vec![TypeId(3)],
        ];
        let c = strongly_connected(&g);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
        assert_ne!(c[3], c[0]);
    }
}
