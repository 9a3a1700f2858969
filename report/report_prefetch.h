/*
 * report_prefetch.h - the model's software-pipelined prefetch, inlined into
 * its event loop (report_model.c, apply_events). Measurements:
 * docs/perf/report.md.
 *
 * Software-pipelined prefetch: each event's lookups are a chain of
 * dependent memory accesses (map slot -> block record -> stack and chain
 * records), each likely a cache miss when the tables outgrow the caches
 * (~1 M stacks, ~100 k live blocks). They are started in stages ahead of the
 * event: the map slot (and the stack id's table entry) RP_AHEAD_1 events
 * ahead; RP_AHEAD_2 ahead the block record (found through the slot the
 * first stage brought in) or, for an allocation, its stack record; and
 * RP_AHEAD_3 ahead the freed block's stack and chain records. Prefetches
 * are hints: a later event changing the maps costs only a useless load.
 * The deeper stages cost a probe per event, so they run only when the
 * tables are larger than the caches.
 */
#ifndef REPORT_PREFETCH_H
#define REPORT_PREFETCH_H

#include "report_internal.h"

#define RP_AHEAD_1 16
#define RP_AHEAD_2 8
#define RP_AHEAD_3 4
#define RP_DEEP_BLOCKS 8192    /* live map slots (128 KiB): block records past L2 */
#define RP_DEEP_STACKS 16384   /* stack records (~2 MiB) */

typedef struct {
    int blocks, stacks;        /* run the deeper stages for frees / allocations */
    uint32_t ring[RP_AHEAD_2]; /* stage 2's block, by event position, for stage 3 */
} prefetcher;

static inline int frees_kind(uint8_t k) {
    return k == MS_EV_FREE || k == MS_EV_CUSTOM_FREE || k == MS_EV_REALLOC;
}

static inline void prefetch_stage1(const rp_model *m, const ms_event *e) {
    if (frees_kind(e->kind)) {
        rp_map_prefetch(&m->live_map, e->kind == MS_EV_REALLOC ? e->aux : e->addr);
        if (e->kind != MS_EV_REALLOC)
            return;
    }
    rp_map_prefetch(&m->live_map, e->addr);
    if (e->stack < m->stack_dense_cap)
        __builtin_prefetch(&m->stack_dense[e->stack]);
}

static inline void prefetch_stack(const rp_model *m, uint32_t si) {
    const char *p = (const char *)&m->stacks[si];
    __builtin_prefetch(p);
    __builtin_prefetch(p + sizeof m->stacks[0] - 1);
}

/* Event @e at position @pos: the block it will free (its map slot was
 * prefetched), kept for stage 3. */
static inline void prefetch_stage2(const rp_model *m, prefetcher *p, const ms_event *e,
                                   size_t pos) {
    uint32_t bi = RP_NONE;
    if (frees_kind(e->kind)) {
        if (p->blocks) {
            uint64_t a = e->kind == MS_EV_REALLOC ? e->aux : e->addr;
            bi = a ? rp_map_get(&m->live_map, a) : RP_NONE;
            if (bi != RP_NONE)
                __builtin_prefetch(&m->blocks[bi], 1);
        }
    } else if (p->stacks && e->kind == MS_EV_ALLOC && e->stack < m->stack_dense_cap) {
        uint32_t x = m->stack_dense[e->stack];
        if (x)
            prefetch_stack(m, x - 1);
    }
    p->ring[pos % RP_AHEAD_2] = bi;
}

static inline void prefetch_stage3(const rp_model *m, const prefetcher *p, size_t pos) {
    uint32_t bi = p->ring[pos % RP_AHEAD_2];
    if (bi == RP_NONE || bi >= m->nblocks)
        return;  /* (a stale entry from another run is only a wasted hint) */
    const rp_block *b = &m->blocks[bi];
    if (p->stacks)
        prefetch_stack(m, b->stack);
    if (b->chain && b->chain <= m->rc.nlive)
        __builtin_prefetch(&m->rc.live[b->chain - 1]);
}

#endif /* REPORT_PREFETCH_H */
