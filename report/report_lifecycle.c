/*
 * report_lifecycle.c - block lifetimes and temporary allocations.
 *
 * Temporary (heaptrack's definition): a block freed while it is still the
 * last allocation its thread made, i.e. with no other allocation by that
 * thread in between, and freed by that same thread. With --temp-ns N it must
 * also have lived at most N ns. Lifetimes go into per-site and per-type
 * histograms with 8 sub-buckets per power of two, so medians are within ~9%
 * while memory stays O(sites + types).
 */
#include <stdlib.h>

#include "report_internal.h"

unsigned rp_lt_bucket(uint64_t ns) {
    if (ns < RP_LT_SUB)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns);  /* >= 3 */
    unsigned sub = (unsigned)(ns >> (e - 3)) & 7u;
    return (e - 2) * RP_LT_SUB + sub;
}

uint64_t rp_lt_value(unsigned b) {
    if (b < RP_LT_SUB)
        return b;
    unsigned e = b / RP_LT_SUB + 2, sub = b % RP_LT_SUB;
    uint64_t lo = (uint64_t)(RP_LT_SUB + sub) << (e - 3);
    uint64_t width = 1ull << (e - 3);
    return lo + width / 2;
}

uint64_t rp_lt_median(const uint32_t *hist) {
    if (!hist)
        return 0;
    uint64_t total = 0, acc = 0;
    for (unsigned b = 0; b < RP_LT_BUCKETS; b++)
        total += hist[b];
    if (!total)
        return 0;
    uint64_t half = (total + 1) / 2;
    for (unsigned b = 0; b < RP_LT_BUCKETS; b++) {
        acc += hist[b];
        if (acc >= half)
            return rp_lt_value(b);
    }
    return 0;
}

void rp_life_on_alloc(rp_model *m, uint32_t bi) {
    rp_thread *t = &m->threads[m->blocks[bi].thread];
    t->last_alloc = bi;
    t->last_alloc_gen = m->blocks[bi].gen;
}

static void hist_add(rp_model *m, uint32_t **h, unsigned b) {
    if (!*h) {
        *h = calloc(RP_LT_BUCKETS, sizeof **h);
        if (!*h) {
            m->oom = 1;
            return;
        }
    }
    (*h)[b]++;
}

void rp_life_on_free(rp_model *m, uint32_t bi, uint32_t free_thread, uint64_t time) {
    const rp_block *b = &m->blocks[bi];
    uint64_t lt = time >= b->t_alloc ? time - b->t_alloc : 0;
    rp_site *s = &m->sites[b->site];
    rp_type *ty = &m->types[s->type];
    rp_stackrec *sk = &m->stacks[b->stack];
    rp_thread *th = &m->threads[b->thread];
    unsigned hb = rp_lt_bucket(lt);
    s->st.lifetime_sum += lt;
    ty->st.lifetime_sum += lt;
    sk->st.lifetime_sum += lt;
    th->st.lifetime_sum += lt;
    m->tot.lifetime_sum += lt;
    m->tot.lifetimes++;
    hist_add(m, &s->lt_hist, hb);
    hist_add(m, &ty->lt_hist, hb);
    rp_thread *ft = &m->threads[free_thread];
    if (free_thread == b->thread && ft->last_alloc == bi && ft->last_alloc_gen == b->gen &&
        (!m->opt.temp_ns || lt <= m->opt.temp_ns)) {
        s->st.temporaries++;
        ty->st.temporaries++;
        sk->st.temporaries++;
        th->st.temporaries++;
        m->tot.temporaries++;
    }
    if (ft->last_alloc == bi)
        ft->last_alloc = RP_NONE;
}
