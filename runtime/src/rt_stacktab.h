/*
 * rt_stacktab.h - the process-wide table of distinct call stacks.
 *
 * Each distinct sequence of return addresses gets one id (>= 1), so a trace
 * carries each stack once however many events share it. A second map binds
 * 64-bit calling-context keys (the pass's probabilistic calling context V,
 * or any key the core chooses) to stack ids, so a context seen before costs
 * one lock-free lookup instead of an unwind.
 *
 * Memory: only mmap'ed regions (never malloc, never .data/.bss beyond one
 * pointer-free state block), so the leak scan never mistakes the table for
 * program pointers. Nothing is ever freed: ids and frame arrays stay valid
 * for the life of the process (and of a forked child).
 *
 * Concurrency: every function is thread-safe. Lookups are lock-free.
 * Mutations (intern of a new stack, bind) take one internal spin lock; a
 * thread that re-enters while holding it (a signal handler interrupting an
 * intern) gets 0 / a no-op instead of deadlocking.
 */
#ifndef RT_STACKTAB_H
#define RT_STACKTAB_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! rt_stacktab_intern() : id of the stack @frames[0..depth) (return
 *  addresses, innermost first). The same frames always give the same id;
 *  different frames give different ids. Depths above MS_MAX_STACK_DEPTH are
 *  cut to it. A stack already known costs a hash and a lock-free probe.
 *  @return the id (>= 1); 0 if @depth is 0 or @frames is NULL, if memory
 *  (mmap) ran out, or if the calling thread is already inside an intern or
 *  bind (re-entry from a signal handler). */
uint32_t rt_stacktab_intern(const uint64_t *frames, uint32_t depth);

/*! rt_stacktab_lookup_key() : the stack id bound to context @key, 0 if
 *  none. Lock-free, wait-free in practice (bounded probe), no system call:
 *  safe from any thread and from signal handlers. */
uint32_t rt_stacktab_lookup_key(uint64_t key);

/*! rt_stacktab_bind_key() : bind @key to stack @id (an id returned by
 *  rt_stacktab_intern). Later lookups of @key return @id. Binding a key
 *  again replaces its id. Silently does nothing if @id is 0, if memory ran
 *  out, or on re-entry from a signal handler (the next lookup misses and
 *  the caller simply unwinds again). */
void rt_stacktab_bind_key(uint64_t key, uint32_t id);

/* ---- context records (successor prediction) --------------------------------
 * Every bound context key also owns a record in one append-only array that
 * never moves: {key, id, next}. Records are named by their reference: the
 * record's byte offset in the array (a multiple of 16; 0 = the "none"
 * record: key 0, never written, "no record"). A record's key is written
 * once, before its reference is reachable (through a key-table slot or
 * another record's next), and never changes; its id is the key's current
 * binding (a 32-bit atomic, replaced by a rebind); next is the reference of
 * the record predicted to come after it, written by whichever thread saw
 * that transition (any value written is a valid reference, so racing writers
 * only cost mispredictions). Callers verify a predicted record by comparing
 * its key with the key they computed, so a prediction never changes which id
 * a key gets. */
typedef struct rt_ctxrec {
    uint64_t key;  /* atomic access; 0 only in record 0 */
    uint32_t id;   /* atomic access */
    uint32_t next; /* atomic access: a reference */
} rt_ctxrec;

/* The record array. Never NULL: a one-record "none" array until the table is
 * created. Read it with a relaxed atomic load; it changes once. */
extern rt_ctxrec *rt_ctxrec_base __attribute__((visibility("hidden")));

static inline rt_ctxrec *rt_ctxrec_at(uint32_t ref)
{
    return (rt_ctxrec *)(void *)((char *)__atomic_load_n(&rt_ctxrec_base, __ATOMIC_RELAXED) + ref);
}

/*! rt_stacktab_lookup_ctx() : rt_stacktab_lookup_key() that also returns
 *  the key's record reference in *@rec (0 when the key has none).
 *  Lock-free. */
uint32_t rt_stacktab_lookup_ctx(uint64_t key, uint32_t *rec);

