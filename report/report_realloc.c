/*
 * report_realloc.c - realloc growth chains.
 *
 * A chain is the sequence of sizes one block goes through by realloc. While
 * the block lives its chain sits in a slot of rc.live; when it dies (or at
 * the end of the trace) the chain is summarised and kept only if it is among
 * the RP_TOP_CHAINS worst (quadratic first, then most bytes copied), so
 * memory is O(live blocks).
 *
 * Quadratic: at least 8 growing steps, never shrinking, every step growing by
 * the same amount within a factor of 2 (max_delta <= 2 * min_delta). Growing
 * by a constant step copies O(n^2 / step) bytes in total; growing by a factor
 * copies O(n).
 */
#include <math.h>
#include <string.h>

#include "report_internal.h"

int rp_chain_quadratic(const rp_chain *c) {
    return c->steps >= 8 && !c->shrinks && c->min_delta && c->min_delta != UINT64_MAX &&
           c->max_delta <= 2 * c->min_delta;
}

double rp_chain_factor(const rp_chain *c) {
    return c->steps ? exp(c->log_ratio_sum / (double)c->steps) : 1.0;
}

int rp_chain_step(rp_model *m, uint32_t bi, uint32_t site, uint64_t old_sz, uint64_t new_sz) {
    rp_reallocs *rc = &m->rc;
    rp_block *b = &m->blocks[bi];
    if (!b->chain) {
        uint32_t slot;
        if (rc->nfree) {
            slot = rc->freelist[--rc->nfree];
        } else {
            if (rp_grow((void **)&rc->live, &rc->cap, rc->nlive + 1, sizeof *rc->live)) {
                m->oom = 1;
                return -1;
            }
            slot = (uint32_t)rc->nlive++;
        }
        rp_chain *c = &rc->live[slot];
        memset(c, 0, sizeof *c);
        c->alloc_site = b->site;
        c->stack = b->stack;
        c->thread = b->thread;
        c->first_size = old_sz;
        c->sizes[0] = old_sz;
        c->nsizes = 1;
        c->min_delta = UINT64_MAX;
        b->chain = slot + 1;
    }
    rp_chain *c = &rc->live[b->chain - 1];
    uint64_t copy = old_sz < new_sz ? old_sz : new_sz;
    c->site = site;
    c->steps++;
    c->copied += copy;
    if (new_sz > old_sz) {
        uint64_t d = new_sz - old_sz;
        if (d < c->min_delta)
            c->min_delta = d;
        if (d > c->max_delta)
            c->max_delta = d;
    } else if (new_sz < old_sz) {
        c->shrinks++;
    }
    if (old_sz && new_sz)
        c->log_ratio_sum += log((double)new_sz / (double)old_sz);
    if (c->nsizes < sizeof c->sizes / sizeof c->sizes[0])
        c->sizes[c->nsizes] = new_sz;
    c->nsizes++;
    c->last_size = new_sz;
    rc->steps++;
    rc->copied += copy;
    return 0;
}

static int worse(const rp_chain *a, const rp_chain *b) {
    if (a->quadratic != b->quadratic)
        return a->quadratic > b->quadratic;
    return a->copied > b->copied;
}

void rp_chain_end(rp_model *m, uint32_t bi) {
    rp_reallocs *rc = &m->rc;
    rp_block *b = &m->blocks[bi];
    if (!b->chain)
        return;
    uint32_t slot = b->chain - 1;
    b->chain = 0;
    rp_chain *c = &rc->live[slot];
    c->quadratic = rp_chain_quadratic(c);
    c->done = 1;
    rc->chains++;
    if (c->quadratic)
        rc->quadratic_chains++;
    if (rc->ntop < RP_TOP_CHAINS) {
        rc->top[rc->ntop++] = *c;
        rc->least = RP_NONE;
    } else {
        if (rc->least == RP_NONE) {  /* recomputed only after a replacement */
            rc->least = 0;
            for (size_t i = 1; i < rc->ntop; i++)
                if (worse(&rc->top[rc->least], &rc->top[i]))
                    rc->least = (uint32_t)i;
        }
        if (worse(c, &rc->top[rc->least])) {
            rc->top[rc->least] = *c;
            rc->least = RP_NONE;
        }
    }
    if (rp_grow((void **)&rc->freelist, &rc->fcap, rc->nfree + 1, sizeof *rc->freelist)) {
        m->oom = 1;
        return;
    }
    rc->freelist[rc->nfree++] = slot;
}
