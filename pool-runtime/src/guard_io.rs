//! What a [`Guard`] forwards to its object besides `Deref`, so that a guard
//! goes wherever its object would: the I/O traits (`io::Write`, `io::Read`,
//! `io::BufRead`, `fmt::Write`), the byte and text views (`AsRef<[u8]>`,
//! `AsMut<[u8]>`, `AsRef<str>`, `AsMut<str>`, `Borrow`, `BorrowMut`), and,
//! with the `bytes` feature, `bytes::BufMut` and [`Guard::into_bytes`].
//!
//! Each impl forwards to `T`'s own, as std's `Box<T>` does, so a guard
//! behaves exactly like the object it holds. The views are written for every
//! `T` that has them, not only `Vec<u8>` and `String`: a derived type that
//! implements `AsRef<[u8]>` can hand its guard to `bytes::Bytes::from_owner`
//! and keep its own `max_capacity`.
//!
//! None of these overlaps the guard's `AsRef<T>`/`AsMut<T>`: those would
//! need `T = [u8]` (or `str`), and a guard's `T` is always `Sized`.

use std::borrow::{Borrow, BorrowMut};
use std::fmt;
use std::io::{self, BufRead, IoSlice, IoSliceMut, Read, Write};

use crate::guard::{Guard, PoolRef};

/// Writes to the object: a `Guard<Vec<u8>>` (or a guard of any
/// `T: io::Write`) is a writer, and so is `&mut` of it.
///
/// ```
/// use std::io::Write;
///
/// use repool::Pooled;
///
/// fn sink<W: Write>(mut w: W) -> std::io::Result<()> {
///     w.write_all(b" world")
/// }
///
/// let mut buf = Vec::<u8>::acquire();
/// write!(buf, "hello")?;
/// sink(&mut buf)?;
/// assert_eq!(&buf[..], b"hello world");
/// # Ok::<(), std::io::Error>(())
/// ```
impl<T: Write, P: PoolRef<T>> Write for Guard<T, P> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (**self).write(buf)
    }

    #[inline]
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        (**self).write_vectored(bufs)
    }

    #[inline]
    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        (**self).write_all(buf)
    }

    #[inline]
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        (**self).write_fmt(args)
    }
}

/// Reads from the object: a guard of any `T: io::Read`, e.g. a
/// `VecDeque<u8>` used as a byte queue.
///
/// ```
/// use std::collections::VecDeque;
/// use std::io::Read;
///
/// use repool::Pooled;
///
/// let mut queue = VecDeque::<u8>::acquire();
/// queue.extend(b"ping");
/// let mut out = [0; 4];
/// queue.read_exact(&mut out)?;
/// assert_eq!(&out, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
impl<T: Read, P: PoolRef<T>> Read for Guard<T, P> {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read(buf)
    }

    #[inline]
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        (**self).read_vectored(bufs)
    }

    #[inline]
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        (**self).read_to_end(buf)
    }

    #[inline]
    fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        (**self).read_to_string(buf)
    }

    #[inline]
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        (**self).read_exact(buf)
    }
}

/// Reads lines and delimited records from the object: a guard of any
/// `T: io::BufRead`.
///
/// ```
/// use std::collections::VecDeque;
/// use std::io::BufRead;
///
/// use repool::Pooled;
///
/// let mut queue = VecDeque::<u8>::acquire();
/// queue.extend(b"GET / HTTP/1.1\r\nHost: a\r\n");
/// let mut line = String::new();
/// queue.read_line(&mut line)?;
/// assert_eq!(line, "GET / HTTP/1.1\r\n");
/// # Ok::<(), std::io::Error>(())
/// ```
impl<T: BufRead, P: PoolRef<T>> BufRead for Guard<T, P> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        (**self).fill_buf()
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        (**self).consume(amount)
    }

    #[inline]
    fn read_until(&mut self, byte: u8, buf: &mut Vec<u8>) -> io::Result<usize> {
        (**self).read_until(byte, buf)
    }

    #[inline]
    fn skip_until(&mut self, byte: u8) -> io::Result<usize> {
        (**self).skip_until(byte)
    }

    #[inline]
    fn read_line(&mut self, buf: &mut String) -> io::Result<usize> {
        (**self).read_line(buf)
    }
}

