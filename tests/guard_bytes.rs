//! Zero-copy hand-off of pooled buffers to `bytes::Bytes`: the `Bytes`
//! shares the pooled buffer (same pointer), and the buffer goes back to its
//! pool when the last clone drops, on whichever thread, counted through
//! `stats()`. With `--features bytes`: `BufMut` on guards, tokio's
//! `read_buf(&mut guard)`, `Guard::into_bytes` and `Bytes::from(guard)`.
//!
//! Each test counts in a pool of its own (a `static` or a derived type), so
//! the tests of this binary, which run in parallel, never see each other's
//! counts. Only `from_owner_takes_a_plain_vec_guard` uses `Vec<u8>`'s own
//! pool.

use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use bytes::Bytes;
use repool::{Pool, Pooled, Stats};

/// What a pool did since `before`, as `(acquired, reused, built, returned,
/// idle)`.
fn counts(now: Stats, before: &Stats) -> (u64, u64, u64, u64, usize) {
    let s = now.since(before);
    (s.acquired, s.reused, s.built, s.returned, s.idle)
}

#[test]
fn from_owner_takes_a_plain_vec_guard() {
    let before = Vec::<u8>::pool().stats();
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"hello");
    let data = buf.as_ptr();
    let bytes = Bytes::from_owner(buf);
    assert_eq!(bytes.as_ptr(), data, "the Bytes shares the pooled buffer");
    assert_eq!(bytes, "hello");
    drop(bytes);
    let step = Vec::<u8>::pool().stats().since(&before);
    assert_eq!((step.acquired, step.returned), (1, 1));
}

#[test]
fn the_buffer_returns_only_when_the_last_clone_drops() {
    static POOL: Pool<Vec<u8>> = Pool::new();
    let start = POOL.stats();

    let mut buf = POOL.acquire();
    buf.extend(0..100u8);
    let data = buf.as_ptr();
    let bytes = Bytes::from_owner(buf);
    let clone = bytes.clone();
    let slice = bytes.slice(10..20);
    let mut head = bytes.clone();
    let tail = head.split_off(50);
    assert_eq!((slice[0], tail[0], head.len()), (10, 50, 50));
    assert_eq!(tail.as_ptr(), data.wrapping_add(50), "no copy");

    let mut alive = vec![bytes, clone, slice, head, tail];
    while alive.len() > 1 {
        drop(alive.pop());
        assert_eq!(
            counts(POOL.stats(), &start),
            (1, 0, 1, 0, 0),
            "{} clones alive: the buffer is still shared",
            alive.len()
        );
    }
    drop(alive);
    assert_eq!(counts(POOL.stats(), &start), (1, 0, 1, 1, 1));

    // The same buffer again, reset with its capacity kept.
    let again = POOL.acquire();
    assert_eq!(again.as_ptr(), data);
    assert!(again.is_empty() && again.capacity() >= 100);
    assert_eq!(counts(POOL.stats(), &start), (2, 1, 1, 1, 0));
}

#[test]
fn the_last_drop_may_happen_on_another_thread() {
    static POOL: Pool<Vec<u8>> = Pool::new();
    let start = POOL.stats();

    let mut buf = POOL.acquire();
    buf.extend_from_slice(b"payload");
    let data = buf.as_ptr() as usize;
    let bytes = Bytes::from_owner(buf);

    let (send, receive) = mpsc::channel::<Bytes>();
    let (dropped_here, wait_for_main) = mpsc::channel::<()>();
    let other = thread::spawn(move || {
        let clone = receive.recv().unwrap();
        wait_for_main.recv().unwrap();
        // The main thread dropped its `Bytes`: this clone holds the buffer.
        assert_eq!(POOL.stats().since(&start).returned, 0);
        assert_eq!(clone, "payload");
        drop(clone);
        assert_eq!(POOL.stats().since(&start).returned, 1);
    });
    send.send(bytes.clone()).unwrap();
    drop(bytes);
    assert_eq!(POOL.stats().since(&start).returned, 0);
    dropped_here.send(()).unwrap();
    other.join().unwrap();

    // Returned by the other thread, whose cache went to the shared layer
    // when it exited: this thread gets the same buffer back.
    assert_eq!(counts(POOL.stats(), &start), (1, 0, 1, 1, 1));
    let again = POOL.acquire();
    assert_eq!(again.as_ptr() as usize, data);
    assert_eq!(POOL.stats().since(&start).reused, 1);
}

#[test]
fn clones_dropped_at_once_on_many_threads_return_the_buffer_once() {
    static POOL: Pool<Vec<u8>> = Pool::new();
    let start = POOL.stats();
    let threads = 8;
    let rounds = if cfg!(miri) { 2 } else { 200 };

    for _ in 0..rounds {
        let mut buf = POOL.acquire();
        buf.extend_from_slice(&[1; 64]);
        let bytes = Bytes::from_owner(buf);
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (clone, barrier) = (bytes.clone(), Arc::clone(&barrier));
                thread::spawn(move || {
                    barrier.wait();
                    drop(clone);
                })
            })
            .collect();
        drop(bytes);
        for handle in handles {
            handle.join().unwrap();
        }
    }
    let s = POOL.stats().since(&start);
    // Every round returned its buffer exactly once, and later rounds
    // reused what earlier ones returned.
    assert_eq!((s.acquired, s.returned), (rounds, rounds));
    assert_eq!(s.built + s.reused, rounds);
    assert!(s.reused > 0);
    assert!(s.idle >= 1);
}