/*! rt_stacktab_bind_ctx() : rt_stacktab_bind_key() that also gives the key
 *  a record (new keys) or updates the record's id (a rebind).
 *  @return the key's record reference; 0 if it has none (key 0, id 0, memory
 *  out, records full, re-entry from a signal handler). */
uint32_t rt_stacktab_bind_ctx(uint64_t key, uint32_t id);

/*! rt_stacktab_learn() : note that record @rec followed record @prev
 *  (references). A no-op when either is 0 or the prediction is already
 *  @rec (no store: records are shared between threads). */
static inline void rt_stacktab_learn(uint32_t prev, uint32_t rec)
{
    if (prev != 0 && rec != 0) {
        rt_ctxrec *p = rt_ctxrec_at(prev);
        if (__atomic_load_n(&p->next, __ATOMIC_RELAXED) != rec)
            __atomic_store_n(&p->next, rec, __ATOMIC_RELAXED);
    }
}

/*! rt_stacktab_learn_first() : rt_stacktab_learn() only when @prev has no
 *  prediction yet: for transitions that cost little when mispredicted (the
 *  per-thread cache serves them), so an irregular sequence writes each
 *  shared record at most once this way instead of at every misprediction. */
static inline void rt_stacktab_learn_first(uint32_t prev, uint32_t rec)
{
    if (prev != 0 && rec != 0) {
        rt_ctxrec *p = rt_ctxrec_at(prev);
        if (__atomic_load_n(&p->next, __ATOMIC_RELAXED) == 0)
            __atomic_store_n(&p->next, rec, __ATOMIC_RELAXED);
    }
}

/*! rt_stacktab_predict() : whether context @key is the key of the record
 *  predicted after record *@cur (a reference); if so, *@id is its id, *@cur
 *  becomes that record and the record predicted after it is prefetched.
 *  @return 1 on a hit, 0 (nothing changed) on a misprediction. Lock-free, no
 *  store but *@cur: safe from any thread and from signal handlers. @key must
 *  not be 0. A hit's id is never 0 (records are only made for ids >= 1). */
static inline __attribute__((always_inline)) int rt_stacktab_predict(uint32_t *cur, uint64_t key,
                                                                     uint32_t *id)
{
    char *base = (char *)__atomic_load_n(&rt_ctxrec_base, __ATOMIC_RELAXED);
    uint32_t n = __atomic_load_n(&((rt_ctxrec *)(void *)(base + *cur))->next, __ATOMIC_RELAXED);
    const rt_ctxrec *q = (const rt_ctxrec *)(const void *)(base + n);
    if (__builtin_expect(__atomic_load_n(&q->key, __ATOMIC_ACQUIRE) != key, 0))
        return 0;
    *cur = n;
    __builtin_prefetch(base + __atomic_load_n(&q->next, __ATOMIC_RELAXED));
    *id = __atomic_load_n(&q->id, __ATOMIC_RELAXED);
    return 1;
}

/*! rt_stacktab_drain() : hand every stack interned since the previous
 *  drain to @cb, in id order, in batches of at most 256 (the ms_stack array
 *  and the frames stay valid after the callback returns; the array itself
 *  is reused for the next batch). Each stack is handed out exactly once
 *  (until rt_stacktab_reset_after_fork). Meant for one thread (the writer);
 *  a concurrent second drain returns 0 without calling @cb.
 *  @return the number of stacks handed out. */
size_t rt_stacktab_drain(void (*cb)(void *user, const ms_stack *s, size_t n),
                         void *user);

/*! rt_stacktab_frames() : the frames of stack @id (innermost first) and
 *  their number in *@depth. @return NULL (and *@depth = 0) when @id is 0 or
 *  not interned yet. The array stays valid for the life of the table. */
const uint64_t *rt_stacktab_frames(uint32_t id, uint32_t *depth);

/*! rt_stacktab_count() : number of distinct stacks interned so far. */
size_t rt_stacktab_count(void);

/*! rt_stacktab_reset_after_fork() : call in the child right after fork():
 *  every stack becomes "not yet drained" again (the child's new trace needs
 *  them all), and a lock held by a thread that does not exist in the child
 *  is released. Ids and key bindings are kept. */
void rt_stacktab_reset_after_fork(void);

#ifdef __cplusplus
}
#endif
#endif /* RT_STACKTAB_H */
