//! The generated code must not depend on the prelude or on what the user's
//! module names: here it expands without a prelude, next to user types that
//! shadow every std name it could have used.

#[no_implicit_prelude]
#[allow(
    dead_code,
    non_camel_case_types,
    clippy::upper_case_acronyms,
    reason = "the names are the point"
)]
mod shadowed {
    pub(crate) struct Option;
    pub(crate) struct Some;
    pub(crate) struct None;
    pub(crate) struct Vec;
    pub(crate) struct String;
    pub(crate) struct Result;
    pub(crate) struct Box;
    pub(crate) struct Default;
    pub(crate) struct Send;
    pub(crate) struct Sized;
    pub(crate) struct Fn;
    pub(crate) struct Reset;
    pub(crate) struct Pooled;
    pub(crate) struct Pool;
    pub(crate) struct Capacity;
    pub(crate) struct POOL;
    pub(crate) struct bool;
    pub(crate) struct usize;
    pub(crate) mod core {}
    pub(crate) mod std {}
    pub(crate) mod repool {}

    #[derive(::repool::Pooled)]
    #[pooled(capacity = 4, new = Plain::fresh)]
    pub(crate) struct Plain {
        pub(crate) bytes: ::std::vec::Vec<u8>,
        #[pooled(max_capacity = 64)]
        pub(crate) text: ::std::string::String,
        #[pooled(skip)]
        pub(crate) id: u32,
        #[pooled(reset = clear_tail)]
        pub(crate) tail: ::std::vec::Vec<u8>,
        pub(crate) boxed: ::std::option::Option<::std::boxed::Box<u8>>,
    }

    impl Plain {
        fn fresh() -> Self {
            Plain {
                bytes: ::std::vec::Vec::new(),
                text: ::std::string::String::new(),
                id: 7,
                tail: ::std::vec::Vec::new(),
                boxed: ::std::option::Option::None,
            }
        }
    }

    fn clear_tail(tail: &mut ::std::vec::Vec<u8>) {
        tail.clear();
    }

    #[derive(::repool::Pooled)]
    pub(crate) struct Generic<T> {
        pub(crate) items: ::std::vec::Vec<T>,
        pub(crate) next: ::std::option::Option<::std::boxed::Box<Self>>,
    }

    impl<T> ::std::default::Default for Generic<T> {
        fn default() -> Self {
            Generic {
                items: ::std::vec::Vec::new(),
                next: ::std::option::Option::None,
            }
        }
    }

    #[derive(::repool::Reset)]
    pub(crate) struct Tuple(pub ::std::vec::Vec<u8>, pub(crate) u64);

    #[derive(::repool::Pooled)]
    #[pooled(reset = manual, new = Manual::fresh)]
    pub(crate) struct Manual(pub ::std::vec::Vec<u8>);

    impl Manual {
        fn fresh() -> Self {
            Manual(::std::vec::Vec::new())
        }
    }

    impl ::repool::Reset for Manual {
        fn reset(&mut self) {
            self.0.clear();
        }
    }
}

use repool::{Pooled, Reset};

#[test]
fn expands_without_a_prelude() {
    let mut plain = shadowed::Plain::acquire();
    plain.bytes.push(1);
    plain.text.push('x');
    plain.tail.push(2);
    plain.boxed = Some(Box::new(3));
    drop(plain);
    let plain = shadowed::Plain::acquire();
    assert!(plain.bytes.is_empty() && plain.text.is_empty() && plain.tail.is_empty());
    assert!(plain.boxed.is_none());
    assert_eq!(plain.id, 7);
    assert_eq!(shadowed::Plain::pool().capacity(), 4);

    let mut generic = shadowed::Generic::<u8>::acquire();
    generic.items.push(1);
    drop(generic);
    assert!(shadowed::Generic::<u8>::acquire().items.is_empty());

    let mut tuple = shadowed::Tuple(vec![1], 2);
    tuple.reset();
    assert!(tuple.0.is_empty() && tuple.1 == 0);

    let mut manual = shadowed::Manual::acquire();
    manual.0.push(1);
    drop(manual);
    assert!(shadowed::Manual::acquire().0.is_empty());
}

/// Generated code is held to lints stricter than the defaults, many of which
/// users turn on; none of them may fire on it.
#[deny(
    unused_lifetimes,
    single_use_lifetimes,
    unused_qualifications,
    unused_results,
    elided_lifetimes_in_paths,
    trivial_casts,
    trivial_numeric_casts,
    unsafe_code,
    missing_docs,
    clippy::pedantic,
    clippy::nursery
)]
#[allow(
    clippy::redundant_pub_crate,
    reason = "the workspace's `unreachable_pub` asks for `pub(crate)` here"
)]
mod strict_lints {
    use std::marker::PhantomData;

    use repool::{Pooled, Reset};

    #[derive(Pooled, Default)]
    #[pooled(capacity = 8)]
    pub(crate) struct Plain {
        pub(crate) bytes: Vec<u8>,
        #[pooled(max_capacity = 64)]
        pub(crate) text: String,
        #[pooled(skip)]
        pub(crate) id: u32,
        #[pooled(reset = Vec::clear)]
        pub(crate) tail: Vec<u8>,
    }

