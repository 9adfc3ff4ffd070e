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
use serde::ser;

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

/// `Serialize::serialize` of a variant of a union tagged by a property its
/// own type does not declare: `inner`'s JSON object with `tag: value`
/// first, written straight to `serializer` (no `serde_json::Value` is
/// made). An `inner` that is not an object is an error, as the tag has no
/// place in it; a key of `inner`'s own that is the tag is left out.
pub(crate) fn serialize_tagged<S, T>(
    inner: &T,
    tag: &'static str,
    value: &'static str,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    S: ser::Serializer,
    T: ser::Serialize + ?Sized,
{
    inner.serialize(TagFirst {
        tag,
        value,
        serializer,
    })
}

/// A serializer that writes what its object is given after `tag: value`.
struct TagFirst<S> {
    tag: &'static str,
    value: &'static str,
    serializer: S,
}

impl<S: ser::Serializer> TagFirst<S> {
    fn open(self, len: Option<usize>) -> Result<Tagged<S::SerializeMap>, S::Error> {
        use ser::SerializeMap as _;
        let mut map = self.serializer.serialize_map(len.map(|n| n + 1))?;
        map.serialize_entry(self.tag, self.value)?;
        Ok(Tagged { map, tag: self.tag })
    }

    fn not_an_object<T>(self) -> Result<T, S::Error> {
        Err(ser::Error::custom(format_args!(
            "the variant tagged `{}: {}` is not a JSON object",
            self.tag, self.value
        )))
    }
}

/// The object being written after its tag.
struct Tagged<M> {
    map: M,
    tag: &'static str,
}

/// Every way to serialize something that is not an object, refused.
macro_rules! not_an_object {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            self.not_an_object()
        })*
    };
}

impl<S: ser::Serializer> ser::Serializer for TagFirst<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = ser::Impossible<S::Ok, S::Error>;
    type SerializeTuple = ser::Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = ser::Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = ser::Impossible<S::Ok, S::Error>;
    type SerializeMap = Tagged<S::SerializeMap>;
    type SerializeStruct = Tagged<S::SerializeMap>;
    type SerializeStructVariant = ser::Impossible<S::Ok, S::Error>;

    not_an_object!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ser::Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        self.not_an_object()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.not_an_object()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.not_an_object()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.not_an_object()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.not_an_object()
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.open(len)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.open(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.not_an_object()
    }
}

impl<M: ser::SerializeMap> ser::SerializeStruct for Tagged<M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: ser::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        if key == self.tag {
            return Ok(());
        }
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.map.end()
    }
}

impl<M: ser::SerializeMap> ser::SerializeMap for Tagged<M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: ser::Serialize + ?Sized>(&mut self, _: &T) -> Result<(), M::Error> {
        // Keys come with their values (`serialize_entry`), so that one that
        // is the tag can be left out with its value.
        Err(ser::Error::custom("a key without its value"))
    }

    fn serialize_value<T: ser::Serialize + ?Sized>(&mut self, _: &T) -> Result<(), M::Error> {
        Err(ser::Error::custom("a value without its key"))
    }

    fn serialize_entry<K: ser::Serialize + ?Sized, V: ser::Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), M::Error> {
        if key.serialize(IsTag(self.tag)).unwrap_or(false) {
            return Ok(());
        }
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.map.end()
    }
}

/// Whether a map key is the text `.0`: `Ok(true)` only for that string.
struct IsTag(&'static str);

/// Not a string key: never the tag.
macro_rules! not_the_tag {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<bool, fmt::Error> {
            Ok(false)
        })*
    };
}

impl ser::Serializer for IsTag {
    type Ok = bool;
    type Error = fmt::Error;
    type SerializeSeq = ser::Impossible<bool, fmt::Error>;
    type SerializeTuple = ser::Impossible<bool, fmt::Error>;
    type SerializeTupleStruct = ser::Impossible<bool, fmt::Error>;
    type SerializeTupleVariant = ser::Impossible<bool, fmt::Error>;
    type SerializeMap = ser::Impossible<bool, fmt::Error>;
    type SerializeStruct = ser::Impossible<bool, fmt::Error>;
    type SerializeStructVariant = ser::Impossible<bool, fmt::Error>;

    fn serialize_str(self, key: &str) -> Result<bool, fmt::Error> {
        Ok(key == self.0)
    }

    not_the_tag!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ser::Serialize + ?Sized>(self, _: &T) -> Result<bool, fmt::Error> {
        Ok(false)
    }

    fn serialize_newtype_struct<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, fmt::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, fmt::Error> {
        Ok(false)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, fmt::Error> {
        Err(fmt::Error)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, fmt::Error> {
        Err(fmt::Error)
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

    /// A tagged variant's object is written with its tag first, in one
    /// pass; a key of its own that is the tag is left out, and a value
    /// that is not an object is an error.
    #[test]
    fn tagged_variants_get_their_tag_first() {
        struct Shown<'a, T: ?Sized>(&'a T);
        impl<T: ser::Serialize + ?Sized> ser::Serialize for Shown<'_, T> {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize_tagged(self.0, "kind", "dog", serializer)
            }
        }
        /// A struct as the generator writes its `Serialize`; it has a
        /// `kind` of its own, which the tag replaces.
        struct Dog;
        impl ser::Serialize for Dog {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeStruct as _;
                let mut state = serializer.serialize_struct("Dog", 3)?;
                state.serialize_field("name", "Rex")?;
                state.serialize_field("kind", "wolf")?;
                state.serialize_field("age", &3)?;
                state.end()
            }
        }
        assert_eq!(
            serde_json::to_string(&Shown(&Dog)).unwrap(),
            r#"{"kind":"dog","name":"Rex","age":3}"#
        );
        let mut map = std::collections::BTreeMap::new();
        map.insert("kind", "cat");
        map.insert("name", "Tom");
        assert_eq!(
            serde_json::to_string(&Shown(&map)).unwrap(),
            r#"{"kind":"dog","name":"Tom"}"#
        );
        let error = serde_json::to_string(&Shown(&7)).unwrap_err().to_string();
        assert!(
            error.contains("`kind: dog` is not a JSON object"),
            "{error}"
        );
        assert!(serde_json::to_string(&Shown(&[1, 2])).is_err());
    }
}