/// Formats into the object: a `Guard<String>` (or a guard of any
/// `T: fmt::Write`) is a `fmt::Write`, and so is `&mut` of it.
///
/// ```
/// use std::fmt::Write;
///
/// use repool::Pooled;
///
/// fn label<W: Write>(mut w: W, id: u32) -> std::fmt::Result {
///     write!(w, "order #{id}")
/// }
///
/// let mut line = String::acquire();
/// label(&mut line, 7)?;
/// line.write_char('!')?;
/// assert_eq!(&*line, "order #7!");
/// # Ok::<(), std::fmt::Error>(())
/// ```
impl<T: fmt::Write, P: PoolRef<T>> fmt::Write for Guard<T, P> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        (**self).write_str(s)
    }

    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        (**self).write_char(c)
    }

    #[inline]
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        (**self).write_fmt(args)
    }
}

/// The object's bytes: a `Guard<Vec<u8>>`, a `Guard<String>`, or a guard of
/// any `T: AsRef<[u8]>`. This is what `bytes::Bytes::from_owner` asks of an
/// owner (with `Send + 'static`), so a guard can become a `Bytes` without a
/// copy: the object goes back to its pool when the last clone of that
/// `Bytes` drops, on whichever thread.
///
/// ```
/// use repool::Pooled;
///
/// fn checksum(data: impl AsRef<[u8]>) -> u32 {
///     data.as_ref().iter().map(|&b| u32::from(b)).sum()
/// }
///
/// let mut buf = Vec::<u8>::acquire();
/// buf.extend_from_slice(&[1, 2, 3]);
/// assert_eq!(checksum(&*buf), 6);
/// assert_eq!(checksum(buf), 6); // the guard itself; dropped, so returned
///
/// let bytes = bytes::Bytes::from_owner(Vec::<u8>::acquire());
/// drop(bytes); // the last clone: the buffer goes back to `Vec<u8>`'s pool
/// ```
impl<T: AsRef<[u8]>, P: PoolRef<T>> AsRef<[u8]> for Guard<T, P> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        (**self).as_ref()
    }
}

/// The object's bytes, writable: a `Guard<Vec<u8>>` or a guard of any
/// `T: AsMut<[u8]>` (not `String`, whose bytes must stay UTF-8).
///
/// ```
/// use repool::Pooled;
///
/// fn zero(mut data: impl AsMut<[u8]>) {
///     data.as_mut().fill(0);
/// }
///
/// let mut buf = Vec::<u8>::acquire();
/// buf.extend_from_slice(b"secret");
/// zero(&mut buf);
/// assert_eq!(&buf[..], [0; 6]);
/// ```
impl<T: AsMut<[u8]>, P: PoolRef<T>> AsMut<[u8]> for Guard<T, P> {
    #[inline]
    fn as_mut(&mut self) -> &mut [u8] {
        (**self).as_mut()
    }
}

/// The object's text: a `Guard<String>` or a guard of any `T: AsRef<str>`.
///
/// ```
/// use repool::Pooled;
///
/// fn shout(text: impl AsRef<str>) -> String {
///     text.as_ref().to_uppercase()
/// }
///
/// let mut name = String::acquire();
/// name.push_str("ann");
/// assert_eq!(shout(name), "ANN");
/// ```
impl<T: AsRef<str>, P: PoolRef<T>> AsRef<str> for Guard<T, P> {
    #[inline]
    fn as_ref(&self) -> &str {
        (**self).as_ref()
    }
}

/// The object's text, writable in place: a `Guard<String>` or a guard of any
/// `T: AsMut<str>`.
///
/// ```
/// use repool::Pooled;
///
/// fn lower(mut text: impl AsMut<str>) {
///     text.as_mut().make_ascii_lowercase();
/// }
///
/// let mut header = String::acquire();
/// header.push_str("Content-Type");
/// lower(&mut header);
/// assert_eq!(&*header, "content-type");
/// ```
impl<T: AsMut<str>, P: PoolRef<T>> AsMut<str> for Guard<T, P> {
    #[inline]
    fn as_mut(&mut self) -> &mut str {
        (**self).as_mut()
    }
}

