//! Walking offset-paged list operations: one stream of items across every page, which never
//! yields an item twice and never ends short without saying so.

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, Hasher, RandomState};

use crate::error::Error;

/// The hard bound on the number of pages fetched by one pagination stream.
const MAX_PAGES: u32 = 100_000;

/// One page of a paginated operation.
pub struct Page<T> {
    /// The items on the page (empty when the response had none, or no items property).
    pub items: Vec<T>,
    /// The total number of items, if the server reported it.
    pub total: Option<u64>,
}

/// Converts a total count reported by the server to a `u64`.
pub trait Count {
    /// Returns the count, or `None` if it is negative, not a number or infinite.
    fn to_count(&self) -> Option<u64>;
}

impl Count for f64 {
    fn to_count(&self) -> Option<u64> {
        // The cast truncates fractions and saturates at `u64::MAX`.
        (self.is_finite() && *self >= 0.0).then_some(*self as u64)
    }
}

impl Count for f32 {
    fn to_count(&self) -> Option<u64> {
        f64::from(*self).to_count()
    }
}

impl Count for i64 {
    fn to_count(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Count for i32 {
    fn to_count(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Count for u64 {
    fn to_count(&self) -> Option<u64> {
        Some(*self)
    }
}

impl Count for u32 {
    fn to_count(&self) -> Option<u64> {
        Some(u64::from(*self))
    }
}

impl<T: Count> Count for Option<T> {
    fn to_count(&self) -> Option<u64> {
        self.as_ref().and_then(Count::to_count)
    }
}

impl<T: Count + ?Sized> Count for &T {
    fn to_count(&self) -> Option<u64> {
        (**self).to_count()
    }
}

/// Walks a skip/limit paginated operation and yields its items one by one.
///
/// `fetch` is called with skip = `start`, then `start` plus the length of each page so far. The
/// stream ends after a page that reaches the reported total, or, when the server reports no
/// total, after an empty page or a page shorter than `limit`. A reported total is trusted over
/// a short page, because servers may cap the page size below the requested `limit`.
///
/// It never yields an item twice: an item equal to one already yielded (a page that overlaps
/// the previous one because the data moved) is skipped, and a page that brings nothing new (a
/// server that ignores skip, or rotates or alternates its pages) ends the stream with
/// [`Error::Pagination`]. It never ends short in silence either: an empty page before the
/// reported total is reached is an [`Error::Pagination`] too. A fetch error is yielded as is and
/// ends the stream. At most 100 000 pages are fetched.
///
/// Pages are fetched only when the previous page's items are used up, so the first item arrives
/// after one request and stopping early never costs an extra request. To recognise repeats the
/// stream keeps a 128-bit fingerprint of each item's JSON form. The stream is `Unpin`, and `Send`
/// when `fetch`, its future and `T` are.
pub fn paginate<T, F, Fut>(
    operation: &'static str,
    start: u64,
    limit: Option<u64>,
    fetch: F,
) -> impl futures_core::Stream<Item = Result<T, Error>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: serde::Serialize,
{
    paginate_bounded(operation, start, limit, MAX_PAGES, fetch)
}

/// Implements [`paginate`] with a configurable bound on the number of pages.
fn paginate_bounded<T, F, Fut>(
    operation: &'static str,
    start: u64,
    limit: Option<u64>,
    max_pages: u32,
    fetch: F,
) -> impl futures_core::Stream<Item = Result<T, Error>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: serde::Serialize,
{
    let pager = Pager {
        fetch,
        operation,
        limit,
        next_skip: start,
        pages: 0,
        max_pages,
        current: Vec::new().into_iter(),
        seen: Fingerprints::new(),
        done: false,
    };
    // Boxing makes the stream `Unpin`, so callers can poll it without pinning it first.
    Box::pin(futures_util::stream::unfold(
        pager,
        |mut pager| async move {
            let item = pager.next_item().await?;
            Some((item, pager))
        },
    ))
}

/// The state of a pagination stream.
struct Pager<T, F> {
    fetch: F,
    operation: &'static str,
    limit: Option<u64>,
    next_skip: u64,
    pages: u32,
    max_pages: u32,
    /// The items of the current page not yielded yet.
    current: std::vec::IntoIter<T>,
    /// Every item yielded so far.
    seen: Fingerprints,
    /// Whether no more pages will be fetched.
    done: bool,
}

impl<T, F, Fut> Pager<T, F>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: serde::Serialize,
{
    /// Returns the next item or error, or `None` at the end.
    async fn next_item(&mut self) -> Option<Result<T, Error>> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match self.next_page().await {
                Ok(items) => self.current = items.into_iter(),
                Err(error) => {
                    self.done = true;
                    return error.map(Err);
                }
            }
        }
    }

    fn failure(&self, message: String) -> Option<Error> {
        Some(Error::Pagination {
            operation: self.operation,
            message,
        })
    }

    /// Fetches the page at `next_skip` and keeps its new items. `Err(None)` is the end of the
    /// stream; `Err(Some(_))` an error that ends it.
    async fn next_page(&mut self) -> Result<Vec<T>, Option<Error>> {
        if self.pages >= self.max_pages {
            return Err(self.failure(format!(
                "stopped after {} pages without reaching the end",
                self.max_pages
            )));
        }
        self.pages = self.pages.saturating_add(1);
        let skip = self.next_skip;
        let Page { items, total } = (self.fetch)(skip).await.map_err(Some)?;
        if items.is_empty() {
            return match total {
                Some(total) if skip < total => Err(self.failure(format!(
                    "the server reported {total} items but sent an empty page at skip {skip}; \
                     the walk would end short"
                ))),
                _ => Err(None),
            };
        }
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let fresh: Vec<T> = items
            .into_iter()
            .filter(|item| self.seen.insert(item))
            .collect();
        if fresh.is_empty() {
            return Err(self.failure(format!(
                "the page at skip {skip} repeats only items already yielded; the server seems to \
                 ignore the skip parameter"
            )));
        }
        self.next_skip = skip.saturating_add(len);
        self.done = match total {
            // A short page does not end the walk while the total says more items follow: the
            // server may cap the page size below the limit asked for.
            Some(total) => self.next_skip >= total,
            None => self.limit.is_some_and(|limit| len < limit),
        };
        Ok(fresh)
    }
}

/// 128-bit fingerprints of the JSON form of items, under two randomly keyed hashers: a false
/// match (which would drop an item) is as unlikely as a 128-bit collision.
struct Fingerprints {
    keys: (RandomState, RandomState),
    seen: HashSet<u128>,
}

impl Fingerprints {
    fn new() -> Self {
        Self {
            keys: (RandomState::new(), RandomState::new()),
            seen: HashSet::new(),
        }
    }

    /// Records `item`; `false` when an equal item was recorded before. An item that cannot be
    /// serialized is never taken for a repeat.
    fn insert<T: serde::Serialize>(&mut self, item: &T) -> bool {
        let mut writer = HashWriter(self.keys.0.build_hasher(), self.keys.1.build_hasher());
        if serde_json::to_writer(&mut writer, item).is_err() {
            return true;
        }
        let fingerprint = (u128::from(writer.0.finish()) << 64) | u128::from(writer.1.finish());
        self.seen.insert(fingerprint)
    }
}

/// Feeds serialized bytes into two hashers without buffering them.
struct HashWriter<H>(H, H);

impl<H: Hasher> std::io::Write for HashWriter<H> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        self.1.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;

    use super::*;

    #[test]
    fn counts_convert_safely() {
        assert_eq!(12.0_f64.to_count(), Some(12));
        assert_eq!(12.9_f64.to_count(), Some(12));
        assert_eq!(0.0_f64.to_count(), Some(0));
        assert_eq!((-1.0_f64).to_count(), None);
        assert_eq!(f64::NAN.to_count(), None);
        assert_eq!(f64::INFINITY.to_count(), None);
        assert_eq!(f64::NEG_INFINITY.to_count(), None);
        assert_eq!(1e30_f64.to_count(), Some(u64::MAX));
        assert_eq!(3.0_f32.to_count(), Some(3));
        assert_eq!(f32::NAN.to_count(), None);
        assert_eq!((-3_i64).to_count(), None);
        assert_eq!(3_i64.to_count(), Some(3));
        assert_eq!((-3_i32).to_count(), None);
        assert_eq!(3_i32.to_count(), Some(3));
        assert_eq!(u64::MAX.to_count(), Some(u64::MAX));
        assert_eq!(7_u32.to_count(), Some(7));
        assert_eq!(Some(5.0_f64).to_count(), Some(5));
        assert_eq!(None::<f64>.to_count(), None);
    }

    /// Runs a pagination stream to the end, collecting items, errors and requested skips.
    async fn drive<F>(
        start: u64,
        limit: Option<u64>,
        max_pages: u32,
        mut page_at: F,
    ) -> (Vec<Result<u64, String>>, Vec<u64>)
    where
        F: FnMut(u64) -> Result<Page<u64>, Error>,
    {
        let skips = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&skips);
        let mut stream = paginate_bounded("listThings", start, limit, max_pages, move |skip| {
            seen.lock().unwrap().push(skip);
            std::future::ready(page_at(skip))
        });
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item.map_err(|e| e.to_string()));
            assert!(out.len() < 1000, "runaway stream");
        }
        let skips = skips.lock().unwrap().clone();
        (out, skips)
    }

    fn page(skip: u64, len: u64, total: Option<u64>) -> Result<Page<u64>, Error> {
        Ok(Page {
            items: (skip..skip + len).collect(),
            total,
        })
    }

    fn oks(range: std::ops::Range<u64>) -> Vec<Result<u64, String>> {
        range.map(Ok).collect()
    }

    #[tokio::test]
    async fn paginate_stops_at_the_total() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |skip| {
            page(skip, 2.min(5_u64.saturating_sub(skip)), Some(5))
        })
        .await;
        assert_eq!(items, oks(0..5));
        assert_eq!(skips, [0, 2, 4]);
    }

    #[tokio::test]
    async fn paginate_stops_on_a_short_page() {
        let (items, skips) = drive(0, Some(3), MAX_PAGES, |skip| {
            page(skip, if skip < 6 { 3 } else { 1 }, None)
        })
        .await;
        assert_eq!(items, oks(0..7));
        assert_eq!(skips, [0, 3, 6]);
    }

    #[tokio::test]
    async fn paginate_trusts_the_total_over_a_short_page() {
        // The server caps pages at 3 items although 5 were asked for.
        let (items, skips) = drive(0, Some(5), MAX_PAGES, |skip| {
            page(skip, 3.min(8_u64.saturating_sub(skip)), Some(8))
        })
        .await;
        assert_eq!(items, oks(0..8));
        assert_eq!(skips, [0, 3, 6]);
    }

    #[tokio::test]
    async fn paginate_never_ends_short_in_silence() {
        // The total says 100 but the server runs dry at 4: the items that came are yielded,
        // then an error says the walk is incomplete.
        let (items, skips) = drive(0, Some(5), MAX_PAGES, |skip| {
            page(skip, 3.min(4_u64.saturating_sub(skip)), Some(100))
        })
        .await;
        assert_eq!(items[..4], oks(0..4));
        assert_eq!(items.len(), 5);
        let error = items[4].as_ref().unwrap_err();
        assert!(error.contains("reported 100 items"), "{error}");
        assert!(error.contains("skip 4"), "{error}");
        assert_eq!(skips, [0, 3, 4]);

        // An empty first page while the total says 30.
        let (items, _) = drive(0, Some(10), MAX_PAGES, |_| page(0, 0, Some(30))).await;
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().unwrap_err().contains("reported 30 items"));
    }

    #[tokio::test]
    async fn paginate_stops_on_an_empty_page_and_honours_start() {
        let (items, skips) = drive(10, None, MAX_PAGES, |skip| {
            page(skip, if skip < 14 { 2 } else { 0 }, None)
        })
        .await;
        assert_eq!(items, oks(10..14));
        assert_eq!(skips, [10, 12, 14]);

        let (items, skips) = drive(0, Some(5), MAX_PAGES, |_| page(0, 0, Some(0))).await;
        assert!(items.is_empty());
        assert_eq!(skips, [0]);
    }

    #[tokio::test]
    async fn paginate_detects_a_server_that_ignores_skip() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |_| page(0, 2, Some(100))).await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[..2], oks(0..2));
        let error = items[2].as_ref().unwrap_err();
        assert!(
            error.starts_with("listThings: pagination failed"),
            "{error}"
        );
        assert_eq!(skips, [0, 2]);
    }

    #[tokio::test]
    async fn paginate_never_yields_an_item_twice_from_rotating_or_alternating_pages() {
        // A server that ignores skip but rotates its ten items by one on every request.
        let mut calls = 0_u64;
        let (items, _) = drive(0, Some(10), MAX_PAGES, move |_| {
            let offset = calls;
            calls += 1;
            Ok(Page {
                items: (0..10).map(|i| (i + offset) % 10).collect(),
                total: Some(50),
            })
        })
        .await;
        let values: Vec<u64> = items.iter().filter_map(|i| i.clone().ok()).collect();
        assert_eq!(values, (0..10).collect::<Vec<_>>());
        assert!(items.last().unwrap().is_err(), "{items:?}");

        // Pages alternating A, B, A, B: A and B once each, then an error.
        let mut calls = 0_u64;
        let (items, skips) = drive(0, Some(3), MAX_PAGES, move |_| {
            let first = if calls.is_multiple_of(2) { 0 } else { 3 };
            calls += 1;
            Ok(Page {
                items: (first..first + 3).collect(),
                total: Some(1000),
            })
        })
        .await;
        let values: Vec<u64> = items.iter().filter_map(|i| i.clone().ok()).collect();
        assert_eq!(values, (0..6).collect::<Vec<_>>());
        assert_eq!(items.len(), 7);
        assert_eq!(skips.len(), 3);

        // A page that overlaps the previous one (an item was inserted in front meanwhile)
        // keeps only its new items, and the walk goes on to the new total.
        let (items, _) = drive(0, Some(3), MAX_PAGES, |skip| match skip {
            0 => page(0, 3, Some(6)),
            3 => Ok(Page {
                items: vec![2, 3, 4],
                total: Some(7),
            }),
            _ => Ok(Page {
                items: vec![5],
                total: Some(7),
            }),
        })
        .await;
        assert_eq!(items, oks(0..6));
    }

    #[tokio::test]
    async fn paginate_fetches_lazily() {
        let fetched = Arc::new(Mutex::new(0_u32));
        let counter = Arc::clone(&fetched);
        let mut stream = paginate_bounded("listThings", 0, Some(2), MAX_PAGES, move |skip| {
            *counter.lock().unwrap() += 1;
            std::future::ready(page(skip, 2, Some(100)))
        });
        assert_eq!(
            stream.next().await.map(|r| r.map_err(|e| e.to_string())),
            Some(Ok(0))
        );
        assert_eq!(
            *fetched.lock().unwrap(),
            1,
            "the first item needs exactly one request"
        );
        assert_eq!(
            stream.next().await.map(|r| r.map_err(|e| e.to_string())),
            Some(Ok(1))
        );
        assert_eq!(
            *fetched.lock().unwrap(),
            1,
            "no request before the page is used up"
        );
    }

    #[tokio::test]
    async fn paginate_yields_a_fetch_error_and_stops() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |skip| {
            if skip == 0 {
                page(0, 2, None)
            } else {
                Err(Error::InvalidRequest {
                    operation: "listThings",
                    message: "nope".to_owned(),
                })
            }
        })
        .await;
        assert_eq!(
            items,
            [
                Ok(0),
                Ok(1),
                Err("listThings: invalid request: nope".to_owned())
            ]
        );
        assert_eq!(skips, [0, 2]);

        let (items, skips) = drive(0, None, MAX_PAGES, |_| {
            Err(Error::InvalidRequest {
                operation: "listThings",
                message: "first".to_owned(),
            })
        })
        .await;
        assert_eq!(items.len(), 1);
        assert_eq!(skips, [0]);
    }

    #[tokio::test]
    async fn paginate_has_a_hard_page_bound() {
        let (items, skips) = drive(0, None, 3, |skip| page(skip, 1, None)).await;
        assert_eq!(items[..3], oks(0..3));
        assert_eq!(items.len(), 4);
        assert!(items[3].as_ref().unwrap_err().contains("3 pages"));
        assert_eq!(skips, [0, 1, 2]);
    }
}
