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
