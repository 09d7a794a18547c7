//! Typed async client for the Gtmhub (Quantive Results) REST API.
//!
//! Everything but this file is generated from `spec/gtmhub.yaml` by `cargo xtask codegen`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = gtmhub::Client::builder()
//!     .token(std::env::var("GTMHUB_TOKEN")?)
//!     .account_id(std::env::var("GTMHUB_ACCOUNT_ID")?)
//!     .build()?;
//! let badges = client.list_badges().send().await?;
//! for badge in badges.items.iter().flatten() {
//!     println!("{}", badge.name.as_deref().unwrap_or("(unnamed)"));
//! }
//! # Ok(())
//! # }
//! ```

#[rustfmt::skip]
mod runtime;
#[rustfmt::skip]
mod client;
#[rustfmt::skip]
pub mod types;

pub use client::*;
pub use runtime::{
    BuildError, Client, ClientBuilder, Error, ErrorResponse, InvalidBodyKind, ResponseValue,
    RetryPolicy,
};
