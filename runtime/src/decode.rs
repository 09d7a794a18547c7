//! What the generated `Deserialize` impls of objects call: [`FieldKey`], which reads a property
//! name and resolves it to the index of a declared property without allocating, so each
//! generated impl is one `visit_map` with a `match` on indices instead of serde-derive's field
//! enum, its visitor and a sequence form that JSON objects never take.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Visitor};

/// The index a property name resolves to when the schema does not declare it: the value is
/// read and ignored, as every generated type does with unknown properties.
pub const UNKNOWN_FIELD: usize = usize::MAX;

/// Reads one property name of an object and resolves it with the generated function (a
/// `match` on the declared names, [`UNKNOWN_FIELD`] for any other).
#[derive(Clone, Copy)]
pub struct FieldKey(pub fn(&str) -> usize);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey {
    type Value = usize;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<usize, E> {
        Ok((self.0)(value))
    }

    fn visit_bytes<E: serde::de::Error>(self, value: &[u8]) -> Result<usize, E> {
        Ok(std::str::from_utf8(value).map_or(UNKNOWN_FIELD, self.0))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<usize, E> {
        Ok(UNKNOWN_FIELD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{IgnoredAny, MapAccess};

    /// A two-property object decoded the way generated code does.
    #[derive(Debug, Default, PartialEq)]
    struct Pair {
        name: Option<String>,
        count: Option<i64>,
    }

    impl<'de> serde::Deserialize<'de> for Pair {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct PairVisitor;
            impl<'de> Visitor<'de> for PairVisitor {
                type Value = Pair;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("struct Pair")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pair, A::Error> {
                    let mut value = Pair::default();
                    let key = FieldKey(|key| match key {
                        "name" => 0,
                        "count" => 1,
                        _ => UNKNOWN_FIELD,
                    });
                    while let Some(index) = map.next_key_seed(key)? {
                        match index {
                            0 => value.name = map.next_value()?,
                            1 => value.count = map.next_value()?,
                            _ => {
                                map.next_value::<IgnoredAny>()?;
                            }
                        }
                    }
                    Ok(value)
                }
            }
            deserializer.deserialize_map(PairVisitor)
        }
    }

    #[test]
    fn names_resolve_escaped_or_not_and_unknown_ones_are_skipped() {
        let pair: Pair =
            serde_json::from_str(r#"{"extra":{"deep":[1,2]},"n\u0061me":"a","count":3}"#).unwrap();
        assert_eq!(
            pair,
            Pair {
                name: Some("a".into()),
                count: Some(3)
            }
        );
    }

    #[test]
    fn an_array_is_not_an_object() {
        let error = serde_json::from_str::<Pair>("[1, 2]").unwrap_err();
        assert!(
            error.to_string().contains("expected struct Pair"),
            "{error}"
        );
    }
}
