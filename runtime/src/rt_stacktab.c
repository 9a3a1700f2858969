/*
 * rt_stacktab.c - the process-wide stack table. See rt_stacktab.h.
 *
 * Layout (all mmap'ed, reached from one pointer):
 *   records  id -> {hash, depth, frames}: a directory of lazily mapped
 *            pages of 4096 records; a record is complete before its id is
 *            published through next_id (release).
 *   dedup    open-addressing table of 64-bit slots (hash tag << 32 | id);
 *            grown by building a new table under the lock and publishing it
 *            with a release store. Old tables are kept (readers may still
 *            probe them), so all tables together are < 2x the last one.
 *   keys     the same scheme for context key -> id, slots {key, id, rec}.
 *   ctxrecs  one record {key, id, next} per bound key (rt_stacktab.h,
 *            "context records"): one MAP_NORESERVE reservation, so a
 *            record reference is a plain byte offset and records never move.
 *   arena    bump allocator for frame arrays, 1 MiB mmap'ed chunks.
 * Writers serialise on one spin lock whose word holds the owner's
 * pthread_self(), so a re-entering signal handler is detected, not
 * deadlocked.
 */
#define _GNU_SOURCE
#include "rt_stacktab.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define REC_PAGE_SHIFT 12u
#define REC_PAGE_SIZE (1u << REC_PAGE_SHIFT)
#define REC_DIR_SIZE 16384u /* up to 64 M distinct stacks */
#define MAX_ID ((uint32_t)(REC_DIR_SIZE * REC_PAGE_SIZE) - 1u)
#define ARENA_CHUNK (1u << 20)
#define DEDUP_INITIAL 1024u
#define KEYS_INITIAL 1024u
#define DRAIN_BATCH 256u
/* Record reservations tried in turn (virtual: pages are touched only as
 * records are used, 16 bytes each). */
#define CTXREC_MAX_LOG2 24u /* 16 M records, 256 MiB of address space; a
                               reference (byte offset) stays below 2^28 */
#define CTXREC_MIN_LOG2 16u

typedef struct {
    uint64_t hash;
    const uint64_t *frames;
    uint32_t depth;
    uint32_t reserved;
} st_record;

typedef struct {
    uint64_t mask;              /* capacity - 1 */
    _Atomic uint64_t slots[];   /* tag << 32 | id, 0 = empty */
} st_dedup;

typedef struct {
    _Atomic uint64_t key;       /* 0 = empty (key 0 lives in key0_id) */
    _Atomic uint32_t id;
    _Atomic uint32_t rec;       /* the key's context record, 0 = none */
} st_keyslot;

typedef struct {
    uint64_t mask;
    st_keyslot slots[];
} st_keys;

typedef struct {
    _Atomic uintptr_t lock;     /* 0 free, else owner's pthread_self() */
    _Atomic uint32_t next_id;   /* ids 1 .. next_id-1 are complete */
    _Atomic uint32_t draining;
    uint32_t drained;           /* last id handed out by drain */
    _Atomic uint32_t key0_id;
    size_t dedup_used;          /* under lock */
    size_t keys_used;           /* under lock */
    uint32_t ctx_used;          /* under lock: records 1 .. ctx_used-1 in use */
                                /* (record r's reference is r * 16) */
    _Atomic(st_dedup *) dedup;
    _Atomic(st_keys *) keys;
    char *arena_cur;            /* under lock */
    size_t arena_left;
    _Atomic(st_record *) dir[REC_DIR_SIZE];
    ms_stack batch[DRAIN_BATCH];
} st_state;

static _Atomic(st_state *) g_state;

/* Record 0 alone, until the records are reserved (read-only: never
 * written, and no index but 0 exists before the reservation). */
static const rt_ctxrec ctx_none;
rt_ctxrec *rt_ctxrec_base = (rt_ctxrec *)&ctx_none;
static uint32_t ctx_cap; /* records reserved; atomic access, 0 until then */

/* ------------------------------------------------------------------------
 * Memory
 * ---------------------------------------------------------------------- */

