//! Which changes of a type reference (`String`, `[Int!]!`, …) an existing
//! client survives. An output may only gain non-null markers: a client
//! never receives a null it did not expect. An input may only lose them:
//! every value a client sends is still accepted. Anything else (another
//! named type, a list added or removed) is breaking.

use apollo_compiler::ast::Type;

/// Whether a field's type may change from `old` to `new` without breaking
/// a client that reads it.
pub(super) fn output_change_is_safe(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Named(o), Type::Named(n) | Type::NonNullNamed(n))
        | (Type::NonNullNamed(o), Type::NonNullNamed(n)) => o == n,
        (Type::List(o), Type::List(n) | Type::NonNullList(n))
        | (Type::NonNullList(o), Type::NonNullList(n)) => output_change_is_safe(o, n),
        _ => false,
    }
}

/// Whether an argument's or input field's type may change from `old` to
/// `new` without breaking a client that sends it: the mirror image.
pub(super) fn input_change_is_safe(old: &Type, new: &Type) -> bool {
    output_change_is_safe(new, old)
}

/// A type change in words; `nullability` says what an unsafe change of
/// non-null markers alone does to clients.
pub(super) fn type_change_detail(old: &Type, new: &Type, safe: bool, nullability: &str) -> String {
    let why = if safe {
        ""
    } else if old.inner_named_type() != new.inner_named_type() {
        " (another type)"
    } else if list_depth(old) != list_depth(new) {
        " (list wrapping changed)"
    } else {
        nullability
    };
    format!("type {old} → {new}{why}")
}

fn list_depth(ty: &Type) -> usize {
    match ty {
        Type::Named(_) | Type::NonNullNamed(_) => 0,
        Type::List(item) | Type::NonNullList(item) => 1 + list_depth(item),
    }
}
