//! Typed async client for the Gtmhub (Quantive Results) REST API.
//!
//! Everything but this file is generated from `spec/gtmhub.yaml` by `cargo xtask codegen`:
//! [`types`] holds the request and response bodies, [`Client`] has one method per operation,
//! each returning a request builder whose `send()` runs the call.
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
//!
//! * **Built once.** The [`ClientBuilder`] takes the bearer token (never shown by `Debug` or
//!   in errors) and the account id, sent as `gtmhub-accountId` with every operation that
//!   needs it (a request builder's `account_id(…)` overrides it for one call).
//! * **Timeouts and retries.** 10 s to connect, 30 s per attempt; transient failures (408, 429,
//!   500, 502, 503, 504, connection errors) are retried with exponential backoff and jitter,
//!   honouring `Retry-After` up to a bound, at most 3 attempts by default ([`RetryPolicy`]).
//!   POST and PATCH are retried only when the request was never sent, or on 429.
//! * **One error type.** [`Error`] keeps the status, headers and (bounded) body of every
//!   response it did not accept, so nothing the server said is lost.
//! * **Lenient decoding.** Unknown properties are ignored and unknown enum values are kept, so
//!   new server fields never break a response.
//! * **Safe by default.** https only unless allowed; path parameters are encoded as one path
//!   segment and `""`, `.` and `..` are refused; header values with CR or LF are refused.
//! * **Deprecated operations** carry `#[deprecated]` naming the replacement the API gives.

#![warn(missing_docs)]

#[rustfmt::skip]
mod client;
#[rustfmt::skip]
pub mod types;
#[doc(hidden)]
#[rustfmt::skip]
pub mod shapes;
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;

pub use client::*;
