//! The mixed-size buffer workload of issue 11: byte buffers of sizes drawn
//! log-uniformly from 64 B to 1 MiB, each filled, read and let go, through
//! every candidate pool.
//!
//! One operation asks the candidate for a buffer that holds at least `n`
//! bytes and copies `n` bytes into it ([`BufferPool::filled`]), hides the
//! result from the optimiser, and drops it; the *no fill* variant takes the
//! buffer and drops it with nothing written ([`BufferPool::taken`]), which
//! leaves the pool's own cost. The sizes come from a small deterministic
//! generator seeded by the worker's index ([`Sizes`]), so every candidate
//! sees the same sequence on every thread.

pub(crate) mod candidates;
pub(crate) mod drive;

use std::sync::LazyLock;

pub(crate) use candidates::BufferPool;

/// The smallest size drawn, as a power of two: 64 B.
pub(crate) const MIN_SHIFT: u32 = 6;
/// The largest size drawn, as a power of two: 1 MiB.
pub(crate) const MAX_SHIFT: u32 = 20;

/// What every buffer is filled from: its first `n` bytes.
///
/// A copy rather than `resize(n, x)`: `extend_from_slice` and zeropool's
/// `write_from_slice` are one `memcpy` in any build, where `resize` is a
/// loop in a debug build, which would make `cargo test` slow. Built once,
/// before anything is measured (see [`pattern`]).
static PATTERN: LazyLock<Box<[u8]>> =
    LazyLock::new(|| (0..1usize << MAX_SHIFT).map(|i| (i as u8) ^ 0x5a).collect());

/// The fill source, built on first use: every driver calls this before it
/// takes a baseline or starts a clock.
pub(crate) fn pattern() -> &'static [u8] {
    &PATTERN
}

/// Buffer sizes, log-uniform in `[64 B, 1 MiB]`: a splitmix64 stream,
/// seeded by the worker's index.
#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    state: u64,
}

impl Sizes {
    /// The sequence of worker `thread`: the same for every candidate.
    pub(crate) fn new(thread: usize) -> Self {
        Sizes {
            state: 0x5eed_b0ff_e125_0011 ^ (thread as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        }
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        // splitmix64 (Steele, Lea and Flood, 2014).
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The next size: `2^(6 + 14u)` bytes rounded up, for `u` uniform in
    /// `[0, 1)`. So each power-of-two class `(2^(k-1), 2^k]` from 128 B to
    /// 1 MiB is drawn with probability 1/14, and 64 B itself almost never
    /// (rounding down would make 64 B a class of its own, drawn once in
    /// 600, which a warm-up misses).
    #[inline]
    pub(crate) fn next_size(&mut self) -> usize {
        // 53 random bits, the mantissa of an f64 in [0, 1).
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let shift = f64::from(MIN_SHIFT) + f64::from(MAX_SHIFT - MIN_SHIFT) * u;
        (shift.exp2().ceil() as usize).clamp(1 << MIN_SHIFT, 1 << MAX_SHIFT)
    }
}