// `Borrow`'s rule: `Eq`, `Ord` and `Hash` of the borrowed form must agree
// with the owner's. `Guard`'s forward to `T` (guard_cmp.rs), as `Box<T>`'s
// do, and `T: Borrow<[u8]>` (or `Borrow<str>`) already promises that `T`'s
// agree with the slice's, so the rule holds.

/// The object's bytes, borrowed: a `Guard<Vec<u8>>` or a guard of any
/// `T: Borrow<[u8]>`, for APIs generic over `Borrow`.
///
/// ```
/// use std::borrow::Borrow;
///
/// use repool::Pooled;
///
/// fn is_ping<B: Borrow<[u8]>>(frame: &B) -> bool {
///     frame.borrow() == b"ping"
/// }
///
/// let mut frame = Vec::<u8>::acquire();
/// frame.extend_from_slice(b"ping");
/// assert!(is_ping(&frame));
/// ```
impl<T: Borrow<[u8]>, P: PoolRef<T>> Borrow<[u8]> for Guard<T, P> {
    #[inline]
    fn borrow(&self) -> &[u8] {
        (**self).borrow()
    }
}

/// The object's bytes, borrowed mutably: a `Guard<Vec<u8>>` or a guard of
/// any `T: BorrowMut<[u8]>`.
///
/// ```
/// use std::borrow::BorrowMut;
///
/// use repool::Pooled;
///
/// fn mask<B: BorrowMut<[u8]>>(frame: &mut B, key: u8) {
///     frame.borrow_mut().iter_mut().for_each(|b| *b ^= key);
/// }
///
/// let mut frame = Vec::<u8>::acquire();
/// frame.extend_from_slice(&[1, 2]);
/// mask(&mut frame, 0xff);
/// assert_eq!(&frame[..], [0xfe, 0xfd]);
/// ```
impl<T: BorrowMut<[u8]>, P: PoolRef<T>> BorrowMut<[u8]> for Guard<T, P> {
    #[inline]
    fn borrow_mut(&mut self) -> &mut [u8] {
        (**self).borrow_mut()
    }
}

/// The object's text, borrowed: a `Guard<String>` or a guard of any
/// `T: Borrow<str>`.
///
/// ```
/// use std::borrow::Borrow;
///
/// use repool::Pooled;
///
/// fn is_get<B: Borrow<str>>(method: &B) -> bool {
///     method.borrow() == "GET"
/// }
///
/// let mut method = String::acquire();
/// method.push_str("GET");
/// assert!(is_get(&method));
/// ```
impl<T: Borrow<str>, P: PoolRef<T>> Borrow<str> for Guard<T, P> {
    #[inline]
    fn borrow(&self) -> &str {
        (**self).borrow()
    }
}

/// The object's text, borrowed mutably: a `Guard<String>` or a guard of any
/// `T: BorrowMut<str>`.
///
/// ```
/// use std::borrow::BorrowMut;
///
/// use repool::Pooled;
///
/// fn upper<B: BorrowMut<str>>(text: &mut B) {
///     text.borrow_mut().make_ascii_uppercase();
/// }
///
/// let mut method = String::acquire();
/// method.push_str("get");
/// upper(&mut method);
/// assert_eq!(&*method, "GET");
/// ```
impl<T: BorrowMut<str>, P: PoolRef<T>> BorrowMut<str> for Guard<T, P> {
    #[inline]
    fn borrow_mut(&mut self) -> &mut str {
        (**self).borrow_mut()
    }
}

#[cfg(feature = "bytes")]
mod bytes_impls {
    use bytes::Bytes;
    use bytes::buf::{Buf, BufMut, UninitSlice};

    use crate::guard::{Guard, PoolRef};

