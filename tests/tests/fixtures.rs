//! Compiles every generator fixture's snapshot (`codegen/tests/snapshots/<fixture>`) with
//! warnings denied, each against the runtime crate as a generated crate is, and checks at run
//! time that each fixture's client builds.

#![deny(warnings)]
// A fixture's public items are exercised only by compiling them.
#![allow(dead_code)]
// Each fixture re-exports the runtime's items, as a generated crate does; most go unused here.
#![allow(unused_imports)]

#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/bodies/mod.rs"]
mod bodies;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/composition/mod.rs"]
mod composition;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/enums/mod.rs"]
mod enums;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/formats/mod.rs"]
mod formats;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/json/mod.rs"]
mod json;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/media/mod.rs"]
mod media;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/merging/mod.rs"]
mod merging;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/names/mod.rs"]
mod names;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/objects/mod.rs"]
mod objects;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/openapi31/mod.rs"]
mod openapi31;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/pagination/mod.rs"]
mod pagination;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/params/mod.rs"]
mod params;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/pointers/mod.rs"]
mod pointers;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/ranges/mod.rs"]
mod ranges;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/recursive/mod.rs"]
mod recursive;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/refs/mod.rs"]
mod refs;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/reserved-names/mod.rs"]
mod reserved_names;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/responses/mod.rs"]
mod responses;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/security/mod.rs"]
mod security;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/servers/mod.rs"]
mod servers;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/styles/mod.rs"]
mod styles;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/unions/mod.rs"]
mod unions;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/values/mod.rs"]
mod values;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/webhooks-only/mod.rs"]
mod webhooks_only;

// The fixture modules are marked `#[rustfmt::skip]` so that `cargo fmt` leaves the snapshots
// exactly as the generator writes them.

fn main() {
    macro_rules! builds {
        ($($fixture:ident),*) => {$(
            let client = $fixture::Client::builder()
                .token("fixture-token")
                .base_url("https://fixture.example.test/api")
                .build();
            assert!(client.is_ok(), "{}: {:?}", stringify!($fixture), client.err());
            println!("fixture {} compiles and its client builds", stringify!($fixture));
        )*};
    }
    decodes_objects_as_the_derive_did();
    // Servers are picked by name, the first is the default, and each is a base URL.
    assert_eq!(servers::Server::default(), servers::Server::Production);
    let urls: Vec<&str> = servers::Server::ALL.iter().map(|s| s.url()).collect();
    assert_eq!(
        urls,
        [
            "https://api.example.test/v1",
            "https://sandbox.example.test/v1",
            "https://eu.example.test/v1",
            "https://staging.example.test/v1",
        ]
    );
    let client = servers::Client::builder()
        .server(servers::Server::Sandbox)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://sandbox.example.test/v1");
    builds!(
        bodies,
        composition,
        enums,
        formats,
        json,
        media,
        merging,
        names,
        objects,
        openapi31,
        pagination,
        params,
        pointers,
        ranges,
        recursive,
        refs,
        reserved_names,
        responses,
        security,
        servers,
        styles,
        unions,
        values,
        webhooks_only
    );
}

/// The generated `Serialize` and `Deserialize` of structs (not serde-derive's, see
/// `codegen/src/emit/codec.rs`) encode and decode what the derives did, with their messages: renamed and nullable properties, unknown
/// ones ignored at any depth, required ones reported by name, and nothing but an object.
fn decodes_objects_as_the_derive_did() {
    use objects::types::{CreateThingResponse, Thing};
    let thing: Thing = serde_json::from_str(
        r#"{"name":"a","tags":["x"],"deletedAt":"2026-01-01","maybeList":[null,"b"],
            "unknown":{"deep":[1,{"x":null}]},"nickname":null,"dimensions":{"zz":1}}"#,
    )
    .expect("a valid Thing decodes");
    assert_eq!(thing.name, "a");
    assert_eq!(thing.tags, ["x"]);
    assert_eq!(thing.deleted_at.as_deref(), Some("2026-01-01"));
    assert_eq!(thing.maybe_list, Some(vec![None, Some("b".to_owned())]));
    assert_eq!(thing.nickname, None);
    assert!(thing.dimensions.is_some());
    // Optional properties that are `None` are left out, in declaration order as the derive did.
    let minimal = Thing::new("a".to_owned(), vec!["x".to_owned()]).with_nickname("n");
    assert_eq!(
        serde_json::to_string(&minimal).unwrap(),
        r#"{"name":"a","nickname":"n","tags":["x"]}"#
    );
    // What it encodes decodes to the same value.
    let again: Thing = serde_json::from_value(serde_json::to_value(&thing).unwrap()).unwrap();
    assert_eq!(again, thing);

    let missing = serde_json::from_str::<Thing>(r#"{"name":"a"}"#).unwrap_err();
    assert!(
        missing.to_string().starts_with("missing field `tags`"),
        "{missing}"
    );
    let wrong = serde_json::from_str::<Thing>(r#"{"name":1,"tags":[]}"#).unwrap_err();
    assert!(
        wrong
            .to_string()
            .starts_with("invalid type: integer `1`, expected a string"),
        "{wrong}"
    );
    let array = serde_json::from_str::<Thing>(r#"["a",[]]"#).unwrap_err();
    assert!(
        array.to_string().contains("expected struct Thing"),
        "{array}"
    );
    // Every property optional: an empty object is the default; a repeated one keeps the last.
    let empty: CreateThingResponse = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, CreateThingResponse::default());
    let repeated: CreateThingResponse =
        serde_json::from_str(r#"{"id":"first","id":"last"}"#).unwrap();
    assert_eq!(repeated.id.as_deref(), Some("last"));
    println!("object_codec! encodes and decodes as the derives did");
}
