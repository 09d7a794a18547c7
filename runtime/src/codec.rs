//! What the generated structs' `Serialize` and `Deserialize` impls are made of: the
//! [`object_codec!`](crate::object_codec) macro, which generated code invokes once per struct
//! with the struct's properties, and [`Key`], a property name read without allocating.
//!
//! The impls write what serde's derives wrote, as JSON: a map of the properties in declaration
//! order, optional ones left out when `None`, required nullable ones written as `null`. They read
//! it back with the derives' messages (``missing field `id` ``, `expected struct Badge`),
//! ignoring unknown properties; unlike the derives they take nothing but a map (no array form)
//! and a repeated property keeps its last value. Generated once here, the code a crate compiles
//! per struct is a third of the derives', and the generated source stays one line per property.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Visitor};

/// One property name of an object, borrowed from the input where the format allows it.
#[derive(Debug)]
pub enum Key<'de> {
    /// Borrowed from the input (no escapes in it).
    Borrowed(&'de str),
    /// Copied (it held escapes, or the format cannot lend it).
    Owned(String),
}

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(name) => name,
            Key::Owned(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, name: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(name))
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(name.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, name: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(name))
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, name: &'de [u8]) -> Result<Key<'de>, E> {
        Ok(match std::str::from_utf8(name) {
            Ok(name) => Key::Borrowed(name),
            Err(_) => Key::Owned(String::from_utf8_lossy(name).into_owned()),
        })
    }

    fn visit_bytes<E: serde::de::Error>(self, name: &[u8]) -> Result<Key<'de>, E> {
        Ok(Key::Owned(String::from_utf8_lossy(name).into_owned()))
    }

    fn visit_u64<E: serde::de::Error>(self, name: u64) -> Result<Key<'de>, E> {
        Ok(Key::Owned(name.to_string()))
    }
}

/// `Serialize` and `Deserialize` for a struct of named fields:
/// `object_codec!(Badge { required "id" id, optional "name" name, nullable "note" note })`,
/// or `object_codec!(default Badge { … })` when every property is optional and the struct
/// implements `Default`;
/// each property with its kind (`required`: present, never `null`; `nullable`: present,
/// possibly `null`, an `Option`; `optional`: an `Option`, left out when `None`), its wire name
/// and its field.
#[doc(hidden)]
#[macro_export]
macro_rules! object_codec {
    // Every property optional: the value starts as the struct's `Default` and each property is
    // read into its field in place.
    (default $name:ident { $($kind:ident $wire:literal $field:ident),* $(,)? }) => {
        $crate::object_codec!(@serialize $name { $($kind $wire $field),* });
        $crate::object_codec!(@deserialize $name, map, __A, {
            #[allow(unused_mut)]
            let mut value = <$name as ::core::default::Default>::default();
            while let ::core::option::Option::Some(key) = map.next_key::<$crate::Key<'de>>()? {
                match key.as_str() {
                    $($wire => value.$field = map.next_value()?,)*
                    _ => {
                        map.next_value::<$crate::deps::serde::de::IgnoredAny>()?;
                    }
                }
            }
            ::core::result::Result::Ok(value)
        });
    };
    // Some property required: each is collected in a local, and a missing one is named.
    ($name:ident { $($kind:ident $wire:literal $field:ident),* $(,)? }) => {
        $crate::object_codec!(@serialize $name { $($kind $wire $field),* });
        $crate::object_codec!(@deserialize $name, map, __A, {
            $(let mut $field = ::core::option::Option::None;)*
            while let ::core::option::Option::Some(key) = map.next_key::<$crate::Key<'de>>()? {
                match key.as_str() {
                    $($wire => $field = $crate::object_codec!(@de map, $kind),)*
                    _ => {
                        map.next_value::<$crate::deps::serde::de::IgnoredAny>()?;
                    }
                }
            }
            ::core::result::Result::Ok($name {
                $($field: $crate::object_codec!(@finish $field, __A, $kind $wire),)*
            })
        });
    };
    // The `Deserialize` impl around a `visit_map` body that reads `$map` (of type `$access`);
    // both names come from the caller, so the body can use them.
    (@deserialize $name:ident, $map:ident, $access:ident, $body:block) => {
        impl<'de> $crate::deps::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::deps::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                struct __Visitor;

                impl<'de> $crate::deps::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;

                    fn expecting(
                        &self,
                        formatter: &mut ::core::fmt::Formatter<'_>,
                    ) -> ::core::fmt::Result {
                        formatter.write_str(::core::concat!("struct ", ::core::stringify!($name)))
                    }

                    fn visit_map<$access: $crate::deps::serde::de::MapAccess<'de>>(
                        self,
                        mut $map: $access,
                    ) -> ::core::result::Result<$name, $access::Error> $body
                }

                deserializer.deserialize_map(__Visitor)
            }
        }
    };
    (@serialize $name:ident { $($kind:ident $wire:literal $field:ident),* }) => {
        impl $crate::deps::serde::Serialize for $name {
            fn serialize<__S: $crate::deps::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                use $crate::deps::serde::ser::SerializeMap as _;
                #[allow(unused_mut)]
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                $($crate::object_codec!(@ser map, self.$field, $kind $wire);)*
                map.end()
            }
        }
    };
    (@ser $map:ident, $value:expr, optional $wire:literal) => {
        if let ::core::option::Option::Some(value) = &$value {
            $map.serialize_entry($wire, value)?;
        }
    };
    (@ser $map:ident, $value:expr, $kind:ident $wire:literal) => {
        $map.serialize_entry($wire, &$value)?;
    };
    (@de $map:ident, required) => {
        ::core::option::Option::Some($map.next_value()?)
    };
    (@de $map:ident, $kind:ident) => {
        $map.next_value()?
    };
    (@finish $field:ident, $access:ident, required $wire:literal) => {
        $field.ok_or_else(|| {
            <$access::Error as $crate::deps::serde::de::Error>::missing_field($wire)
        })?
    };
    (@finish $field:ident, $access:ident, $kind:ident $wire:literal) => {
        $field
    };
}

