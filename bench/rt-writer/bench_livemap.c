/*
 * bench_livemap.c - speed of the writer's live map (runtime/src/rt_livemap.c)
 * on real and synthetic address streams. Run by hand, never by ctest:
 *
 *   bench_livemap trace.ms [reps]   replay the trace's events chunk by chunk
 *                                   as the writer applies them (prefetch 32
 *                                   ahead, apply_alloc / apply_free); only
 *                                   the live-map calls are timed
 *   bench_livemap synth             sequential 32-byte blocks, page-aligned
 *                                   blocks, 64 KiB stride, random addresses
 *
 * Prints ns per operation, final live count/bytes (a checksum: the same for
 * every map implementation) and the map's peak freed entries.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msformat.h"
#include "rt_livemap.h"

#ifndef AHEAD
#define AHEAD 32 /* as LIVE_PREFETCH_AHEAD in rt_writer.c; -DAHEAD=8 to compare */
#endif

typedef struct {
    uint64_t addr, aux, size, site, time;
    uint32_t stack;
    uint8_t kind;
} op;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What write_events does with one event (no sub-blocks: none in the
 * benchmarks). @return live-map operations made. */
static unsigned apply(rt_livemap *m, const op *o)
{
    uint64_t sz;
    switch (o->kind) {
    case MS_EV_ALLOC:
    case MS_EV_CUSTOM_ALLOC:
        if (o->addr)
            rt_livemap_apply_alloc(m, o->addr, o->size, o->site, o->stack, o->time);
        return o->addr != 0;
    case MS_EV_FREE:
    case MS_EV_CUSTOM_FREE:
        rt_livemap_apply_free(m, o->addr, o->time, &sz);
        return 1;
    case MS_EV_REALLOC:
        if (!o->addr)
            return 0;
        if (o->aux)
            rt_livemap_apply_free(m, o->aux, o->time, &sz);
        rt_livemap_apply_alloc(m, o->addr, o->size, o->site, o->stack, o->time);
        return 1 + (o->aux != 0);
    default:
        return 0;
    }
}

static uint64_t run_ops(rt_livemap *m, const op *ops, size_t n, uint64_t *n_ops)
{
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n)
            rt_livemap_prefetch(m, ops[i + AHEAD].addr);
        *n_ops += apply(m, &ops[i]);
    }
    return now_ns() - t0;
}

static void result(const char *name, rt_livemap *m, uint64_t n_ops, uint64_t ns, size_t peak_freed)
{
    printf("%-34s %10llu ops %7.2f ns/op  live %zu blocks %llu bytes  peak freed %zu\n", name,
           (unsigned long long)n_ops, n_ops ? (double)ns / (double)n_ops : 0.0,
           rt_livemap_count(m), (unsigned long long)rt_livemap_bytes(m), peak_freed);
}

static int replay(const char *path, int reps)
{
    ms_reader *r;
    ms_error e = ms_reader_open(path, &r);
    if (e != MS_OK) {
        fprintf(stderr, "%s: %s\n", path, ms_error_string(e));
        return 1;
    }
    size_t cap = 1 << 16;
    op *ops = malloc(cap * sizeof *ops);
    for (int rep = 0; rep < reps; rep++) {
        rt_livemap *m = rt_livemap_create();
        uint64_t ns = 0, n_ops = 0, chunks = 0;
        size_t peak_freed = 0;
        for (size_t c = 0; c < ms_reader_chunk_count(r); c++) {
            if (ms_reader_chunk(r, c)->type != MS_CHUNK_EVENTS)
                continue;
            ms_decoded *d;
            if (ms_reader_load(r, c, &d) != MS_OK)
                continue;
            if (d->count > cap) {
                cap = d->count;
                ops = realloc(ops, cap * sizeof *ops);
            }
            for (size_t i = 0; i < d->count; i++) {
                const ms_event *ev = &d->u.events[i];
                ops[i] = (op){ev->addr, ev->aux, ev->size, ev->site, ev->time_ns, ev->stack, ev->kind};
            }
            ns += run_ops(m, ops, d->count, &n_ops);
            size_t fr = rt_livemap_freed(m);
            if (fr > peak_freed)
                peak_freed = fr;
            /* the writer purges about every 250 ms once freed entries
             * outnumber live ones: model it every 256 chunks */
            if (++chunks % 256 == 0 && fr > 4096 && fr > rt_livemap_count(m)) {
                uint64_t t0 = now_ns();
                uint64_t t = d->count ? d->u.events[0].time_ns : 0;
                rt_livemap_purge(m, t > 1000000000ull ? t - 1000000000ull : 0);
                ns += now_ns() - t0;
            }
            ms_decoded_free(d);
        }
        result(path, m, n_ops, ns, peak_freed);
        rt_livemap_destroy(m);
    }
    free(ops);
    ms_reader_close(r);
    return 0;
}

/* Synthetic streams: build @n blocks at addr(i), free them in reverse
 * order, @rounds times (time strictly increasing). */
static void synth_one(const char *name, uint64_t (*addr)(uint64_t i), size_t n, int rounds)
{
    op *ops = malloc(2 * n * sizeof *ops);
    rt_livemap *m = rt_livemap_create();
    uint64_t t = 1, ns = 0, n_ops = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++)
            ops[i] = (op){addr(i), 0, 32, 0x1000, t++, 7, MS_EV_ALLOC};
        for (size_t i = 0; i < n; i++)
            ops[n + i] = (op){addr(n - 1 - i), 0, 0, 0, t++, 0, MS_EV_FREE};
        /* half of each round stays live for the next: apply only the first
         * 3/2 n ops on all but the last round */
        size_t len = r + 1 < rounds ? n + n / 2 : 2 * n;
        ns += run_ops(m, ops, len, &n_ops);
        if (r + 1 < rounds) {
            /* drop what this round left so the next starts clean */
            for (size_t i = 0; i < n / 2; i++)
                rt_livemap_apply_free(m, addr(i), t++, NULL);
            rt_livemap_purge(m, t);
        }
    }
    result(name, m, n_ops, ns, rt_livemap_freed(m));
    rt_livemap_destroy(m);
    free(ops);
}

static uint64_t a_seq(uint64_t i) { return 0x555555560000ull + i * 32; }
static uint64_t a_page(uint64_t i) { return 0x7f0000000010ull + i * 4096; }
static uint64_t a_64k(uint64_t i) { return 0x7f0000000010ull + i * 65536; }
static uint64_t a_rand(uint64_t i)
{
    return 0x100000000ull + ((i * 0x9E3779B1ull) & 0xffffffffffull) * 16u;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "synth") == 0) {
        size_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 1000000;
        synth_one("sequential 32 B", a_seq, n, 4);
        synth_one("page-aligned (4 KiB stride)", a_page, n, 4);
        synth_one("64 KiB stride", a_64k, n, 4);
        synth_one("random 16-aligned", a_rand, n, 4);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_livemap trace.ms [reps] | synth [n]\n");
        return 2;
    }
    return replay(argv[1], argc > 2 ? atoi(argv[2]) : 1);
}
