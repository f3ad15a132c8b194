//! The settings protocol of buffer pools (`make_class` and `apply_config`
//! in `buffer.rs`): a class's core made while a setter changes the settings
//! ends with the count the last setter asked for, whichever thread applies
//! it. `Pool` keeps its settings in std atomics (it is built in `const`
//! contexts), so the model restates the protocol over loom's atomics, with
//! the real `Core` and `OnceArc`; a change to the protocol there must be
//! made here too. The last model removes the fences and expects loom to
//! find the stale count they prevent.

use loom::sync::atomic::{AtomicPtr, AtomicUsize, Ordering, fence};

use super::*;
use crate::lazy::{Lost, OnceArc};

struct Class {
    version: AtomicUsize,
    /// The count the settings give the class.
    count: AtomicUsize,
    core: OnceArc<Core<u32>, AtomicPtr<Core<u32>>>,
    fences: bool,
}

impl Class {
    fn new(count: usize, fences: bool) -> Self {
        Self {
            version: AtomicUsize::new(0),
            count: AtomicUsize::new(count),
            core: OnceArc::new_loom(),
            fences,
        }
    }

    /// `Pool::make_class`.
    fn make(&self, slot: usize) {
        let version = self.version.load(Ordering::SeqCst);
        let core = Arc::new(Core::new(self.count.load(Ordering::Relaxed), 1));
        if let Err(Lost { ours, .. }) = self.core.publish(core) {
            drop(ours);
        }
        if self.fences {
            fence(Ordering::SeqCst);
        }
        if self.version.load(Ordering::SeqCst) != version {
            self.apply(slot);
        }
    }

    /// `Pool::apply_config`.
    fn apply(&self, slot: usize) {
        loop {
            let version = self.version.load(Ordering::SeqCst);
            if self.fences {
                fence(Ordering::SeqCst);
            }
            if let Some(core) = self.core.get() {
                let count = self.count.load(Ordering::Relaxed);
                if core.capacity() != count {
                    // SAFETY: each model thread uses a slot of its own.
                    assert!(unsafe { core.set_capacity(count, Some(Slot::of(slot))) }.is_none());
                }
            }
            if self.version.load(Ordering::SeqCst) == version {
                return;
            }
        }
    }

    /// `Pool::configure`.
    fn set(&self, count: usize, slot: usize) {
        self.count.store(count, Ordering::Relaxed);
        self.version.fetch_add(1, Ordering::SeqCst);
        self.apply(slot);
    }

    fn capacity(&self) -> usize {
        self.core.get().expect("made").capacity()
    }
}

fn made_while_set(fences: bool) {
    model(move || {
        let class = Arc::new(Class::new(8, fences));
        let setter = {
            let class = Arc::clone(&class);
            thread::spawn(move || class.set(2, 1))
        };
        class.make(0);
        setter.join().unwrap();
        assert_eq!(class.capacity(), 2, "the setter's count, not the maker's");
    });
}

/// A class made while a setter runs ends with the setter's count.
#[test]
fn loom_a_class_made_during_a_setter_gets_the_new_count() {
    made_while_set(true);
}

/// Two setters and a first use: the last setter's count wins.
#[test]
fn loom_two_setters_and_a_first_use_end_with_the_last_count() {
    model(|| {
        let class = Arc::new(Class::new(8, true));
        class.make(0);
        let other = {
            let class = Arc::clone(&class);
            thread::spawn(move || class.set(3, 1))
        };
        class.set(5, 0);
        other.join().unwrap();
        let last = class.count.load(Ordering::Relaxed);
        assert_eq!(class.capacity(), last);
    });
}

/// Without the fences, the setter can miss the new core while the maker
/// misses the setter's bump (store buffering): the check has teeth.
#[test]
#[should_panic(expected = "the setter's count")]
fn loom_without_the_fences_a_class_keeps_a_stale_count() {
    made_while_set(false);
}