static void *map_zeroed(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static st_dedup *dedup_new(size_t cap)
{
    st_dedup *d = map_zeroed(sizeof(st_dedup) + cap * sizeof(uint64_t));
    if (d != NULL)
        d->mask = cap - 1;
    return d;
}

static st_keys *keys_new(size_t cap)
{
    st_keys *k = map_zeroed(sizeof(st_keys) + cap * sizeof(st_keyslot));
    if (k != NULL)
        k->mask = cap - 1;
    return k;
}

/* Reserves the record array once, before the state is published (so no
 * record reference exists while rt_ctxrec_base is still the "none" array). A
 * racing loser unmaps its own. Without a reservation (no address space)
 * there is simply no prediction. */
static void ctxrec_reserve(void)
{
    if (__atomic_load_n(&rt_ctxrec_base, __ATOMIC_ACQUIRE) != &ctx_none)
        return;
    for (unsigned lg = CTXREC_MAX_LOG2; lg >= CTXREC_MIN_LOG2; lg -= 2) {
        size_t len = sizeof(rt_ctxrec) << lg;
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            continue;
        rt_ctxrec *expected = (rt_ctxrec *)&ctx_none;
        if (__atomic_compare_exchange_n(&rt_ctxrec_base, &expected, (rt_ctxrec *)p, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            __atomic_store_n(&ctx_cap, 1u << lg, __ATOMIC_RELEASE);
        else
            munmap(p, len);
        return;
    }
}

static st_state *state_get(void)
{
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st != NULL)
        return st;
    st_state *fresh = map_zeroed(sizeof(st_state));
    if (fresh == NULL)
        return NULL;
    st_dedup *d = dedup_new(DEDUP_INITIAL);
    st_keys *k = keys_new(KEYS_INITIAL);
    if (d == NULL || k == NULL) {
        if (d != NULL)
            munmap(d, sizeof(st_dedup) + DEDUP_INITIAL * sizeof(uint64_t));
        if (k != NULL)
            munmap(k, sizeof(st_keys) + KEYS_INITIAL * sizeof(st_keyslot));
        munmap(fresh, sizeof(st_state));
        return NULL;
    }
    atomic_init(&fresh->next_id, 1);
    atomic_init(&fresh->dedup, d);
    atomic_init(&fresh->keys, k);
    fresh->ctx_used = 1; /* record 0 is "none" */
    ctxrec_reserve();
    st_state *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&g_state, &expected, fresh,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    /* Another thread won the race: use its state. */
    munmap(d, sizeof(st_dedup) + DEDUP_INITIAL * sizeof(uint64_t));
    munmap(k, sizeof(st_keys) + KEYS_INITIAL * sizeof(st_keyslot));
    munmap(fresh, sizeof(st_state));
    return expected;
}

/* Arena allocation of @n frames; under the lock. */
static uint64_t *arena_alloc(st_state *st, size_t n)
{
    size_t bytes = n * sizeof(uint64_t);
    if (bytes > st->arena_left) {
        size_t chunk = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;
        char *p = map_zeroed(chunk);
        if (p == NULL)
            return NULL;
        st->arena_cur = p;
        st->arena_left = chunk;
    }
    uint64_t *out = (uint64_t *)(void *)st->arena_cur;
    st->arena_cur += bytes;
    st->arena_left -= bytes;
    return out;
}

static const st_record *record_get(st_state *st, uint32_t id)
{
    st_record *page = atomic_load_explicit(&st->dir[id >> REC_PAGE_SHIFT], memory_order_acquire);
    return page == NULL ? NULL : &page[id & (REC_PAGE_SIZE - 1)];
}

/* ------------------------------------------------------------------------
 * Lock
 * ---------------------------------------------------------------------- */

/* Returns 1 with the lock held, 0 if the calling thread already holds it. */
static int lock_take(st_state *st)
{
    uintptr_t me = (uintptr_t)pthread_self();
    if (atomic_load_explicit(&st->lock, memory_order_relaxed) == me)
        return 0;
    for (unsigned spins = 0;; spins++) {
        uintptr_t expected = 0;
        if (atomic_compare_exchange_weak_explicit(&st->lock, &expected, me,
                                                  memory_order_acquire,
                                                  memory_order_relaxed))
            return 1;
        if (spins >= 64)
            sched_yield();
    }
}

static void lock_release(st_state *st)
{
    atomic_store_explicit(&st->lock, 0, memory_order_release);
}

/* ------------------------------------------------------------------------
 * Dedup table
 * ---------------------------------------------------------------------- */

static uint32_t dedup_find(st_state *st, uint64_t h, const uint64_t *frames,
                           uint32_t depth)
{
    st_dedup *d = atomic_load_explicit(&st->dedup, memory_order_acquire);
    uint64_t tag = h >> 32;
    for (uint64_t i = h & d->mask, probes = 0; probes <= d->mask;
         i = (i + 1) & d->mask, probes++) {
        uint64_t slot = atomic_load_explicit(&d->slots[i], memory_order_acquire);
        if (slot == 0)
            return 0;
        if ((slot >> 32) != tag)
            continue;
        uint32_t id = (uint32_t)slot;
        const st_record *r = record_get(st, id);
        if (r != NULL && r->hash == h && r->depth == depth &&
            memcmp(r->frames, frames, depth * sizeof(uint64_t)) == 0)
            return id;
    }
    return 0;
}

static void dedup_put(st_dedup *d, uint64_t h, uint32_t id)
{
    uint64_t i = h & d->mask;
    while (atomic_load_explicit(&d->slots[i], memory_order_relaxed) != 0)
        i = (i + 1) & d->mask;
    atomic_store_explicit(&d->slots[i], ((h >> 32) << 32) | id, memory_order_release);
}

/* Makes room for one more entry; under the lock. Returns 0 on OOM. */
static int dedup_reserve(st_state *st)
{
    st_dedup *d = atomic_load_explicit(&st->dedup, memory_order_relaxed);
    if ((st->dedup_used + 1) * 2 <= d->mask + 1)
        return 1;
    st_dedup *bigger = dedup_new((d->mask + 1) * 2);
    if (bigger == NULL)
        return 0;
    for (uint64_t i = 0; i <= d->mask; i++) {
        uint64_t slot = atomic_load_explicit(&d->slots[i], memory_order_relaxed);
        if (slot != 0) {
            const st_record *r = record_get(st, (uint32_t)slot);
            dedup_put(bigger, r->hash, (uint32_t)slot);
        }
    }
    /* The old table stays mapped: lock-free readers may still be probing
     * it, and a miss there only sends them to the locked path. */
    atomic_store_explicit(&st->dedup, bigger, memory_order_release);
    return 1;
}

/* ------------------------------------------------------------------------
 * Intern
 * ---------------------------------------------------------------------- */

uint32_t rt_stacktab_intern(const uint64_t *frames, uint32_t depth)
{
    if (frames == NULL || depth == 0)
        return 0;
    if (depth > MS_MAX_STACK_DEPTH)
        depth = MS_MAX_STACK_DEPTH;
    st_state *st = state_get();
    if (st == NULL)
        return 0;
    uint64_t h = XXH3_64bits(frames, depth * sizeof(uint64_t));
    uint32_t id = dedup_find(st, h, frames, depth);
    if (id != 0)
        return id;

    if (!lock_take(st))
        return 0;
    id = dedup_find(st, h, frames, depth);
    if (id != 0)
        goto out;
    id = atomic_load_explicit(&st->next_id, memory_order_relaxed);
    if (id > MAX_ID || !dedup_reserve(st)) {
        id = 0;
        goto out;
    }
    uint32_t page_no = id >> REC_PAGE_SHIFT;
    st_record *page = atomic_load_explicit(&st->dir[page_no], memory_order_relaxed);
    if (page == NULL) {
        page = map_zeroed(REC_PAGE_SIZE * sizeof(st_record));
        if (page == NULL) {
            id = 0;
            goto out;
        }
        atomic_store_explicit(&st->dir[page_no], page, memory_order_release);
    }
    uint64_t *copy = arena_alloc(st, depth);
    if (copy == NULL) {
        id = 0;
        goto out;
    }
    memcpy(copy, frames, depth * sizeof(uint64_t));
    st_record *r = &page[id & (REC_PAGE_SIZE - 1)];
    r->hash = h;
    r->frames = copy;
    r->depth = depth;
    /* Publish the record (for drain), then the slot (for lookups). */
    atomic_store_explicit(&st->next_id, id + 1, memory_order_release);
    dedup_put(atomic_load_explicit(&st->dedup, memory_order_relaxed), h, id);
    st->dedup_used++;
out:
    lock_release(st);
    return id;
}

const uint64_t *rt_stacktab_frames(uint32_t id, uint32_t *depth)
{
    *depth = 0;
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st == NULL || id == 0 || id >= atomic_load_explicit(&st->next_id, memory_order_acquire))
        return NULL;
    const st_record *r = record_get(st, id);
    if (r == NULL)
        return NULL;
    *depth = r->depth;
    return r->frames;
}

size_t rt_stacktab_count(void)
{
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st == NULL)
        return 0;
    return atomic_load_explicit(&st->next_id, memory_order_acquire) - 1u;
}

