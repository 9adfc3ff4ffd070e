//! A property that may be left out, sent as `null`, or sent with a value:
//! three different requests to many APIs (a PATCH reads `null` as "clear
//! this field" and absence as "leave it").

/// A property the document lets be absent, `null` or a value, in a type
/// the client sends. `Option<T>` would merge the first two; this keeps
/// them apart in both directions.
///
/// The common cases stay short: `value.into()` sends a value,
/// `Default::default()` (or `None.into()`) leaves the property out, and
/// [`Nullable::Null`] sends `null`. When read, an absent property is
/// [`Nullable::Absent`] and a `null` one [`Nullable::Null`];
/// [`Nullable::value`] gives the value, if any, whichever it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// Not sent (absent when read).
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, if there is one (absent and `null` are both `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, if there is one, taken out.
    pub fn into_value(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// A `Nullable` of a reference to the value.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(value),
        }
    }

    /// The value mapped by `f`; absent and `null` stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(f(value)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

/// `Some` is a value and `None` leaves the property out: what an `Option`
/// field meant before. `null` is always asked for by name.
impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Nullable::Absent, Nullable::Value)
    }
}

/// A type's `Serialize` leaves an absent property out; written on its own
/// (in a list, say), absent is `null` too.
impl<T: serde::Serialize> serde::Serialize for Nullable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            _ => serializer.serialize_none(),
        }
    }
}

/// Reads `null` as [`Nullable::Null`]; a property that is not there is
/// never read, and stays [`Nullable::Absent`].
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Nullable::Null, Nullable::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::Nullable;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        name: Nullable<String>,
    }

    #[test]
    fn absent_null_and_a_value_travel_apart() {
        for (patch, json) in [
            (Nullable::Absent, "{}"),
            (Nullable::Null, r#"{"name":null}"#),
            (Nullable::Value("a".to_owned()), r#"{"name":"a"}"#),
        ] {
            let patch = Patch { name: patch };
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
            assert_eq!(serde_json::from_str::<Patch>(json).unwrap(), patch);
        }
    }

    #[test]
    fn conversions_keep_the_common_cases_short() {
        assert_eq!(Nullable::from(5), Nullable::Value(5));
        assert_eq!(Nullable::from(Some(5)), Nullable::Value(5));
        assert_eq!(Nullable::<i32>::from(None), Nullable::Absent);
        assert_eq!(Nullable::<i32>::default(), Nullable::Absent);
        assert_eq!(Nullable::Value(5).value(), Some(&5));
        assert_eq!(Nullable::<i32>::Null.into_value(), None);
        assert_eq!(Nullable::Value(2).map(|v| v * 2), Nullable::Value(4));
        assert_eq!(
            Nullable::Value("x").as_ref().map(|_| "***"),
            Nullable::Value("***")
        );
    }
}
