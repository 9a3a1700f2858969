/*
 * rt_counters.h - periodic process statistics for the counters chunk: the
 * resident set size and glibc's malloc totals (mallinfo2), for the
 * fragmentation and allocator-overhead analyses.
 *
 * No malloc, no stdio: RSS is read from /proc/self/statm with
 * open/read/close.
 *
 * mallinfo2() walks every free chunk of every arena while holding the arena
 * locks: cheap on a compact heap (microseconds), but milliseconds on a
 * fragmented one (2.2 ms after freeing 1 M small blocks, measured in
 * docs/perf/runtime-support.md), during which allocating threads wait. So
 * rt_counters_sample() rate-limits it: it is called again only when at least
 * 100 times its last duration has passed (by the caller's clock), keeping its
 * cost under ~1% of one thread; in between, the last heap figures are
 * repeated. RSS is read on every sample.
 */
#ifndef RT_COUNTERS_H
#define RT_COUNTERS_H

#include <stdint.h>

#include "msformat.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! rt_counters_sample() : fill @c with one sample taken now.
 *  c->time_ns = @now_ns; c->rss = resident pages * page size (0 if
 *  /proc/self/statm cannot be read); from mallinfo2() (possibly the last
 *  refresh, see above): heap_arena = arena + hblkhd, heap_in_use =
 *  uordblks + hblkhd, heap_free = fordblks. c->live_bytes and
 *  c->live_blocks are set to 0: the caller fills them from its own
 *  accounting.
 *  @now_ns : non-decreasing between calls (the runtime's clock); the first
 *  call always refreshes the heap figures.
 *  One thread at a time (the runtime's timer or writer thread): it keeps the
 *  last heap figures in static storage. Takes glibc's arena locks: never
 *  call it from a signal handler or from inside malloc. */
void rt_counters_sample(ms_counter *c, uint64_t now_ns);

/*! rt_counters_rss() : resident set size in bytes, 0 if unknown. No lock,
 *  no malloc (open/read/close only): safe anywhere, signal handlers
 *  included. */
uint64_t rt_counters_rss(void);

#ifdef __cplusplus
}
#endif
#endif /* RT_COUNTERS_H */
