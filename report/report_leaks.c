/*
 * report_leaks.c - leaks at exit.
 *
 * The runtime's exit-time reachability scan (LEAKS chunk) classifies each
 * block still live as memcheck and LeakSanitizer do. Here each record is
 * matched with its live block and grouped by (kind, site, stack); for each
 * group the last named owners: the scope exits seen holding the block while
 * it was live (rp_block.owner_site, set by the model on SCOPE_EXIT).
 * Without a scan (a killed program, a truncated trace) every live block is
 * "live at end", grouped the same way; with a scan, so are the live blocks
 * the scan does not list.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

const char *rp_leak_kind_name(uint32_t k) {
    switch (k) {
    case MS_LEAK_REACHABLE: return "reachable";
    case MS_LEAK_INDIRECT: return "indirect";
    case MS_LEAK_DEFINITE: return "definite";
    case MS_LEAK_POSSIBLE: return "possible";
    case RP_LEAK_LIVE_AT_END: return "live_at_end";
    default: return "unknown";
    }
}

static uint64_t group_key(uint32_t kind, uint32_t site, uint32_t stack, uint64_t salt) {
    return rp_hash64(rp_hash64(((uint64_t)kind << 32) | site) ^ ((uint64_t)stack << 1) ^
                     (salt * 0x9e3779b97f4a7c15ull));
}

static void add_to_group(rp_model *m, rp_map *gm, uint32_t kind, const rp_block *b,
                         uint64_t size) {
    rp_leaks *lk = &m->lk;
    /* a record with no block in the event stream: site RP_NONE */
    uint32_t site = b ? b->site : RP_NONE, stack = b ? b->stack : 0;
    rp_leakgroup *g = NULL;
    for (uint64_t salt = 0; !g; salt++) {
        uint64_t key = group_key(kind, site, stack, salt);
        uint32_t v = rp_map_get(gm, key);
        if (v == RP_NONE) {
            if (rp_grow((void **)&lk->g, &lk->gcap, lk->ng + 1, sizeof *lk->g) ||
                rp_map_put(gm, key, (uint32_t)lk->ng)) {
                m->oom = 1;
                return;
            }
            g = &lk->g[lk->ng++];
            memset(g, 0, sizeof *g);
            g->kind = kind;
            g->site = site;
            g->stack = stack;
        } else if (lk->g[v].kind == kind && lk->g[v].site == site && lk->g[v].stack == stack) {
            g = &lk->g[v];
        }
    }
    g->count++;
    g->bytes += size;
    if (b && b->name && !g->name)
        g->name = b->name;
    if (!b || !b->owner_site) {
        g->no_owner++;
        return;
    }
    for (uint32_t i = 0; i < g->nowners; i++) {
        if (g->owners[i].site == b->owner_site) {
            g->owners[i].count++;
            if (b->owner_time > g->owners[i].last_time)
                g->owners[i].last_time = b->owner_time;
            return;
        }
    }
    if (g->nowners < sizeof g->owners / sizeof g->owners[0]) {
        g->owners[g->nowners].site = b->owner_site;
        g->owners[g->nowners].count = 1;
        g->owners[g->nowners].last_time = b->owner_time;
        g->nowners++;
    } else {
        g->no_owner++;  /* more distinct owners than we list */
    }
}

static int severity(uint32_t k) {
    switch (k) {
    case MS_LEAK_DEFINITE: return 0;
    case MS_LEAK_INDIRECT: return 1;
    case MS_LEAK_POSSIBLE: return 2;
    case MS_LEAK_REACHABLE: return 3;
    default: return 4;
    }
}

static int cmp_group(const void *a, const void *b) {
    const rp_leakgroup *x = a, *y = b;
    int sx = severity(x->kind), sy = severity(y->kind);
    if (sx != sy)
        return sx - sy;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->site < y->site ? -1 : x->site > y->site;
}

void rp_leaks_finish(rp_model *m) {
    rp_leaks *lk = &m->lk;
    rp_map gm = {0};
    for (size_t i = 0; i < m->nblocks; i++)
        m->blocks[i].pad_ = 0;
    for (size_t i = 0; i < m->nleakrecs; i++) {
        const ms_leak *l = m->leakrecs[i];
        uint32_t kind = l->kind <= MS_LEAK_POSSIBLE ? l->kind : MS_LEAK_DEFINITE;
        uint32_t bi = l->addr ? rp_map_get(&m->live_map, l->addr) : RP_NONE;
        rp_block *b = bi != RP_NONE ? &m->blocks[bi] : NULL;
        if (b) {
            if (b->pad_)
                continue;  /* listed twice */
            b->pad_ = 1;
        } else {
            lk->unmatched++;
        }
        uint64_t size = b ? b->size : l->size;
        lk->blocks[kind]++;
        lk->bytes[kind] += size;
        add_to_group(m, &gm, kind, b, size);
    }
    for (size_t i = 0; i < m->nblocks; i++) {
        rp_block *b = &m->blocks[i];
        if (!b->live || b->pad_)
            continue;
        lk->live_end_blocks++;
        lk->live_end_bytes += b->size;
        /* with a scan too: a block live at the end of the events that the
         * scan does not list (freed after the scan, or a producer problem) */
        add_to_group(m, &gm, RP_LEAK_LIVE_AT_END, b, b->size);
    }
    for (size_t i = 0; i < m->nblocks; i++)
        m->blocks[i].pad_ = 0;
    rp_map_free(&gm);
    if (lk->ng)
        qsort(lk->g, lk->ng, sizeof *lk->g, cmp_group);
    /* owners: most frequent first */
    for (size_t i = 0; i < lk->ng; i++) {
        rp_leakgroup *g = &lk->g[i];
        for (uint32_t a = 1; a < g->nowners; a++)
            for (uint32_t b = a; b > 0 && g->owners[b].count > g->owners[b - 1].count; b--) {
                __typeof__(g->owners[0]) t = g->owners[b];
                g->owners[b] = g->owners[b - 1];
                g->owners[b - 1] = t;
            }
    }
}
