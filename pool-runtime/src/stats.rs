//! `Stats`: what a pool has done, as `Pool::stats` reports it.

/// What a pool has done, from [`Pool::stats`](crate::Pool::stats).
///
/// Every object a pool built ends up in exactly one place, so whenever no
/// thread is using, trimming or leaving the pool,
/// `built == idle + in_use + discarded + detached + trimmed`, where
/// `in_use == acquired - returned - discarded - detached`. A snapshot taken
/// while threads run reads each counter at a slightly different moment, so
/// it can be off by the operations that ran meanwhile. A thread's cache
/// goes to the shared layer in its thread-local destructor. That runs after
/// the closure of a thread from [`std::thread::scope`] has returned, and the
/// scope's own join does not wait for it; joining the thread's handle does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Guards handed out.
    pub acquired: u64,
    /// Acquires served by an idle object (hits).
    pub reused: u64,
    /// Objects built: acquires that found nothing idle (misses), and
    /// [`Pool::prewarm`](crate::Pool::prewarm).
    pub built: u64,
    /// Dropped guards whose object went back idle.
    pub returned: u64,
    /// Objects dropped instead of kept: the sum of the next four.
    pub discarded: u64,
    /// Dropped on return because `capacity` objects were already idle.
    pub over_capacity: u64,
    /// Dropped on return because
    /// [`Reset::is_oversized`](crate::Reset::is_oversized) said so.
    pub oversized: u64,
    /// Dropped on return because their reset panicked.
    pub reset_panicked: u64,
    /// Dropped by [`Guard::discard`](crate::Guard::discard).
    pub user_discarded: u64,
    /// Taken out of the pool's care by [`Guard::detach`](crate::Guard::detach).
    pub detached: u64,
    /// Idle objects dropped by [`Pool::trim`](crate::Pool::trim),
    /// [`Pool::clear`](crate::Pool::clear) or a lowered capacity.
    pub trimmed: u64,
    /// Destructors of objects the pool dropped that panicked (the objects
    /// are counted where they went: trimmed, over capacity, ...). Where a
    /// panic cannot go on (a thread's exit, an acquire or return that only
    /// caught up with a trim), this is where it shows.
    pub drop_panicked: u64,
    /// Idle objects now, in every thread's cache and the shared layer.
    pub idle: usize,
    /// For a buffer pool ([`Pool::buffers`](crate::Pool::buffers)), the
    /// bytes of element storage its idle buffers may hold: each counted at
    /// the largest size its class admits, so the heap holds at most this
    /// (usually less: most buffers sit at their class's smallest size).
    /// It never exceeds [`Pool::max_idle_bytes`](crate::Pool::max_idle_bytes).
    /// 0 for any other pool.
    pub idle_bytes: usize,
    /// Objects out of the pool now, in guards: `acquired - returned -
    /// discarded - detached`. Exact when no thread is using the pool. While
    /// threads run, each counts in its own cache line and `stats` sums them
    /// one after another, so it can be off by the operations that ran
    /// during the sum (never below 0). In a buffer pool's
    /// [`ClassStats`](crate::ClassStats), a buffer that grew is counted out
    /// of one class and back into another, so only the pool's total is
    /// exact.
    pub in_use: u64,
}

impl Stats {
    /// What happened between `earlier` and `self`: every counter's
    /// difference, and the levels `idle`, `idle_bytes` and `in_use` as they
    /// are now.
    ///
    /// ```
    /// let pool = repool::Pool::<String>::new();
    /// drop(pool.acquire());
    /// let before = pool.stats();
    /// drop(pool.acquire());
    /// let step = pool.stats().since(&before);
    /// assert_eq!((step.acquired, step.reused, step.built, step.idle), (1, 1, 0, 1));
    /// ```
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            acquired: self.acquired.saturating_sub(earlier.acquired),
            reused: self.reused.saturating_sub(earlier.reused),
            built: self.built.saturating_sub(earlier.built),
            returned: self.returned.saturating_sub(earlier.returned),
            discarded: self.discarded.saturating_sub(earlier.discarded),
            over_capacity: self.over_capacity.saturating_sub(earlier.over_capacity),
            oversized: self.oversized.saturating_sub(earlier.oversized),
            reset_panicked: self.reset_panicked.saturating_sub(earlier.reset_panicked),
            user_discarded: self.user_discarded.saturating_sub(earlier.user_discarded),
            detached: self.detached.saturating_sub(earlier.detached),
            trimmed: self.trimmed.saturating_sub(earlier.trimmed),
            drop_panicked: self.drop_panicked.saturating_sub(earlier.drop_panicked),
            idle: self.idle,
            idle_bytes: self.idle_bytes,
            in_use: self.in_use,
        }
    }

    /// The share of acquires served by an idle object, from 0 to 1 (1 when
    /// nothing was acquired yet).
    ///
    /// ```
    /// let pool = repool::Pool::<String>::new();
    /// for _ in 0..4 {
    ///     drop(pool.acquire());
    /// }
    /// assert_eq!(pool.stats().hit_rate(), 0.75);
    /// ```
    pub fn hit_rate(&self) -> f64 {
        if self.acquired == 0 {
            1.0
        } else {
            self.reused as f64 / self.acquired as f64
        }
    }
}

impl Stats {
    /// Adds `other`'s counts to these (the classes of a buffer pool).
    pub(crate) fn add(&mut self, other: &Stats) {
        self.acquired += other.acquired;
        self.reused += other.reused;
        self.built += other.built;
        self.returned += other.returned;
        self.discarded += other.discarded;
        self.over_capacity += other.over_capacity;
        self.oversized += other.oversized;
        self.reset_panicked += other.reset_panicked;
        self.user_discarded += other.user_discarded;
        self.detached += other.detached;
        self.trimmed += other.trimmed;
        self.drop_panicked += other.drop_panicked;
        self.idle += other.idle;
        self.idle_bytes += other.idle_bytes;
        self.in_use = self.out_now();
    }

    /// `in_use` from the counters; 0 where a snapshot taken while threads
    /// ran saw a return before its acquire.
    pub(crate) fn out_now(&self) -> u64 {
        self.acquired
            .saturating_sub(self.returned + self.discarded + self.detached)
    }
}
