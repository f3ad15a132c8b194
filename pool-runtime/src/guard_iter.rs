//! The collection traits of a [`Guard`], forwarded to its object: `Extend`,
//! and `IntoIterator` for `&Guard` and `&mut Guard`, so `for x in &guard`
//! and `guard.extend(..)` work as they do on the object. Like the rest of
//! the guard's impls, each is generic over the pool `P`.
//!
//! There is no `IntoIterator for Guard`: iterating by value would move the
//! object's contents out, which `guard.drain(..)` already spells, and leave
//! the guard to return an emptied object.

use crate::guard::{Guard, PoolRef};

/// Extends the object: a guard of any `T: Extend<A>`, for items by value or
/// by reference, whatever `T` accepts.
///
/// ```
/// use repool::Pooled;
///
/// fn collect_into<E: Extend<u32>>(sink: &mut E) {
///     sink.extend([1, 2]);
/// }
///
/// let mut ids = Vec::<u32>::acquire();
/// collect_into(&mut ids);
/// ids.extend(&[3]);
/// assert_eq!(ids, [1, 2, 3]);
/// ```
impl<A, T: Extend<A>, P: PoolRef<T>> Extend<A> for Guard<T, P> {
    #[inline]
    fn extend<I: IntoIterator<Item = A>>(&mut self, iter: I) {
        (**self).extend(iter)
    }
}

/// Iterates over the object by reference: `for x in &guard`.
///
/// ```
/// use repool::Pooled;
///
/// let mut ids = Vec::<u32>::acquire();
/// ids.extend([1, 2, 3]);
/// let mut sum = 0;
/// for id in &ids {
///     sum += id;
/// }
/// assert_eq!(sum, 6);
/// ```
impl<'a, T, P: PoolRef<T>> IntoIterator for &'a Guard<T, P>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        (&**self).into_iter()
    }
}

/// Iterates over the object by mutable reference: `for x in &mut guard`.
///
/// ```
/// use std::collections::HashMap;
///
/// use repool::Pooled;
///
/// let mut counts = HashMap::<u32, u32>::acquire();
/// counts.insert(7, 1);
/// for (_, n) in &mut counts {
///     *n += 1;
/// }
/// assert_eq!(counts[&7], 2);
/// ```
impl<'a, T, P: PoolRef<T>> IntoIterator for &'a mut Guard<T, P>
where
    &'a mut T: IntoIterator,
{
    type Item = <&'a mut T as IntoIterator>::Item;
    type IntoIter = <&'a mut T as IntoIterator>::IntoIter;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        (&mut **self).into_iter()
    }
}
