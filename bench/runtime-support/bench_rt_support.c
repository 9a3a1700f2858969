/*
 * bench_rt_support.c - timings of the runtime support modules. Prints one
 * line per measurement: name, operations, ns per operation (best of 3).
 * Usage: bench_rt_support [scale]   (scale 1 = default sizes)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>

#include "rt_counters.h"
#include "rt_leakscan.h"
#include "rt_livemap.h"
#include "rt_modules.h"
#include "rt_stacktab.h"
#include "rt_unwind.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void report(const char *name, uint64_t ops, uint64_t ns)
{
    printf("%-44s %10llu ops %10.1f ns/op\n", name, (unsigned long long)ops,
           ops ? (double)ns / (double)ops : 0.0);
}

static uintptr_t g_lo, g_hi;
static volatile uint64_t g_sink;
static uint64_t g_depth;

__attribute__((noinline)) static uint64_t walk_at(int depth, uint64_t iters)
{
    if (depth > 0) {
        uint64_t r = walk_at(depth - 1, iters);
        __asm__ volatile("" ::: "memory");
        return r;
    }
    uint64_t frames[64];
    uint64_t best = UINT64_MAX;
    for (int rep = 0; rep < 3; rep++) {
        uint64_t t0 = now_ns();
        for (uint64_t i = 0; i < iters; i++)
            g_sink += g_depth = rt_unwind_fp(frames, 32, 0, g_lo, g_hi);
        uint64_t dt = now_ns() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

static void bench_unwind(uint64_t scale)
{
    uint64_t t0 = now_ns();
    for (int i = 0; i < 100; i++)
        rt_stack_bounds(&g_lo, &g_hi);
    report("rt_stack_bounds (main thread)", 100, now_ns() - t0);
    uint64_t iters = 1000000 * scale;
    char name[96];
    uint64_t dt = walk_at(4, iters);
    snprintf(name, sizeof name, "rt_unwind_fp, %llu frames found", (unsigned long long)g_depth);
    report(name, iters, dt);
    dt = walk_at(40, iters);
    snprintf(name, sizeof name, "rt_unwind_fp, %llu frames found", (unsigned long long)g_depth);
    report(name, iters, dt);
}

static void bench_stacktab(uint64_t scale)
{
    enum { D = 24 };
    uint64_t n = 100000 * scale;
    uint64_t f[D];
    uint64_t t0 = now_ns();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < D; i++)
            f[i] = 0x400000 + k * 64 + (uint64_t)i;
        g_sink += rt_stacktab_intern(f, D);
    }
    report("rt_stacktab_intern new stack (depth 24)", n, now_ns() - t0);
    t0 = now_ns();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < D; i++)
            f[i] = 0x400000 + k * 64 + (uint64_t)i;
        g_sink += rt_stacktab_intern(f, D);
    }
    report("rt_stacktab_intern known stack (depth 24)", n, now_ns() - t0);
    t0 = now_ns();
    for (uint64_t k = 0; k < n; k++)
        rt_stacktab_bind_key(k * 0x9E3779B97F4A7C15ull + 1, (uint32_t)k + 1);
    report("rt_stacktab_bind_key", n, now_ns() - t0);
    t0 = now_ns();
    for (uint64_t r = 0; r < 10; r++)
        for (uint64_t k = 0; k < n; k++)
            g_sink += rt_stacktab_lookup_key(k * 0x9E3779B97F4A7C15ull + 1);
    report("rt_stacktab_lookup_key (hit)", 10 * n, now_ns() - t0);
}

static void drain_cb(void *u, const ms_stack *s, size_t n)
{
    (void)s;
    *(size_t *)u += n;
}

static void bench_drain(void)
{
    size_t got = 0;
    uint64_t t0 = now_ns();
    size_t n = rt_stacktab_drain(drain_cb, &got);
    report("rt_stacktab_drain (per stack)", n, now_ns() - t0);
}

static void bench_modules(void)
{
    static ms_module mods[RT_MODULES_MAX_HINT];
    static char buf[RT_MODULES_STRBUF_HINT];
    size_t n = 0;
    uint64_t t0 = now_ns();
    for (int i = 0; i < 1000; i++)
        n = rt_modules_snapshot(mods, RT_MODULES_MAX_HINT, buf, sizeof buf, 0);
    report("rt_modules_snapshot (whole map)", 1000, now_ns() - t0);
    printf("  (%zu modules)\n", n);
    t0 = now_ns();
    for (int i = 0; i < 100000; i++)
        g_sink += (uint64_t)rt_modules_changed();
    report("rt_modules_changed", 100000, now_ns() - t0);
}

static void bench_livemap_leakscan(uint64_t scale)
{
    uint64_t n = 1000000 * scale;
    rt_livemap *m = rt_livemap_create();
    /* Real heap blocks so the leak scan reads real memory: a linked list of
     * 32-byte nodes from malloc (the bench itself is not interposed). */
    void **blocks = malloc(n * sizeof *blocks);
    for (uint64_t i = 0; i < n; i++)
        blocks[i] = malloc(32);
    for (uint64_t i = 0; i < n; i++)
        ((void **)blocks[i])[0] = i + 1 < n ? blocks[i + 1] : NULL;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        rt_livemap_insert(m, (uint64_t)(uintptr_t)blocks[i], 32, 0, 0);
    report("rt_livemap_insert", n, now_ns() - t0);

    ms_leak *out = malloc(n * sizeof *out);
    t0 = now_ns();
    size_t got = rt_leakscan(m, NULL, 0, out, n);
    uint64_t dt = now_ns() - t0;
    report("rt_leakscan (1 definite + n-1 indirect)", got, dt);
    printf("  (scan of %llu blocks: %.1f ms)\n", (unsigned long long)got, (double)dt / 1e6);

    t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        rt_livemap_remove(m, (uint64_t)(uintptr_t)blocks[i], NULL);
    report("rt_livemap_remove", n, now_ns() - t0);
    for (uint64_t i = 0; i < n; i++)
        free(blocks[i]);
    free(blocks);
    free(out);
    rt_livemap_destroy(m);
}

static void bench_counters(const char *when)
{
    char name[96];
    ms_counter c;
    uint64_t t0 = now_ns();
    for (int i = 0; i < 200; i++)
        g_sink += mallinfo2().fordblks;
    snprintf(name, sizeof name, "mallinfo2() itself, %s", when);
    report(name, 200, now_ns() - t0);
    t0 = now_ns();
    for (int i = 0; i < 10000; i++)
        g_sink += rt_counters_rss();
    report("rt_counters_rss", 10000, now_ns() - t0);
    /* As the timer calls it: every 10 ms of the caller's clock. */
    static uint64_t clock_ns = 1000000000ull;
    t0 = now_ns();
    for (int i = 0; i < 1000; i++) {
        clock_ns += 10000000ull;
        rt_counters_sample(&c, clock_ns);
    }
    snprintf(name, sizeof name, "rt_counters_sample @10ms, %s", when);
    report(name, 1000, now_ns() - t0);
}

int main(int argc, char **argv)
{
    uint64_t scale = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    if (scale == 0)
        scale = 1;
    bench_counters("compact heap");
    bench_unwind(scale);
    bench_stacktab(scale);
    bench_drain();
    bench_modules();
    bench_livemap_leakscan(scale);
    bench_counters("after 1 M frees");
    return 0;
}
