//! Testing your own code against the client without the network: a typed mock server of the
//! API on 127.0.0.1, expectations per operation, and a client pointed at it in one line.
//!
//! In a crate of your own, enable the feature for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! gtmhub = { version = "…", features = ["mock"] }
//! ```
//!
//! Run this example with `cargo run -p gtmhub --features mock --example mock`.

use gtmhub::mock::{MockResponse, MockServer};
use gtmhub::{Client, Error, StatusCode, types};

/// Code under test: a badge's name, with a missing badge treated as none.
async fn badge_name(client: &Client, id: &str) -> Result<Option<String>, Error> {
    match client.get_badge(id).send().await {
        Ok(badge) => Ok(badge.name.clone()),
        Err(Error::Response(response)) if response.status() == StatusCode::NOT_FOUND => Ok(None),
        Err(error) => Err(error),
    }
}

#[tokio::main]
async fn main() {
    let server = MockServer::start().await;
    // Response types are built with `Default` and field assignment.
    let mut gold = types::BadgeResponse::default();
    gold.id = Some("b1".to_owned());
    gold.name = Some("Gold".to_owned());
    server
        .get_badge()
        .id("b1")
        .expect_calls(1)
        .respond_ok(&gold)
        .await;
    server.get_badge().id("gone").respond_status(404).await;
    server
        .get_badge()
        .id("broken")
        .respond_with(MockResponse::text(500, "database down"))
        .await;

    let client = server.client();
    assert_eq!(
        badge_name(&client, "b1").await.unwrap().as_deref(),
        Some("Gold")
    );
    assert_eq!(badge_name(&client, "gone").await.unwrap(), None);
    let error = badge_name(&client, "broken").await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    server.verify().await;
    println!("badge_name behaves: the name, none for a missing badge, errors kept ({error})");
}