    /// Available with the `bytes` feature.
    impl<T, P> Guard<T, P>
    where
        T: AsRef<[u8]> + Send + 'static,
        P: PoolRef<T> + Send + 'static,
    {
        /// Turns the guard into a [`Bytes`] that shares the object's bytes,
        /// with no copy: `Bytes::from_owner(guard)`. The object goes back
        /// to its pool, reset, when the last clone of the `Bytes` drops, on
        /// whichever thread that is. (Converting that `Bytes` into a
        /// `BytesMut` copies, as for any owner-backed `Bytes`.)
        ///
        /// Available with the `bytes` feature. An associated function,
        /// `Guard::into_bytes(g)`, so it never shadows a method of `T`;
        /// `Bytes::from(guard)` does the same.
        ///
        /// ```
        /// use repool::{Guard, Pooled};
        ///
        /// let mut body = Vec::<u8>::acquire();
        /// body.extend_from_slice(b"{\"ok\":true}");
        /// let bytes = Guard::into_bytes(body);
        /// let copy = bytes.clone(); // shares the same pooled buffer
        /// assert_eq!(&copy[..], b"{\"ok\":true}");
        /// drop(bytes);
        /// drop(copy); // the last clone: the buffer is reset and returned
        /// ```
        pub fn into_bytes(this: Self) -> Bytes {
            Bytes::from_owner(this)
        }
    }

    /// `Bytes::from(guard)`: the same as [`Guard::into_bytes`], with no copy.
    ///
    /// Available with the `bytes` feature.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use repool::Pooled;
    ///
    /// let mut line = String::acquire();
    /// line.push_str("hello");
    /// let bytes = Bytes::from(line);
    /// assert_eq!(bytes, "hello");
    /// ```
    impl<T, P> From<Guard<T, P>> for Bytes
    where
        T: AsRef<[u8]> + Send + 'static,
        P: PoolRef<T> + Send + 'static,
    {
        #[inline]
        fn from(guard: Guard<T, P>) -> Bytes {
            Guard::into_bytes(guard)
        }
    }

    /// Writes into the object's spare capacity: a `Guard<Vec<u8>>` (or a
    /// guard of any `T: BufMut`) is a `BufMut`, so tokio's
    /// `AsyncReadExt::read_buf(&mut guard)` reads straight into the pooled
    /// buffer.
    ///
    /// Available with the `bytes` feature.
    ///
    /// ```
    /// use bytes::BufMut;
    /// use repool::Pooled;
    ///
    /// let mut frame = Vec::<u8>::acquire();
    /// frame.put_u32(0xcafe_f00d);
    /// frame.put_slice(b"!");
    /// assert_eq!(&frame[..], [0xca, 0xfe, 0xf0, 0x0d, b'!']);
    /// ```
    // SAFETY: every method forwards to `T`'s own `BufMut` impl on the object
    // the guard exclusively owns, with the caller's arguments unchanged, so
    // `T`'s impl upholds `BufMut`'s contract for the guard: `chunk_mut`
    // returns `T`'s spare capacity, `remaining_mut` is `T`'s, and
    // `advance_mut(cnt)` makes initialised exactly the `cnt` bytes that
    // `T`'s own `chunk_mut` handed out. The guard itself holds no buffer and
    // no state of its own that could disagree with `T`'s.
    unsafe impl<T: BufMut, P: PoolRef<T>> BufMut for Guard<T, P> {
        #[inline]
        fn remaining_mut(&self) -> usize {
            (**self).remaining_mut()
        }

        #[inline]
        unsafe fn advance_mut(&mut self, cnt: usize) {
            // SAFETY: forwarded unchanged: our caller promises that the next
            // `cnt` bytes of the chunk, which is `T`'s chunk, are initialised.
            unsafe { (**self).advance_mut(cnt) }
        }

        #[inline]
        fn has_remaining_mut(&self) -> bool {
            (**self).has_remaining_mut()
        }

        #[inline]
        fn chunk_mut(&mut self) -> &mut UninitSlice {
            (**self).chunk_mut()
        }

        #[inline]
        fn put<B: Buf>(&mut self, src: B)
        where
            Self: Sized,
        {
            (**self).put(src)
        }

        #[inline]
        fn put_slice(&mut self, src: &[u8]) {
            (**self).put_slice(src)
        }

        #[inline]
        fn put_bytes(&mut self, val: u8, cnt: usize) {
            (**self).put_bytes(val, cnt)
        }

        #[inline]
        fn put_u8(&mut self, n: u8) {
            (**self).put_u8(n)
        }

        #[inline]
        fn put_i8(&mut self, n: i8) {
            (**self).put_i8(n)
        }
    }
}