/* ------------------------------------------------------------------------
 * Context keys
 * ---------------------------------------------------------------------- */

/* 64-bit finaliser (splitmix64): keys are often small or structured. */
static uint64_t key_hash(uint64_t k)
{
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebull;
    k ^= k >> 31;
    return k;
}

uint32_t rt_stacktab_lookup_ctx(uint64_t key, uint32_t *rec)
{
    *rec = 0;
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st == NULL)
        return 0;
    if (key == 0)
        return atomic_load_explicit(&st->key0_id, memory_order_acquire);
    st_keys *t = atomic_load_explicit(&st->keys, memory_order_acquire);
    for (uint64_t i = key_hash(key) & t->mask, probes = 0; probes <= t->mask;
         i = (i + 1) & t->mask, probes++) {
        uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_acquire);
        if (k == key) {
            *rec = atomic_load_explicit(&t->slots[i].rec, memory_order_relaxed);
            return atomic_load_explicit(&t->slots[i].id, memory_order_acquire);
        }
        if (k == 0)
            return 0;
    }
    return 0;
}

uint32_t rt_stacktab_lookup_key(uint64_t key)
{
    uint32_t rec;
    return rt_stacktab_lookup_ctx(key, &rec);
}

/* A new record for @key bound to @id; under the lock. Returns its
 * reference, 0 when the reservation is full (the key simply gets no
 * prediction). */
