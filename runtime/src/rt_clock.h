/*
 * rt_clock.h - the event clock. The hot path stores raw ticks
 * (rt_clock_now); the writer converts them to nanoseconds since the runtime's
 * origin (rt_clock_to_ns) before encoding, so the trace stores ns.
 *
 * x86-64 with an invariant TSC: ticks are the TSC (RDTSC before an
 * operation, RDTSCP after one), calibrated against CLOCK_MONOTONIC on first
 * conversion. Elsewhere, or when
 * the CPU lacks an invariant TSC, ticks are CLOCK_MONOTONIC ns.
 * docs/perf/runtime.md has the measurement behind the choice.
 */
#ifndef RT_CLOCK_H
#define RT_CLOCK_H

#include <stdint.h>
#include <time.h>

extern int rt_clock_use_tsc __attribute__((visibility("hidden")));

/*! rt_clock_mono_ns() : CLOCK_MONOTONIC in ns. Out of line: a timespec on
 *  the twins' stacks would keep them from tail-calling glibc. */
uint64_t rt_clock_mono_ns(void) __attribute__((visibility("hidden"), noinline));

/*! rt_clock_now() : ticks now (RDTSC). For stamps taken *before* an
 *  operation (free, realloc's release, lifetime events): RDTSC executes no
 *  later than the instructions after it retire, so the stamp precedes the
 *  operation's effects. ~10 ns here, half of RDTSCP. */
static inline uint64_t rt_clock_now(void) {
#if defined(__x86_64__)
    if (__builtin_expect(rt_clock_use_tsc, 1)) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return rt_clock_mono_ns();
}

/*! rt_clock_now_after() : ticks now, ordered after every preceding
 *  instruction (RDTSCP): for stamps taken *after* an operation (an
 *  allocation), so the block's reuse is never stamped before its free. */
static inline uint64_t rt_clock_now_after(void) {
#if defined(__x86_64__)
    if (__builtin_expect(rt_clock_use_tsc, 1)) {
        uint32_t lo, hi;
        __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi) : : "rcx");
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return rt_clock_mono_ns();
}

/*! rt_clock_init() : choose the tick source and set the origin. Called once,
 *  early, before any event is stamped; idempotent. */
void rt_clock_init(void) __attribute__((visibility("hidden")));
/*! rt_clock_to_ns() : ticks -> ns since the origin (0 for ticks before it).
 *  The first call fixes the TSC calibration (waits until >= 2 ms have passed
 *  since the origin). Writer-side only: not for the hot path. */
uint64_t rt_clock_to_ns(uint64_t ticks) __attribute__((visibility("hidden")));
/*! rt_clock_now_ns() : current time in ns since the origin. */
uint64_t rt_clock_now_ns(void) __attribute__((visibility("hidden")));
/*! rt_clock_origin_mono() : CLOCK_MONOTONIC value of the origin. */
uint64_t rt_clock_origin_mono(void) __attribute__((visibility("hidden")));

#endif
