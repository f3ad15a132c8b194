//! serde for guards, with the `serde` feature: a guard serializes as its
//! object, and deserializing one takes an object from its pool and fills it
//! in place, so parsing into a pooled object reuses its buffers.
//!
//! `Guard<T>` (a [`Pooled`] type) implements `Deserialize`: its pool is
//! found from the type. A guard of an ordinary [`Pool`] value needs that
//! pool, so it comes from a [`PoolSeed`] (`pool.seed()`), serde's
//! `DeserializeSeed`, the way to deserialize with state.
//!
//! Both call `T::deserialize_in_place` on the object, which serde writes for
//! `Vec`, `String` and the other std containers, for tuples and arrays, and
//! which `#[derive(Deserialize)]` writes when serde_derive's
//! `deserialize_in_place` feature is on; without it, serde's default
//! deserializes a new `T` and drops the pooled one's buffers.
//!
//! If deserializing fails part way, the guard drops with the error: the half
//! filled object is reset and returned like any other.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer};
use serde::ser::{Serialize, Serializer};

use crate::guard::{Guard, PoolRef};
use crate::{Pool, Pooled, Reset};

/// Serializes the object, whichever pool the guard comes from.
///
/// Available with the `serde` feature.
///
/// ```
/// use repool::{Pool, Pooled};
///
/// let mut ids = Vec::<u32>::acquire();
/// ids.extend([1, 2]);
/// assert_eq!(serde_json::to_string(&ids)?, "[1,2]");
///
/// let pool = Pool::<String>::new();
/// let mut name = pool.acquire();
/// name.push_str("ann");
/// assert_eq!(serde_json::to_string(&name)?, "\"ann\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<T: Serialize, P: PoolRef<T>> Serialize for Guard<T, P> {
    #[inline]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

/// Takes an object from `T`'s pool and deserializes into it in place, so a
/// steady stream of parses reuses the same buffers.
///
/// Available with the `serde` feature.
///
/// ```
/// use repool::{Guard, Pooled};
///
/// let first: Guard<Vec<u32>> = serde_json::from_str("[1, 2, 3]")?;
/// assert_eq!(first, [1, 2, 3]);
/// let buffer = first.as_ptr();
/// drop(first); // cleared, capacity kept, back in the pool
///
/// let second: Guard<Vec<u32>> = serde_json::from_str("[4, 5]")?;
/// assert_eq!(second, [4, 5]);
/// assert_eq!(second.as_ptr(), buffer); // the same buffer, filled in place
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de, T: Pooled + Deserialize<'de>> Deserialize<'de> for Guard<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut guard = T::acquire();
        T::deserialize_in_place(deserializer, &mut guard)?;
        Ok(guard)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(
        deserializer: D,
        place: &mut Self,
    ) -> Result<(), D::Error> {
        T::deserialize_in_place(deserializer, place)
    }
}

/// Deserializes a guard of one [`Pool`] value: takes an object from the
/// pool and deserializes into it in place. Made by [`Pool::seed`]; used with
/// serde's [`DeserializeSeed`].
///
/// Available with the `serde` feature.
///
/// ```
/// use repool::Pool;
/// use serde::de::DeserializeSeed;
///
/// static LINES: Pool<String> = Pool::new();
///
/// let mut json = serde_json::Deserializer::from_str("\"GET /\"");
/// let line = LINES.seed().deserialize(&mut json)?;
/// assert_eq!(line, "GET /");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct PoolSeed<'a, T> {
    pool: &'a Pool<T>,
}

impl<T> Pool<T> {
    /// A [`PoolSeed`] for this pool: serde's `DeserializeSeed` for a
    /// `Guard<T, &Pool<T>>`, filled in place like `Guard<T>`'s
    /// `Deserialize`.
    ///
    /// Available with the `serde` feature.
    ///
    /// ```
    /// use repool::Pool;
    /// use serde::de::DeserializeSeed;
    ///
    /// let pool = Pool::<Vec<u8>>::new();
    /// let mut json = serde_json::Deserializer::from_str("[1, 2]");
    /// let bytes = pool.seed().deserialize(&mut json)?;
    /// assert_eq!(bytes, [1, 2]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn seed(&self) -> PoolSeed<'_, T> {
        PoolSeed { pool: self }
    }
}

impl<'de, 'a, T> DeserializeSeed<'de> for PoolSeed<'a, T>
where
    T: Reset + Send + 'static + Deserialize<'de>,
{
    type Value = Guard<T, &'a Pool<T>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let mut guard = self.pool.acquire();
        T::deserialize_in_place(deserializer, &mut guard)?;
        Ok(guard)
    }
}

// By hand: derived, they would ask `T: Clone` or `T: Debug` of a seed that
// holds only a reference.
impl<T> Clone for PoolSeed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for PoolSeed<'_, T> {}

impl<T> fmt::Debug for PoolSeed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolSeed").field("pool", self.pool).finish()
    }
}