static uint32_t ctxrec_new(st_state *st, uint64_t key, uint32_t id)
{
    if (st->ctx_used >= __atomic_load_n(&ctx_cap, __ATOMIC_ACQUIRE))
        return 0;
    uint32_t r = st->ctx_used++;
    rt_ctxrec *c = &__atomic_load_n(&rt_ctxrec_base, __ATOMIC_ACQUIRE)[r];
    _Static_assert(sizeof(rt_ctxrec) == 16, "record references are r * 16");
    __atomic_store_n(&c->id, id, __ATOMIC_RELAXED);
    __atomic_store_n(&c->next, 0, __ATOMIC_RELAXED);
    /* the key last: the record is complete before anyone can match it */
    __atomic_store_n(&c->key, key, __ATOMIC_RELEASE);
    return r * (uint32_t)sizeof(rt_ctxrec);
}

/* Inserts or replaces in @t (which has room); under the lock. *@rec is the
 * existing key's record (out), or the new key's: made here when @mk is not
 * NULL, else given (in, when a grown table is refilled). Returns 1 if a new
 * slot was used. */
static int keys_put(st_keys *t, uint64_t key, uint32_t id, uint32_t *rec, st_state *mk)
{
    for (uint64_t i = key_hash(key) & t->mask;; i = (i + 1) & t->mask) {
        uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
        if (k == key) {
            atomic_store_explicit(&t->slots[i].id, id, memory_order_release);
            *rec = atomic_load_explicit(&t->slots[i].rec, memory_order_relaxed);
            return 0;
        }
        if (k == 0) {
            /* the record complete, then id and record, then the key that
             * makes the slot visible */
            if (mk != NULL)
                *rec = ctxrec_new(mk, key, id);
            atomic_store_explicit(&t->slots[i].id, id, memory_order_relaxed);
            atomic_store_explicit(&t->slots[i].rec, *rec, memory_order_relaxed);
            atomic_store_explicit(&t->slots[i].key, key, memory_order_release);
            return 1;
        }
    }
}