#[cfg(test)]
mod tests {
    /// Every kind of property, as generated code declares them.
    #[derive(Debug, Default, PartialEq)]
    struct Thing {
        id: String,
        note: Option<String>,
        count: Option<i64>,
    }

    crate::object_codec!(Thing {
        required "id" id,
        nullable "note" note,
        optional "count" count,
    });

    /// No properties at all.
    #[derive(Debug, PartialEq)]
    struct Empty {}

    crate::object_codec!(Empty {});

    /// Every property optional, read in place into a default value.
    #[derive(Debug, Default, PartialEq)]
    struct Loose {
        name: Option<String>,
        count: Option<i64>,
    }

    crate::object_codec!(default Loose { optional "name" name, optional "count" count });

    /// Nothing at all, from a default.
    #[derive(Debug, Default, PartialEq)]
    struct Nothing {}

    crate::object_codec!(default Nothing {});

    #[test]
    fn a_default_struct_reads_what_is_there_and_writes_what_is_set() {
        let loose: Loose = serde_json::from_str(r#"{"count":2,"other":[1],"count":3}"#).unwrap();
        assert_eq!(
            loose,
            Loose {
                name: None,
                count: Some(3)
            }
        );
        assert_eq!(serde_json::to_string(&loose).unwrap(), r#"{"count":3}"#);
        assert_eq!(
            serde_json::from_str::<Nothing>(r#"{"a":{}}"#).unwrap(),
            Nothing {}
        );
        let array = serde_json::from_str::<Loose>("[]").unwrap_err();
        assert!(
            array.to_string().contains("expected struct Loose"),
            "{array}"
        );
    }

    #[test]
    fn writes_required_and_nullable_always_and_optional_when_set() {
        let thing = Thing {
            id: "a".into(),
            ..Thing::default()
        };
        assert_eq!(
            serde_json::to_string(&thing).unwrap(),
            r#"{"id":"a","note":null}"#
        );
        let thing = Thing {
            id: "a".into(),
            note: Some("n".into()),
            count: Some(2),
        };
        let text = serde_json::to_string(&thing).unwrap();
        assert_eq!(text, r#"{"id":"a","note":"n","count":2}"#);
        assert_eq!(serde_json::from_str::<Thing>(&text).unwrap(), thing);
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    }

    #[test]
    fn reads_escaped_names_skips_unknown_ones_and_names_what_is_missing() {
        let thing: Thing =
            serde_json::from_str(r#"{"x":{"deep":[1,{"y":null}]},"\u0069d":"a","note":null}"#)
                .unwrap();
        assert_eq!(thing.id, "a");
        assert_eq!(thing.note, None);
        let missing = serde_json::from_str::<Thing>(r#"{"note":"n"}"#).unwrap_err();
        assert!(
            missing.to_string().starts_with("missing field `id`"),
            "{missing}"
        );
        let array = serde_json::from_str::<Thing>(r#"["a"]"#).unwrap_err();
        assert!(
            array.to_string().contains("expected struct Thing"),
            "{array}"
        );
        assert_eq!(
            serde_json::from_str::<Empty>(r#"{"a":1}"#).unwrap(),
            Empty {}
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_reported_where_it_is() {
        let mut input = serde_json::Deserializer::from_str(r#"{"id":"a","count":"many"}"#);
        let error = serde_path_to_error::deserialize::<_, Thing>(&mut input).unwrap_err();
        assert_eq!(error.path().to_string(), "count");
        assert!(
            error.inner().to_string().contains("expected i64"),
            "{error}"
        );
    }
}
