/*
 * rt_thread.h - per-thread lifecycle (first event, buffer hand-off, exit),
 * the thread registry the writer sweeps, the late buffer (events of threads
 * whose exit flush already ran), and stack-id computation.
 */
#ifndef RT_THREAD_H
#define RT_THREAD_H

#include "rt_core.h"

/*! rt_threads_init() : create the TSD key whose destructor flushes a
 *  thread's buffer at thread exit. Once, from the process early init. */
RT_HIDDEN void rt_threads_init(void);

/*! rt_threads_sweep() : writer: call @cb for each live thread's current
 *  buffer (registry locked during the walk), then for the late buffer. */
RT_HIDDEN void rt_threads_sweep(void (*cb)(void *u, rt_buf *b, rt_thread *rec), void *u);

/*! rt_threads_release() : writer: a thread record whose final buffer was
 *  written goes back to the free list. */
RT_HIDDEN void rt_threads_release(rt_thread *rec);

/*! rt_threads_foreach_live() : call @cb on every live record (locked). */
RT_HIDDEN void rt_threads_foreach_live(void (*cb)(void *u, rt_thread *rec), void *u);

/*! rt_threads_set_buffer_events() : slots per new buffer (buffer_kb option). */
RT_HIDDEN void rt_threads_set_buffer_events(uint32_t n);

/* Fork: lock the registry in prepare; in the child keep only the calling
 * thread, re-arm its buffer from empty. */
RT_HIDDEN void rt_threads_fork_prepare(void);
RT_HIDDEN void rt_threads_fork_parent(void);
RT_HIDDEN void rt_threads_fork_child(void);

RT_HIDDEN uint64_t rt_threads_started(void);

#endif