    #[derive(Pooled)]
    #[pooled(new = Self::fresh)]
    pub(crate) struct Generic<T, const N: usize> {
        pub(crate) items: Vec<T>,
        pub(crate) slots: [u8; N],
        pub(crate) kind: PhantomData<fn() -> T>,
        pub(crate) next: Option<Box<Self>>,
    }

    impl<T, const N: usize> Generic<T, N> {
        const fn fresh() -> Self {
            Self {
                items: Vec::new(),
                slots: [0; N],
                kind: PhantomData,
                next: None,
            }
        }
    }

    #[derive(Pooled, Default)]
    #[pooled(capacity = 2)]
    pub(crate) struct Bounded<T>
    where
        T: Clone,
    {
        pub(crate) first: Vec<T>,
        #[pooled(max_capacity = 16)]
        pub(crate) second: Vec<T>,
        pub(crate) third: Vec<T>,
        pub(crate) plain: Vec<u8>,
        pub(crate) again: Vec<u8>,
    }

    #[derive(Reset)]
    pub(crate) struct Borrowing<'a> {
        pub(crate) words: Vec<&'a str>,
        #[pooled(skip)]
        pub(crate) source: &'a str,
    }
}

#[test]
fn strict_lints_types_work() {
    let mut plain = strict_lints::Plain::acquire();
    plain.tail.push(1);
    plain.id = 1;
    drop(plain);
    let plain = strict_lints::Plain::acquire();
    assert!(plain.tail.is_empty() && plain.id == 1);
    let generic = strict_lints::Generic::<u8, 2>::acquire();
    assert!(generic.items.is_empty() && generic.slots == [0; 2] && generic.next.is_none());
    let _ = generic.kind;
    let mut bounded = strict_lints::Bounded::<u8>::acquire();
    bounded.first.push(1);
    bounded.second.push(2);
    bounded.third.push(3);
    bounded.plain.push(4);
    bounded.again.push(5);
    drop(bounded);
    let bounded = strict_lints::Bounded::<u8>::acquire();
    assert!(bounded.first.is_empty() && bounded.second.is_empty() && bounded.third.is_empty());
    assert!(bounded.plain.is_empty() && bounded.again.is_empty());
    let mut borrowing = strict_lints::Borrowing {
        words: vec!["a"],
        source: "a",
    };
    borrowing.reset();
    assert!(borrowing.words.is_empty() && borrowing.source == "a");
}

/// Types written by a `macro_rules!`: a field type built from an `$ident`
/// fragment (`$vec<u8>`) starts with a token of the invocation's hygiene,
/// and the generated `self` must not take its span from it. It did, and the
/// derive failed with E0424 ("expected value, found module `self`").
mod from_macro_rules {
    use std::collections::HashMap;

    use repool::{Pooled, Reset};

    macro_rules! pooled_struct {
        ($name:ident, $vec:ident, $map:ident, $text:ty) => {
            #[derive(Pooled, Default)]
            pub(crate) struct $name {
                pub(crate) bytes: $vec<u8>,
                #[pooled(max_capacity = 8)]
                pub(crate) names: $text,
                #[pooled(reset = Vec::clear)]
                pub(crate) tail: $vec<u32>,
                #[pooled(reset = default)]
                pub(crate) seen: $map<u8, u8>,
            }
        };
    }

    macro_rules! generic_struct {
        ($name:ident, $vec:ident) => {
            #[derive(Pooled, Default)]
            pub(crate) struct $name<T> {
                pub(crate) items: $vec<T>,
            }
        };
    }

    macro_rules! default_enum {
        ($name:ident, $vec:ident) => {
            #[derive(Reset, Default)]
            pub(crate) enum $name {
                #[default]
                Empty,
                Full($vec<u8>),
            }
        };
    }

    pooled_struct!(Buffers, Vec, HashMap, String);
    generic_struct!(Items, Vec);
    default_enum!(State, Vec);

    #[test]
    fn derives_on_types_a_macro_writes() {
        let mut buffers = Buffers::acquire();
        buffers.bytes.extend_from_slice(b"abc");
        buffers.names.push_str("past eight bytes");
        buffers.tail.push(1);
        let _ = buffers.seen.insert(1, 2);
        // `names` grew past its `max_capacity`: the object is oversized.
        assert!(buffers.is_oversized());
        buffers.reset();
        assert!(buffers.bytes.is_empty() && buffers.bytes.capacity() >= 3);
        assert!(buffers.names.is_empty() && buffers.tail.is_empty());
        assert!(buffers.seen.is_empty());

        let mut items = Items::<u16>::acquire();
        items.items.push(3);
        drop(items);
        assert!(Items::<u16>::acquire().items.is_empty());

        let mut state = State::Full(vec![1]);
        assert!(matches!(&state, State::Full(v) if v.len() == 1));
        state.reset();
        assert!(matches!(state, State::Empty));
    }
}
