/*
 * rp_bench_gen.c - writes a large synthetic trace for the report benchmarks.
 *
 *   rp_bench_gen OUT.ms EVENTS [THREADS] [LIVE] [reuse|fresh] [CODEC]
 *
 * Each thread keeps about LIVE/THREADS blocks live (a ring: allocate a new
 * block, free the oldest), with a realloc every 16th step, a scope exit every
 * 4th and a temporary every 8th, over 64 sites and 32 stacks: the model's
 * memory should stay O(LIVE) whatever EVENTS is. Deterministic.
 * Addresses: "reuse" (default) hands freed addresses out again, last freed
 * first, as malloc's per-thread caches do; "fresh" never reuses one (every
 * lookup a cache miss: the worst case); "orphan" is "reuse" with every 4th
 * allocation left out of the trace, as uninstrumented allocations are
 * without whole-heap coverage: their frees match nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msformat.h"

#define CHUNK 16384

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rp_bench_gen OUT.ms EVENTS [THREADS] [LIVE]\n");
        return 2;
    }
    uint64_t total = strtoull(argv[2], NULL, 10);
    unsigned nthreads = argc > 3 ? (unsigned)atoi(argv[3]) : 4;
    uint64_t live = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
    int fresh = argc > 5 && !strcmp(argv[5], "fresh");
    int orphan = argc > 5 && !strcmp(argv[5], "orphan");
    if (!nthreads)
        nthreads = 1;
    ms_writer_options o;
    ms_writer_options_init(&o);
    if (argc > 6 && ms_codec_parse(argv[6], &o.codec) != MS_OK) {
        fprintf(stderr, "unknown codec %s\n", argv[6]);
        return 2;
    }
    o.flags = orphan ? 0 : MS_HDR_F_WHOLE_HEAP;
    o.exe = "/bench/synthetic";
    ms_writer *w;
    if (ms_writer_open_path(argv[1], &o, &w) != MS_OK) {
        perror(argv[1]);
        return 1;
    }
    static const char *const types[] = {"struct node", "char", "struct item", "int", "double",
                                        "struct cfg", "uint8_t", "struct tree"};
    ms_site sites[64];
    char files[64][16];
    for (int i = 0; i < 64; i++) {
        memset(&sites[i], 0, sizeof sites[i]);
        snprintf(files[i], sizeof files[i], "f%d.c", i % 7);
        sites[i].id = 0x1000 + 0x30 * (uint64_t)i;
        sites[i].kind = i == 62 ? MS_SITE_SCOPE_EXIT : i == 63 ? MS_SITE_FREE : MS_SITE_MALLOC;
        sites[i].line = 10 + (uint32_t)i;
        sites[i].file = files[i];
        sites[i].function = "work";
        sites[i].type_name = types[i % 8];
        sites[i].var_name = i == 62 ? "owner" : "p";
        sites[i].callee = "";
    }
    ms_writer_add_sites(w, sites, 64);
    uint64_t frames[32][4];
    ms_stack stacks[32];
    for (int i = 0; i < 32; i++) {
        for (int k = 0; k < 4; k++)
            frames[i][k] = 0x400000 + 0x100 * (uint64_t)i + 0x10 * (uint64_t)k;
        stacks[i].id = (uint32_t)i + 1;
        stacks[i].depth = 4;
        stacks[i].frames = frames[i];
    }
    ms_writer_add_stacks(w, stacks, 32);

    uint64_t per_thread_live = live / nthreads ? live / nthreads : 1;
    uint64_t **ring = calloc(nthreads, sizeof *ring);
    uint64_t *head = calloc(nthreads, sizeof *head), *count = calloc(nthreads, sizeof *count);
    uint64_t *next_addr = calloc(nthreads, sizeof *next_addr);
    uint64_t **pool = calloc(nthreads, sizeof *pool);  /* freed addresses, LIFO */
    size_t *npool = calloc(nthreads, sizeof *npool);
    ms_event *buf = malloc(CHUNK * sizeof *buf);
    uint64_t written = 0, step = 0;
    uint64_t *clock = calloc(nthreads, sizeof *clock);
    for (unsigned t = 0; t < nthreads; t++) {
        ring[t] = calloc(per_thread_live, sizeof **ring);
        pool[t] = calloc(per_thread_live + 16, sizeof **pool);
        next_addr[t] = 0x10000000000ull * (t + 1);
    }
    while (written < total) {
        for (unsigned t = 0; t < nthreads && written < total; t++) {
            size_t n = 0;
            /* thread t's events at times k * nthreads + t: the threads'
             * chunks overlap completely, the worst case for the merge */
            uint64_t time = clock[t];
            while (n < CHUNK - 4 && written + n < total) {
                step++;
                ms_event *e = &buf[n++];
                memset(e, 0, sizeof *e);
                e->time_ns = (time++) * nthreads + t;
                uint64_t s = step % 62;
                if (count[t] == per_thread_live) {
                    uint64_t a = ring[t][head[t]];
                    if (step % 4 == 0) {
                        e->kind = MS_EV_SCOPE_EXIT;
                        e->addr = a;
                        e->site = sites[62].id;
                        e = &buf[n++];
                        memset(e, 0, sizeof *e);
                        e->time_ns = (time++) * nthreads + t;
                    }
                    e->kind = MS_EV_FREE;
                    e->addr = a;
                    e->site = sites[63].id;
                    e->stack = (uint32_t)(step % 32) + 1;
                    head[t] = (head[t] + 1) % per_thread_live;
                    count[t]--;
                    if (!fresh)
                        pool[t][npool[t]++] = a;
                    continue;
                }
                uint64_t a;
                if (npool[t]) {
                    a = pool[t][--npool[t]];
                } else {
                    a = next_addr[t];
                    next_addr[t] += 64;
                }
                e->kind = MS_EV_ALLOC;
                e->addr = a;
                e->size = 16 + (step * 7) % 200;
                e->site = sites[s].id;
                e->stack = (uint32_t)(step % 32) + 1;
                if (step % 8 == 0) {  /* a temporary */
                    e = &buf[n++];
                    memset(e, 0, sizeof *e);
                    e->time_ns = (time++) * nthreads + t;
                    e->kind = MS_EV_FREE;
                    e->addr = a;
                    e->site = sites[63].id;
                    if (!fresh)
                        pool[t][npool[t]++] = a;
                    continue;
                }
                if (step % 16 == 1) {  /* grow it */
                    e = &buf[n++];
                    memset(e, 0, sizeof *e);
                    e->time_ns = (time++) * nthreads + t;
                    e->kind = MS_EV_REALLOC;
                    e->aux = a;
                    if (!fresh)
                        pool[t][npool[t]++] = a;  /* moved: the old address is free */
                    if (npool[t] > 1) {
                        a = pool[t][npool[t] - 2];  /* not the one just released */
                        pool[t][npool[t] - 2] = pool[t][npool[t] - 1];
                        npool[t]--;
                    } else {
                        a = next_addr[t];
                        next_addr[t] += 64;
                    }
                    e->addr = a;
                    e->size = 400;
                    e->site = sites[s].id;
                }
                ring[t][(head[t] + count[t]) % per_thread_live] = a;
                count[t]++;
                if (orphan && step % 4 == 3 && e->kind == MS_EV_ALLOC)
                    n--;  /* not recorded: its free will match nothing */
            }
            clock[t] = time;
            if (ms_writer_add_events(w, t + 1, buf, n) != MS_OK) {
                fprintf(stderr, "write failed\n");
                return 1;
            }
            written += n;
        }
    }
    uint64_t bytes = ms_writer_bytes(w);
    ms_error e = ms_writer_close(w);
    printf("%llu events, %u threads, %llu bytes before the index\n", (unsigned long long)written,
           nthreads, (unsigned long long)bytes);
    return e == MS_OK ? 0 : 1;
}
