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
