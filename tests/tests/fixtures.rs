//! Compiles every generator fixture's snapshot (`codegen/tests/snapshots/<fixture>`) with
//! warnings denied, each against the runtime crate as a generated crate is, and checks at run
//! time that each fixture's client builds.

#![deny(warnings)]
// A fixture's public items are exercised only by compiling them.
#![allow(dead_code)]
// Each fixture re-exports the runtime's items, as a generated crate does; most go unused here.
#![allow(unused_imports)]

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
#[path = "../../codegen/tests/snapshots/names/mod.rs"]
mod names;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/objects/mod.rs"]
mod objects;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/pagination/mod.rs"]
mod pagination;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/params/mod.rs"]
mod params;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/recursive/mod.rs"]
mod recursive;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/refs/mod.rs"]
mod refs;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/responses/mod.rs"]
mod responses;

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
    builds!(
        composition,
        enums,
        formats,
        names,
        objects,
        pagination,
        params,
        recursive,
        refs,
        responses
    );
}
