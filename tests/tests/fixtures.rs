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
