//! `Reset` and `Capacity` for other crates' containers, each behind the
//! feature named after its crate. Every one is cleared keeping its
//! allocation, like the std containers, and reports its capacity so
//! `max_capacity` can limit it.
//!
//! The impls are generic over the hasher (and `HeaderMap`'s value type):
//! what the user's own dependency on the crate picks, not this one.

// Each arm: the feature, the impl's generics, the type.
macro_rules! cleared_with_capacity {
    ($($feature:literal: {$($gen:tt)*} $ty:ty;)*) => {$(
        #[cfg(feature = $feature)]
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl<$($gen)*> super::Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                self.clear();
            }
        }

        #[cfg(feature = $feature)]
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl<$($gen)*> super::Capacity for $ty {
            #[inline]
            fn capacity(&self) -> usize {
                <$ty>::capacity(self)
            }
        }
    )*};
}

cleared_with_capacity! {
    // In header entries: a `HeaderMap` keeps its tables, and the
    // `HeaderName`s and values of a cleared map are dropped.
    "http": {T} http::HeaderMap<T>;
    // Capacity in bytes. A `BytesMut` that was split, or whose `Bytes`
    // are still alive, shares its buffer; `clear` never touches the other
    // handles' bytes.
    "bytes": {} bytes::BytesMut;
    // While inline, the capacity is the inline size: such a vector holds
    // no heap memory and never passes a `max_capacity` at least that large.
    "smallvec": {A: smallvec::Array} smallvec::SmallVec<A>;
    // Only the default allocator parameter: naming hashbrown's `Allocator`
    // trait would need its `allocator-api2` feature.
    "hashbrown": {K, V, S} hashbrown::HashMap<K, V, S>;
    "hashbrown": {T, S} hashbrown::HashSet<T, S>;
    "indexmap": {K, V, S} indexmap::IndexMap<K, V, S>;
    "indexmap": {T, S} indexmap::IndexSet<T, S>;
    // A fixed capacity, `CAP`, held inline: reported so `max_capacity`
    // works on these fields as on any container, though it never changes.
    "arrayvec": {T, const CAP: usize} arrayvec::ArrayVec<T, CAP>;
    "arrayvec": {const CAP: usize} arrayvec::ArrayString<CAP>;
}
