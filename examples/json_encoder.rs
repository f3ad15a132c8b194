//! A pooled JSON encoder buffer: the "pool a JSON encoder" task from the Go
//! `sync.Pool` articles, where the classic bug is returning `buf.Bytes()`,
//! which aliases a buffer that the next caller resets and overwrites.
//!
//! Here `to_json` copies the bytes out before the guard drops, and the borrow
//! checker refuses the aliasing version outright:
//!
//! ```text
//! fn to_json_aliasing(value: &Order) -> &[u8] {
//!     let mut enc = JsonEncoder::acquire();
//!     serde_json::to_writer(&mut enc.buf, value).unwrap();
//!     &enc.buf // error[E0515]: cannot return value referencing local variable `enc`
//! }
//! ```
//!
//! The run below checks the copies at runtime as well: thousands of outputs
//! stay intact while the pooled buffers that produced them are reused.
//!
//! ```text
//! cargo run --example json_encoder
//! ```

mod support;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;
use std::thread;

use repool::Pooled;
use serde::Serialize;
use support::Checks;

/// The state of one encoding: the output buffer. serde_json's `Serializer`
/// only borrows its writer, so the buffer is all there is to pool.
#[derive(Pooled, Default)]
#[pooled(capacity = 64)]
struct JsonEncoder {
    // One huge document must not pin megabytes in the pool for ever.
    #[pooled(max_capacity = MAX_KEPT_BYTES)]
    buf: Vec<u8>,
}

const MAX_KEPT_BYTES: usize = 1 << 20;

/// Encodes `value` as one JSON line (with the trailing newline Go's
/// `json.Encoder` writes). The result is an owned copy: it never points into
/// the pooled buffer.
fn to_json<T: Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    encode(value).map(|encoded| encoded.bytes)
}

struct Encoded {
    bytes: Vec<u8>,
    /// The pooled buffer's whole allocation when the copy was made, kept
    /// only so the demo can prove the copy lies elsewhere.
    pooled: Range<usize>,
}

fn encode<T: Serialize>(value: &T) -> serde_json::Result<Encoded> {
    let mut enc = JsonEncoder::acquire();
    serde_json::to_writer(&mut enc.buf, value)?;
    enc.buf.push(b'\n');
    Ok(Encoded {
        bytes: enc.buf.clone(),
        pooled: allocation(&enc.buf),
    })
}

/// When the destination is a writer, no copy out of the pool is needed: the
/// writer consumes the bytes while the guard is still alive, and the borrow
/// ends before the buffer goes back.
fn write_json<T: Serialize, W: Write>(out: &mut W, value: &T) -> io::Result<usize> {
    let mut enc = JsonEncoder::acquire();
    serde_json::to_writer(&mut enc.buf, value)?;
    enc.buf.push(b'\n');
    out.write_all(&enc.buf)?;
    Ok(enc.buf.len())
}

