//! Guards that speak I/O: each trait a guard forwards to its object, used
//! through the real APIs that take it (std's `io::copy` and `BufReader`,
//! `serde_json`, generic functions), on the standard containers' pools and
//! on a derived type.

use std::borrow::{Borrow, BorrowMut};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{self, BufRead, IoSlice, IoSliceMut, Read, Write};

use repool::{Guard, Pool, Pooled};
use serde::{Deserialize, Serialize};

// ---- io::Write ----------------------------------------------------------------

/// What a library that takes "any writer" looks like.
fn sink<W: Write>(mut w: W, line: &str) -> io::Result<()> {
    w.write_all(line.as_bytes())?;
    w.write_all(b"\n")?;
    w.flush()
}

#[test]
fn a_byte_guard_is_an_io_writer() -> io::Result<()> {
    let mut buf = Vec::<u8>::acquire();
    write!(buf, "status={}", 200)?;
    writeln!(&mut buf, " len={}", 2)?;
    sink(&mut buf, "sink")?;
    assert_eq!(buf.write(b"ab")?, 2);
    let n = buf.write_vectored(&[IoSlice::new(b"c"), IoSlice::new(b"d")])?;
    assert_eq!(n, 2);
    assert_eq!(&buf[..], b"status=200 len=2\nsink\nabcd");
    // By value too: the guard is moved in, written, and dropped (returned).
    sink(buf, "moved")?;
    Ok(())
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Order {
    id: u64,
    lines: Vec<String>,
}

#[test]
fn serde_json_writes_into_a_guard() {
    let order = Order {
        id: 7,
        lines: vec!["book".into(), "lamp".into()],
    };
    let mut body = Vec::<u8>::acquire();
    serde_json::to_writer(&mut body, &order).unwrap();
    assert_eq!(
        serde_json::from_slice::<Order>(&body).unwrap(),
        order,
        "{}",
        String::from_utf8_lossy(&body)
    );
    // The same through a guard of a `Pool` value.
    let pool = Pool::<Vec<u8>>::new();
    let mut pretty = pool.acquire();
    serde_json::to_writer_pretty(&mut pretty, &order).unwrap();
    assert!(pretty.starts_with(b"{\n"));
}

// ---- fmt::Write ---------------------------------------------------------------

fn render<W: fmt::Write>(mut w: W, id: u64) -> fmt::Result {
    write!(w, "order #{id}")?;
    w.write_char(';')?;
    w.write_str(" ok")
}

#[test]
fn a_string_guard_is_a_fmt_writer() -> fmt::Result {
    use std::fmt::Write as _;

    let (name, n) = ("a", 1);
    let mut line = String::acquire();
    write!(line, "{name}-{n}")?;
    render(&mut line, 7)?;
    assert_eq!(&*line, "a-1order #7; ok");
    render(line, 8) // by value: written, then dropped
}

// ---- io::Read and io::BufRead ---------------------------------------------------

fn queue(bytes: &[u8]) -> Guard<VecDeque<u8>> {
    let mut q = VecDeque::<u8>::acquire();
    q.extend(bytes);
    q
}

fn read_all<R: Read>(mut r: R) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    r.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn a_byte_queue_guard_is_an_io_reader() -> io::Result<()> {
    let mut q = queue(b"0123456789abcdef");
    let mut four = [0; 4];
    assert_eq!(q.read(&mut four)?, 4);
    assert_eq!(&four, b"0123");
    q.read_exact(&mut four)?;
    assert_eq!(&four, b"4567");
    let (mut a, mut b) = ([0; 2], [0; 2]);
    // `VecDeque`'s own `read_vectored` fills the first buffer only; the
    // guard does whatever its object does.
    let n = q.read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])?;
    let mut s = String::from_utf8([a, b].concat()[..n].to_vec()).unwrap();
    q.read_to_string(&mut s)?;
    assert_eq!(s, "89abcdef");
    assert!(q.is_empty());

    // A generic reader takes `&mut guard` and the guard itself.
    let mut q = queue(b"xyz");
    assert_eq!(read_all(&mut q)?, b"xyz");
    assert_eq!(read_all(queue(b"moved"))?, b"moved");
    Ok(())
}