uint32_t rt_stacktab_bind_ctx(uint64_t key, uint32_t id)
{
    if (id == 0)
        return 0;
    st_state *st = state_get();
    if (st == NULL)
        return 0;
    if (key == 0) {
        atomic_store_explicit(&st->key0_id, id, memory_order_release);
        return 0;
    }
    if (!lock_take(st))
        return 0;
    uint32_t rec = 0;
    st_keys *t = atomic_load_explicit(&st->keys, memory_order_relaxed);
    if ((st->keys_used + 1) * 2 > t->mask + 1) {
        st_keys *bigger = keys_new((t->mask + 1) * 2);
        if (bigger == NULL)
            goto out;
        for (uint64_t i = 0; i <= t->mask; i++) {
            uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
            if (k != 0) {
                uint32_t r = atomic_load_explicit(&t->slots[i].rec, memory_order_relaxed);
                keys_put(bigger, k, atomic_load_explicit(&t->slots[i].id, memory_order_relaxed),
                         &r, NULL);
            }
        }
        atomic_store_explicit(&st->keys, bigger, memory_order_release);
        t = bigger;
    }
    if (keys_put(t, key, id, &rec, st)) {
        st->keys_used++;
    } else if (rec != 0) {
        /* a rebind: the record follows */
        __atomic_store_n(&rt_ctxrec_at(rec)->id, id, __ATOMIC_RELAXED);
    }
out:
    lock_release(st);
    return rec;
}

void rt_stacktab_bind_key(uint64_t key, uint32_t id)
{
    (void)rt_stacktab_bind_ctx(key, id);
}

/* ------------------------------------------------------------------------
 * Drain and fork
 * ---------------------------------------------------------------------- */

size_t rt_stacktab_drain(void (*cb)(void *user, const ms_stack *s, size_t n),
                         void *user)
{
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st == NULL || cb == NULL)
        return 0;
    if (atomic_exchange_explicit(&st->draining, 1, memory_order_acquire) != 0)
        return 0;
    uint32_t end = atomic_load_explicit(&st->next_id, memory_order_acquire);
    size_t total = 0, n = 0;
    for (uint32_t id = st->drained + 1; id < end; id++) {
        const st_record *r = record_get(st, id);
        st->batch[n].id = id;
        st->batch[n].depth = r->depth;
        st->batch[n].frames = r->frames;
        if (++n == DRAIN_BATCH) {
            cb(user, st->batch, n);
            total += n;
            n = 0;
        }
    }
    if (n > 0) {
        cb(user, st->batch, n);
        total += n;
    }
    if (end > 0)
        st->drained = end - 1;
    atomic_store_explicit(&st->draining, 0, memory_order_release);
    return total;
}

void rt_stacktab_reset_after_fork(void)
{
    st_state *st = atomic_load_explicit(&g_state, memory_order_acquire);
    if (st == NULL)
        return;
    /* Only the forking thread exists in the child: a lock or drain flag
     * held by any other thread can never be released. The table itself is
     * consistent at every step of an intern (record, then next_id, then
     * slot), so whatever that thread left half-done is harmless. */
    atomic_store_explicit(&st->lock, 0, memory_order_release);
    atomic_store_explicit(&st->draining, 0, memory_order_release);
    st->drained = 0;
}
