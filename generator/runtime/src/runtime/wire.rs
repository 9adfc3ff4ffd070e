//! What the `Serialize` and `Deserialize` impls in `types.rs` share.
//!
//! Those impls are written out by the generator rather than derived: serde's
//! derive macros run on every build of the crate, and the code they expand
//! to (a field enum and a visitor per type, sequence forms JSON never uses)
//! is most of what the crate compiles. Here the per-type part is a match on
//! field positions; reading keys, slots and errors is done once, below.
//! Errors read as serde's own (`missing field`, `duplicate field`,
//! `unknown variant`), which `DecodeError` relies on.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};

/// For the unions whose variants lack their tag (`tagged.rs`).
#[allow(unused_imports)]
pub(crate) use super::tagged::serialize_tagged;

/// A struct read from a map of its fields.
pub(crate) trait WireStruct: Sized {
    /// The type's name, for "expected struct ..." errors.
    const NAME: &'static str;
    /// The declared fields' wire names, sorted (byte order); a key's
    /// position in this list is what [`WireStruct::from_map`] matches on.
    const FIELDS: &'static [&'static str];

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of a [`WireStruct`].
pub(crate) fn deserialize_struct<'de, T: WireStruct, D: de::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, StructVisitor(PhantomData))
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: WireStruct> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// The next key of a struct's map: `Some(position)` of a declared field,
/// `None` for a key the struct does not declare. No key is copied.
pub(crate) fn next_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<Option<usize>>, A::Error> {
    map.next_key_seed(FieldSeed { fields })
}

/// Like [`next_field`], but an undeclared key is handed back as text, for
/// structs that keep the properties beyond their declared ones.
pub(crate) fn next_field_or_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<Result<usize, String>>, A::Error> {
    map.next_key_seed(FieldOrKeySeed { fields })
}

/// Reads the value of a field whose key was just read; a field given twice
/// is an error, as in serde's derived impls.
pub(crate) fn fill<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads a field's value as text through `parse`, for a type the API
/// writes more loosely than its serde impl reads (a date-time without an
/// offset). `T` is the field's type: the value, or an `Option` (or
/// `Nullable`) of it for a nullable or optional field. A value `parse` refuses is an error that
/// says what was expected, without quoting the value.
pub(crate) fn fill_parsed<'de, A: MapAccess<'de>, T: Parsed<V>, V>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
    parse: fn(&str) -> Option<V>,
    expected: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(T::read(map, parse, expected)?);
    Ok(())
}

/// A field type [`fill_parsed`] reads: the parsed value itself, or an
/// `Option` of it (`null` is `None`).
pub(crate) trait Parsed<V>: Sized {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        parse: fn(&str) -> Option<V>,
        expected: &'static str,
    ) -> Result<Self, A::Error>;
}

impl<V> Parsed<V> for V {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        parse: fn(&str) -> Option<V>,
        expected: &'static str,
    ) -> Result<Self, A::Error> {
        let text: String = map.next_value()?;
        parse(&text).ok_or_else(|| de::Error::custom(format_args!("expected {expected}")))
    }
}

impl<V> Parsed<V> for Option<V> {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        parse: fn(&str) -> Option<V>,
        expected: &'static str,
    ) -> Result<Self, A::Error> {
        match map.next_value::<Option<String>>()? {
            Some(text) => parse(&text)
                .map(Some)
                .ok_or_else(|| de::Error::custom(format_args!("expected {expected}"))),
            None => Ok(None),
        }
    }
}

impl<V> Parsed<V> for super::Nullable<V> {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        parse: fn(&str) -> Option<V>,
        expected: &'static str,
    ) -> Result<Self, A::Error> {
        Ok(match Option::<V>::read(map, parse, expected)? {
            Some(value) => super::Nullable::Value(value),
            None => super::Nullable::Null,
        })
    }
}

/// Reads past the value of a key the struct does not declare.
pub(crate) fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// A required field's value, or the error serde gives when it is missing.
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, field: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(field))
}

/// The position of a string enum's wire value in `values`, or serde's
/// "unknown variant" error.
pub(crate) fn deserialize_variant<'de, D: de::Deserializer<'de>>(
    deserializer: D,
    values: &'static [&'static str],
) -> Result<usize, D::Error> {
    deserializer.deserialize_str(VariantVisitor { values })
}