/// The addresses a vector's allocation spans (its capacity, not its length).
fn allocation(bytes: &Vec<u8>) -> Range<usize> {
    let start = bytes.as_ptr() as usize;
    start..start + bytes.capacity()
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The allocations of every buffer idle in the pool now: takes them all out
/// at once, notes where they are, and gives them back.
fn pool_memory() -> Vec<Range<usize>> {
    let idle: Vec<_> = (0..JsonEncoder::pool().stats().idle)
        .map(|_| JsonEncoder::acquire())
        .collect();
    idle.iter().map(|enc| allocation(&enc.buf)).collect()
}

#[derive(Serialize)]
struct Order {
    id: u64,
    customer: String,
    lines: Vec<Line>,
    total_cents: u64,
}

#[derive(Serialize)]
struct Line {
    sku: String,
    quantity: u32,
    price_cents: u64,
}

fn order(id: u64) -> Order {
    let lines: Vec<Line> = (0..1 + id % 7)
        .map(|n| Line {
            sku: format!("SKU-{:05}", (id * 31 + n) % 100_000),
            quantity: (1 + (id + n) % 5) as u32,
            price_cents: 199 + (id * 7 + n * 13) % 5_000,
        })
        .collect();
    let total_cents = lines
        .iter()
        .map(|l| u64::from(l.quantity) * l.price_cents)
        .sum();
    Order {
        id,
        customer: format!("customer-{}", id % 977),
        lines,
        total_cents,
    }
}

struct Report {
    first_line: Vec<u8>,
    encoded: usize,
    overlapping_pooled: usize,
    intact_after_reuse: usize,
    written_lines: usize,
    written_matches: bool,
    huge_len: usize,
    stats: repool::Stats,
}

impl Report {
    /// What must hold for the demo to mean anything; `main` exits non-zero
    /// and the test fails when one does not.
    fn failures(&self) -> Vec<String> {
        let mut checks = Checks::default();
        checks.expect(self.first_line == b"{\"x\":1}\n", "to_json of {\"x\":1}");
        checks.expect(
            self.overlapping_pooled == 0,
            "no result overlaps a pooled buffer",
        );
        checks.expect(
            self.intact_after_reuse == self.encoded,
            "every result intact after reuse",
        );
        checks.expect(
            self.written_lines == self.encoded,
            "write_json wrote one line per order",
        );
        checks.expect(
            self.written_matches,
            "write_json wrote the same bytes as to_json",
        );
        checks.expect(
            self.huge_len > MAX_KEPT_BYTES,
            "the huge document exceeds max_capacity",
        );
        checks.expect(
            self.stats.oversized == 1,
            "the huge buffer was counted oversized",
        );
        checks.expect(self.stats.reused > 0, "the pool served some acquires");
        checks.expect(
            self.stats.idle <= JsonEncoder::pool().capacity(),
            "idle within the pool's capacity",
        );
        checks.failures()
    }
}

fn run(threads: u64, per_thread: u64) -> Report {
    // The Go task's success check.
    let first_line = to_json(&BTreeMap::from([("x", 1)])).expect("a map always encodes");
    println!(
        "to_json(&{{\"x\": 1}}) = {:?}",
        String::from_utf8_lossy(&first_line)
    );

    // Every output is kept until all threads are done, so a later encode that
    // reused the same pooled buffer would corrupt any output aliasing it.
    let results: Vec<(u64, Encoded)> = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (0..per_thread)
                        .map(|i| {
                            let id = t * per_thread + i;
                            (id, encode(&order(id)).expect("orders always encode"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("encoder thread panicked"))
            .collect()
    });

    let intact_after_reuse = results
        .iter()
        .filter(|(id, e)| {
            let mut expected = serde_json::to_vec(&order(*id)).expect("orders always encode");
            expected.push(b'\n');
            e.bytes == expected
        })
        .count();

    let mut sink = Vec::new();
    let mut written_bytes = 0;
    for id in 0..threads * per_thread {
        written_bytes += write_json(&mut sink, &order(id)).expect("writing to a Vec cannot fail");
    }
    let written_lines = sink.iter().filter(|&&b| b == b'\n').count();
    let written_matches = sink
        .split(|&b| b == b'\n')
        .zip(&results)
        .all(|(line, (_, e))| line == &e.bytes[..e.bytes.len() - 1]);

    // 4 MiB of orders: the buffer grows past MAX_KEPT_BYTES, so the pool
    // drops it on return instead of keeping it for the next small order.
    let huge: Vec<Order> = (0..15_000).map(order).collect();
    let huge_len = to_json(&huge).expect("orders always encode").len();

    let stats = JsonEncoder::pool().stats();
    // Checked after the stats snapshot: looking at the idle buffers takes
    // them out of the pool for a moment.
    // Aliasing would mean a result lives inside memory the pool owns: the
    // buffer it came from, or any buffer the pool holds now.
    let held_by_pool = pool_memory();
    let overlapping_pooled = results
        .iter()
        .filter(|(_, e)| {
            let copy = allocation(&e.bytes);
            overlaps(&copy, &e.pooled) || held_by_pool.iter().any(|held| overlaps(&copy, held))
        })
        .count();
    let encoded = results.len();
    println!(
        "{threads} threads encoded {encoded} orders with to_json(); every result is an owned copy:"
    );
    println!(
        "  results inside their pooled buffer or the {} buffers the pool holds: {overlapping_pooled} of {encoded}",
        held_by_pool.len()
    );
    println!(
        "  results still byte-equal to their order after all the reuse:       {intact_after_reuse} of {encoded}"
    );
    println!(
        "write_json() to a writer, no copy out of the pool: {written_lines} lines, {written_bytes} bytes, same bytes as to_json(): {written_matches}"
    );
    println!(
        "one {:.1} MiB document grew a buffer past max_capacity ({} KiB): dropped on return, oversized +{}",
        huge_len as f64 / f64::from(1 << 20),
        MAX_KEPT_BYTES >> 10,
        stats.oversized
    );
    println!(
        "JsonEncoder pool: {} acquires, {} reused ({:.2}% hit rate), {} built, {} idle now",
        stats.acquired,
        stats.reused,
        stats.hit_rate() * 100.0,
        stats.built,
        stats.idle
    );

    Report {
        first_line,
        encoded,
        overlapping_pooled,
        intact_after_reuse,
        written_lines,
        written_matches,
        huge_len,
        stats,
    }
}

fn main() {
    support::exit_if_failed(&run(4, 500).failures());
}

support::self_test!(run(2, 200), |report| {
    assert_eq!(report.encoded, 400);
});