#[test]
fn a_byte_queue_guard_is_a_buf_reader() -> io::Result<()> {
    let mut q = queue(b"GET / HTTP/1.1\r\nHost: a\r\nskip;rest\nlast");
    assert_eq!(q.fill_buf()?.first(), Some(&b'G'));
    q.consume(4);
    let mut line = String::new();
    assert_eq!(q.read_line(&mut line)?, 12);
    assert_eq!(line, "/ HTTP/1.1\r\n");
    let mut record = Vec::new();
    q.read_until(b'\n', &mut record)?;
    assert_eq!(record, b"Host: a\r\n");
    assert_eq!(q.skip_until(b';')?, 5);
    // `lines()` takes a `BufRead` by value: `&mut guard` is one.
    let rest: Vec<String> = (&mut q).lines().collect::<io::Result<_>>()?;
    assert_eq!(rest, ["rest", "last"]);
    Ok(())
}

#[test]
fn io_copy_moves_bytes_from_one_guard_to_another() -> io::Result<()> {
    let mut from = queue(&[7; 10_000]);
    let mut to = Vec::<u8>::acquire();
    assert_eq!(io::copy(&mut from, &mut to)?, 10_000);
    assert!(from.is_empty() && to.len() == 10_000 && to.iter().all(|&b| b == 7));
    // And through std's `BufReader`, which wraps any reader.
    let mut reader = io::BufReader::new(queue(b"a\nb\n"));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    assert_eq!(first, "a\n");
    Ok(())
}

// ---- AsRef, AsMut, Borrow, BorrowMut ---------------------------------------------

fn len_as_bytes(data: impl AsRef<[u8]>) -> usize {
    data.as_ref().len()
}

fn zero(mut data: impl AsMut<[u8]>) {
    data.as_mut().fill(0);
}

fn upper_in_place(mut text: impl AsMut<str>) {
    text.as_mut().make_ascii_uppercase();
}

fn as_text(text: &impl AsRef<str>) -> &str {
    text.as_ref()
}

fn borrowed_bytes<B: Borrow<[u8]> + ?Sized>(b: &B) -> &[u8] {
    b.borrow()
}

fn borrowed_text<B: Borrow<str> + ?Sized>(b: &B) -> &str {
    b.borrow()
}

#[test]
fn byte_and_string_guards_are_viewed_as_bytes_and_text() {
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"secret");
    assert_eq!(len_as_bytes(&*buf), 6);
    zero(&mut buf);
    assert_eq!(&buf[..], [0; 6]);
    assert_eq!(borrowed_bytes(&buf), [0; 6]);
    BorrowMut::<[u8]>::borrow_mut(&mut buf)[0] = 1;
    assert_eq!(buf[0], 1);
    assert_eq!(len_as_bytes(buf), 6); // by value

    let mut text = String::acquire();
    text.push_str("get");
    upper_in_place(&mut text);
    assert_eq!(as_text(&text), "GET");
    assert_eq!(borrowed_text(&text), "GET");
    BorrowMut::<str>::borrow_mut(&mut text).make_ascii_lowercase();
    assert_eq!(AsRef::<[u8]>::as_ref(&text), b"get");
    assert_eq!(len_as_bytes(text), 3);
}

#[test]
fn borrow_looks_a_guard_up_in_a_map_keyed_by_slices() {
    // `HashMap<Box<[u8]>, _>::get` takes any `Q` the key borrows as; the
    // guard's `Borrow<[u8]>` gives that `Q`, as a `Vec<u8>`'s would.
    let routes: HashMap<Box<[u8]>, u32> = [(b"/orders".to_vec().into(), 1)].into();
    let mut path = Vec::<u8>::acquire();
    path.extend_from_slice(b"/orders");
    let key: &[u8] = path.borrow();
    assert_eq!(routes.get(key), Some(&1));
}

/// A derived type with a byte view of its own: its guard has one too.
#[derive(Pooled, Default)]
#[pooled(capacity = 4)]
struct Frame {
    #[pooled(max_capacity = 1 << 16)]
    payload: Vec<u8>,
    sequence: u32,
}

impl AsRef<[u8]> for Frame {
    fn as_ref(&self) -> &[u8] {
        &self.payload
    }
}

impl Write for Frame {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.payload.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_derived_guard_forwards_what_its_type_implements() -> io::Result<()> {
    let mut frame = Frame::acquire();
    frame.sequence = 1;
    let sequence = frame.sequence;
    write!(frame, "seq={sequence}")?;
    sink(&mut frame, "!")?;
    assert_eq!(len_as_bytes(&frame), 7); // "seq=1!\n"
    drop(frame);
    // Back, and reset through the derive.
    let frame = Frame::acquire();
    assert!(frame.payload.is_empty() && frame.sequence == 0);
    assert_eq!(Frame::pool().stats().reused, 1);
    Ok(())
}