/// Where `key` is in `fields`, which the generator sorts: a binary search
/// in long lists, a scan in short ones (where it is quicker).
fn position(fields: &[&str], key: &str) -> Option<usize> {
    if fields.len() > 8 {
        fields.binary_search(&key).ok()
    } else {
        fields.iter().position(|field| *field == key)
    }
}

struct FieldSeed {
    fields: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(position(self.fields, key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(key)
            .ok()
            .and_then(|key| position(self.fields, key)))
    }
}

struct FieldOrKeySeed {
    fields: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for FieldOrKeySeed {
    type Value = Result<usize, String>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldOrKeySeed {
    type Value = Result<usize, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(position(self.fields, key).ok_or_else(|| key.to_owned()))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
        Ok(position(self.fields, &key).ok_or(key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_str(key),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(key), &self)),
        }
    }
}

struct VariantVisitor {
    values: &'static [&'static str],
}

impl<'de> Visitor<'de> for VariantVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<usize, E> {
        self.values
            .iter()
            .position(|known| *known == value)
            .ok_or_else(|| E::unknown_variant(value, self.values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A struct as the generator writes one: a required field, an optional
    /// one, and the properties beyond them.
    #[derive(Debug, PartialEq)]
    struct Pet {
        name: String,
        age: Option<u32>,
        rest: std::collections::BTreeMap<String, serde_json::Value>,
    }

    impl WireStruct for Pet {
        const NAME: &'static str = "Pet";
        const FIELDS: &'static [&'static str] = &["age", "name"];

        fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let mut name = None;
            let mut age = None;
            let mut rest = std::collections::BTreeMap::new();
            while let Some(key) = next_field_or_key(&mut map, Self::FIELDS)? {
                match key {
                    Ok(0) => fill(&mut map, &mut age, "age")?,
                    Ok(1) => fill(&mut map, &mut name, "name")?,
                    Ok(_) => skip_value(&mut map)?,
                    Err(key) => {
                        rest.insert(key, map.next_value()?);
                    }
                }
            }
            Ok(Pet {
                name: required(name, "name")?,
                age: age.unwrap_or_default(),
                rest,
            })
        }
    }

    impl<'de> de::Deserialize<'de> for Pet {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_struct(deserializer)
        }
    }

    #[test]
    fn fields_are_matched_by_position_and_the_rest_kept() {
        let pet: Pet =
            serde_json::from_str(r#"{"age": null, "name": "Rex", "\u0063olour": "red"}"#).unwrap();
        assert_eq!(pet.name, "Rex");
        assert_eq!(pet.age, None);
        assert_eq!(pet.rest.get("colour"), Some(&serde_json::json!("red")));
        let pet: Pet =
            serde_json::from_value(serde_json::json!({"name": "Rex", "age": 3})).unwrap();
        assert_eq!(pet.age, Some(3));
    }

    #[test]
    fn keys_are_found_in_short_and_long_field_lists() {
        let long: &[&str] = &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        assert!(long.windows(2).all(|pair| pair[0] < pair[1]));
        for (i, key) in long.iter().enumerate() {
            assert_eq!(position(long, key), Some(i));
            assert_eq!(position(&long[..4], key), (i < 4).then_some(i));
        }
        assert_eq!(position(long, "ab"), None);
        assert_eq!(position(long, ""), None);
    }

    #[test]
    fn errors_read_as_serdes_own() {
        let error = |json: &str| serde_json::from_str::<Pet>(json).unwrap_err().to_string();
        assert!(error(r#"{"age": 3}"#).starts_with("missing field `name`"));
        assert!(error(r#"{"name": "a", "name": "b"}"#).starts_with("duplicate field `name`"));
        assert!(error(r#"[1]"#).starts_with("invalid type: sequence, expected struct Pet"));
        let values = &["cat", "dog"];
        let variant = |json: &str| {
            deserialize_variant(&mut serde_json::Deserializer::from_str(json), values)
                .map_err(|e| e.to_string())
        };
        assert_eq!(variant(r#""dog""#), Ok(1));
        assert!(
            variant(r#""cow""#)
                .unwrap_err()
                .starts_with("unknown variant `cow`, expected `cat` or `dog`")
        );
        assert!(
            variant("7")
                .unwrap_err()
                .starts_with("invalid type: integer `7`, expected a string")
        );
    }
}