/// A derived type whose guard is a `Bytes` owner: its `max_capacity` still
/// applies when the last clone drops.
#[derive(Pooled, Default)]
#[pooled(capacity = 4)]
struct Frame {
    #[pooled(max_capacity = 1024)]
    payload: Vec<u8>,
}

impl AsRef<[u8]> for Frame {
    fn as_ref(&self) -> &[u8] {
        &self.payload
    }
}

#[test]
fn a_derived_guard_is_a_bytes_owner_and_keeps_its_limits() {
    let mut frame = Frame::acquire();
    frame.payload.extend_from_slice(b"small");
    let bytes = Bytes::from_owner(frame);
    assert_eq!(bytes, "small");
    drop(bytes);
    assert_eq!(Frame::pool().stats().returned, 1);

    let mut frame = Frame::acquire();
    frame.payload.resize(4096, 0); // past `max_capacity`
    let bytes = Bytes::from_owner(frame);
    drop(bytes.clone());
    drop(bytes);
    let s = Frame::pool().stats();
    assert_eq!((s.returned, s.oversized, s.idle), (1, 1, 0));
}

#[cfg(feature = "bytes")]
mod with_the_bytes_feature {
    use bytes::{BufMut, Bytes};
    use repool::{Guard, Pool, Pooled};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn page() -> Vec<u8> {
        Vec::with_capacity(4096)
    }

    /// What a codec that writes into "any `BufMut`" looks like.
    fn encode_frame<B: BufMut>(out: &mut B, kind: u8, payload: &[u8]) {
        out.put_u8(kind);
        out.put_u32(payload.len() as u32);
        out.put_slice(payload);
    }

    #[test]
    fn a_byte_guard_is_a_buf_mut() {
        static POOL: Pool<Vec<u8>> = Pool::from_fn(page);
        let mut buf = POOL.acquire();
        let data = buf.as_ptr();
        encode_frame(&mut buf, 1, b"hi");
        buf.put_bytes(0, 2);
        buf.put(&b"xy"[..]);
        assert!(buf.has_remaining_mut() && buf.remaining_mut() > 4096);

        let chunk = buf.chunk_mut();
        assert!(chunk.len() >= 4, "spare capacity of the pooled buffer");
        chunk[..4].copy_from_slice(b"tail");
        // SAFETY: the 4 bytes at the start of the chunk were just
        // initialised by `copy_from_slice`.
        unsafe { buf.advance_mut(4) };

        assert_eq!(&buf[..], b"\x01\x00\x00\x00\x02hi\x00\x00xytail");
        assert_eq!(buf.as_ptr(), data, "written in place, no reallocation");
    }

    #[tokio::test]
    async fn tokio_read_buf_fills_a_guard_that_then_becomes_bytes() {
        static POOL: Pool<Vec<u8>> = Pool::from_fn(page);
        let (mut client, mut server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            for chunk in [&b"GET /orders/7 HTTP/1.1\r\n"[..], b"Host: a\r\n\r\n"] {
                client.write_all(chunk).await.unwrap();
            }
        });

        let mut request = POOL.acquire();
        let data = request.as_ptr();
        while server.read_buf(&mut request).await.unwrap() > 0 {}
        writer.await.unwrap();
        assert_eq!(&request[..], b"GET /orders/7 HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(request.as_ptr(), data, "read into the pooled buffer");

        let bytes = Guard::into_bytes(request);
        assert_eq!(bytes.as_ptr(), data, "and handed over without a copy");
        let line = bytes.slice(..22);
        drop(bytes);
        assert_eq!(POOL.stats().returned, 0);
        assert_eq!(line, "GET /orders/7 HTTP/1.1");
        drop(line);
        assert_eq!((POOL.stats().returned, POOL.stats().idle), (1, 1));
    }

    #[test]
    fn into_bytes_and_from_return_the_buffer_on_the_last_drop() {
        static POOL: Pool<Vec<u8>> = Pool::new();
        let mut buf = POOL.acquire();
        buf.extend_from_slice(b"body");
        let bytes: Bytes = buf.into();
        let clone = bytes.clone();
        drop(bytes);
        assert_eq!(POOL.stats().returned, 0);
        std::thread::spawn(move || drop(clone)).join().unwrap();
        assert_eq!(POOL.stats().returned, 1);

        let mut buf = POOL.acquire();
        buf.extend_from_slice(b"again");
        let bytes = Guard::into_bytes(buf);
        assert_eq!(bytes, "again");
        drop(bytes);
        let s = POOL.stats();
        assert_eq!((s.acquired, s.reused, s.returned), (2, 1, 2));
    }

    #[derive(Pooled, Default)]
    struct Line {
        text: String,
    }

    impl AsRef<[u8]> for Line {
        fn as_ref(&self) -> &[u8] {
            self.text.as_bytes()
        }
    }

    #[test]
    fn string_and_derived_guards_convert_too() {
        let mut text = String::acquire();
        text.push_str("hello");
        assert_eq!(Bytes::from(text), "hello");

        let mut line = Line::acquire();
        line.text.push_str("log line");
        assert_eq!(Guard::into_bytes(line), "log line");
        assert_eq!(Line::pool().stats().returned, 1);
    }
}
