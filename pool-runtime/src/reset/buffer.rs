//! `Buffer`: a growable buffer a pool sorts into size classes.

use std::collections::{BinaryHeap, VecDeque};

use super::{Capacity, Reset};

/// A growable buffer that a pool can sort into size classes: a pool made
/// with [`Pool::buffers`](crate::Pool::buffers) keeps buffers of similar capacity together and
/// bounds the bytes it keeps idle.
///
/// Implemented for `Vec<T>`, `String`, `VecDeque<T>` and `BinaryHeap<T>`,
/// whose own pools (`Vec::<u8>::acquire()`) are buffer pools. Implement it
/// for a buffer type of your own to give it a [`Pool::buffers`](crate::Pool::buffers) pool. The
/// pool relies on it only for what it keeps, never for memory safety.
///
/// # Example
///
/// ```
/// use repool::{Buffer, Capacity};
///
/// let mut v = <Vec<u32> as Buffer>::with_capacity(10);
/// v.extend([1, 2, 3]);
/// v.clear();
/// v.ensure_capacity(100);
/// assert!(Capacity::capacity(&v) >= 100);
/// assert_eq!(<Vec<u32> as Buffer>::ELEMENT_BYTES, 4);
/// ```
pub trait Buffer: Reset + Capacity + Default + Send + 'static {
    /// Bytes of storage one unit of [`Capacity::capacity`] takes.
    const ELEMENT_BYTES: usize;

    /// An empty buffer that holds at least `capacity` elements.
    fn with_capacity(capacity: usize) -> Self;

    /// Grows an empty buffer until it holds at least `capacity` elements.
    fn ensure_capacity(&mut self, capacity: usize);
}

macro_rules! buffers {
    ($({$($gen:tt)*} $ty:ty, $elem:ty;)*) => {$(
        impl<$($gen)*> Buffer for $ty {
            const ELEMENT_BYTES: usize = size_of::<$elem>();

            #[inline]
            fn with_capacity(capacity: usize) -> Self {
                <$ty>::with_capacity(capacity)
            }

            #[inline]
            fn ensure_capacity(&mut self, capacity: usize) {
                self.reserve(capacity.saturating_sub(self.len()));
            }
        }
    )*};
}

buffers! {
    {T: Send + 'static} Vec<T>, T;
    {} String, u8;
    {T: Send + 'static} VecDeque<T>, T;
    {T: Ord + Send + 'static} BinaryHeap<T>, T;
}
