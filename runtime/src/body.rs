//! Reading response bodies within a byte cap, without trusting what the server claims.
//!
//! A `Content-Length` larger than the cap is refused before anything is read, but a smaller one
//! is never used to reserve memory ahead of the bytes: a server that claims 32 MiB and sends
//! 2 KiB gets 2 KiB of buffer (at most twice what has arrived), so many such responses at once
//! cannot exhaust the address space.

use bytes::{Bytes, BytesMut};

/// The buffer a body of unknown length starts with once it spans several chunks.
const INITIAL_BUFFER: usize = 16 * 1024;

/// Why reading a response body failed.
pub(crate) enum ReadError {
    /// The body is larger than the cap.
    TooLarge,
    /// The transport failed while reading, after `partial` had arrived.
    Transport {
        /// The transport error.
        error: reqwest::Error,
        /// The bytes received before the failure (never more than the cap).
        partial: Bytes,
    },
}

/// Where a body's bytes come from: a `reqwest::Response`, or chunks in tests.
pub(crate) trait Chunks {
    /// The declared `Content-Length`, if any.
    fn declared_length(&self) -> Option<u64>;
    /// The next chunk; `Ok(None)` at the end.
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send;
}

impl Chunks for reqwest::Response {
    fn declared_length(&self) -> Option<u64> {
        self.content_length()
    }

    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send {
        self.chunk()
    }
}

/// Reads a whole body, refusing as soon as it exceeds `limit` bytes.
///
/// A body that fits in one chunk is returned without a copy. A longer one is gathered into a
/// buffer that grows with what has arrived (at most doubling), up to the declared length when
/// that is honest, so an honest body ends in a buffer of exactly its size.
pub(crate) async fn read_limited(body: &mut impl Chunks, limit: usize) -> Result<Bytes, ReadError> {
    let declared = body.declared_length();
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(ReadError::TooLarge);
    }
    let declared = declared.and_then(|length| usize::try_from(length).ok());
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    let mut total: usize = 0;
    loop {
        let chunk = match body.next_chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                let partial = first.take().unwrap_or_else(|| buffer.split().freeze());
                return Err(ReadError::Transport { error, partial });
            }
        };
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        if first.is_none() && buffer.is_empty() {
            first = Some(chunk);
            continue;
        }
        if let Some(first) = first.take() {
            grow(&mut buffer, first.len(), declared);
            buffer.extend_from_slice(&first);
        }
        grow(&mut buffer, chunk.len(), declared);
        buffer.extend_from_slice(&chunk);
    }
    Ok(first.unwrap_or_else(|| buffer.freeze()))
}

/// Makes room for `incoming` more bytes: at least double the buffer (so copies stay amortised),
/// never more than twice what has arrived, and no more than the declared length allows.
fn grow(buffer: &mut BytesMut, incoming: usize, declared: Option<usize>) {
    let needed = buffer.len().saturating_add(incoming);
    if needed <= buffer.capacity() {
        return;
    }
    let doubled = needed
        .max(buffer.len().saturating_mul(2))
        .max(INITIAL_BUFFER);
    let target = match declared {
        Some(declared) if declared >= needed => doubled.min(declared),
        _ => doubled,
    };
    // A fresh buffer of exactly `target` bytes: `BytesMut::reserve` may round up.
    let mut grown = BytesMut::with_capacity(target);
    grown.extend_from_slice(buffer);
    *buffer = grown;
}

/// Reads at most `limit` bytes of a body, ignoring the rest and any read failure.
pub(crate) async fn read_prefix(body: &mut impl Chunks, limit: usize) -> Bytes {
    let mut buffer = BytesMut::new();
    while let Ok(Some(chunk)) = body.next_chunk().await {
        let room = limit.saturating_sub(buffer.len());
        if chunk.len() >= room {
            buffer.extend_from_slice(&chunk[..room]);
            break;
        }
        buffer.extend_from_slice(&chunk);
    }
    buffer.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that claims a length and delivers the given chunks.
    struct Scripted {
        declared: Option<u64>,
        chunks: std::vec::IntoIter<Bytes>,
    }

    impl Scripted {
        fn new(declared: Option<u64>, chunks: &[&[u8]]) -> Self {
            let chunks: Vec<Bytes> = chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect();
            Self {
                declared,
                chunks: chunks.into_iter(),
            }
        }
    }

    impl Chunks for Scripted {
        fn declared_length(&self) -> Option<u64> {
            self.declared
        }

        async fn next_chunk(&mut self) -> Result<Option<Bytes>, reqwest::Error> {
            Ok(self.chunks.next())
        }
    }

    fn read(declared: Option<u64>, chunks: &[&[u8]], limit: usize) -> Result<Bytes, &'static str> {
        let mut body = Scripted::new(declared, chunks);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(read_limited(&mut body, limit))
            .map_err(|error| match error {
                ReadError::TooLarge => "too large",
                ReadError::Transport { .. } => "transport",
            })
    }

    #[test]
    fn bodies_are_read_whole_within_the_cap() {
        assert_eq!(read(Some(3), &[b"abc"], 10).unwrap().as_ref(), b"abc");
        assert_eq!(
            read(None, &[b"ab", b"cd", b"e"], 10).unwrap().as_ref(),
            b"abcde"
        );
        assert_eq!(read(None, &[], 10).unwrap().as_ref(), b"");
        assert_eq!(read(Some(11), &[b"abc"], 10), Err("too large"));
        assert_eq!(read(None, &[b"abcdef", b"ghijk"], 10), Err("too large"));
    }

    #[test]
    fn a_claimed_length_does_not_reserve_memory_ahead_of_the_bytes() {
        // The server claims 32 MiB and sends 2 KiB in two chunks.
        let mut buffer = BytesMut::new();
        grow(&mut buffer, 1024, Some(32 << 20));
        buffer.extend_from_slice(&[0; 1024]);
        grow(&mut buffer, 1024, Some(32 << 20));
        buffer.extend_from_slice(&[0; 1024]);
        assert!(
            buffer.capacity() <= INITIAL_BUFFER.max(4096),
            "{}",
            buffer.capacity()
        );

        // An honest body ends in a buffer of exactly its declared size.
        let mut buffer = BytesMut::new();
        let declared = 1_000_000;
        while buffer.len() < declared {
            let chunk = 8192.min(declared - buffer.len());
            grow(&mut buffer, chunk, Some(declared));
            assert!(buffer.capacity() <= declared);
            assert!(buffer.capacity() <= (buffer.len() + chunk).max(INITIAL_BUFFER) * 2);
            buffer.extend_from_slice(&vec![0; chunk]);
        }
        assert_eq!(buffer.capacity(), declared);
    }

    #[test]
    fn a_prefix_is_bounded() {
        let mut body = Scripted::new(None, &[b"abcdef", b"ghij"]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let prefix = runtime.block_on(read_prefix(&mut body, 8));
        assert_eq!(prefix.as_ref(), b"abcdefgh");
    }
}
