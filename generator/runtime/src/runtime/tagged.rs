//! A variant of a union tagged by a property its own type does not
//! declare: its JSON object is written with the tag first, straight to
//! the serializer, by a serializer that wraps the real one (no
//! `serde_json::Value` is made). The generated impls call it through
//! `wire::serialize_tagged`.

use std::fmt;

use serde::ser;

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
    /// Opens the object, with no count of entries: the tag is one more
    /// than the inner object has, unless it holds the tag key too (left
    /// out), which is known only as it is written. JSON needs no count; a
    /// format that does refuses the object rather than writing a wrong one.
    fn open(self) -> Result<Tagged<S::SerializeMap>, S::Error> {
        use ser::SerializeMap as _;
        let mut map = self.serializer.serialize_map(None)?;
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

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.open()
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.open()
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
