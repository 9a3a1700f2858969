/*
 * report_threads.c - per-thread use and cross-thread frees.
 *
 * Per-thread allocations, bytes and peak are the thread's rp_stat (updated by
 * the model, keyed by the allocating thread). A block allocated by one thread
 * and freed by another is aggregated by (allocation site, allocating thread,
 * free site, freeing thread), so both sides are named.
 */
#include <string.h>

#include "report_internal.h"

static uint64_t xf_key(uint32_t as, uint32_t fs, uint32_t at, uint32_t ft, uint64_t salt) {
    uint64_t k = rp_hash64(((uint64_t)as << 32) | fs);
    return rp_hash64(k ^ (((uint64_t)at << 32) | ft) ^ (salt * 0x9e3779b97f4a7c15ull));
}

void rp_threads_on_free(rp_model *m, uint32_t bi, uint32_t free_thread, uint32_t free_site) {
    const rp_block *b = &m->blocks[bi];
    if (b->thread == free_thread)
        return;
    m->threads[b->thread].cross_frees_out++;
    m->threads[free_thread].cross_frees_in++;
    for (uint64_t salt = 0;; salt++) {
        uint64_t key = xf_key(b->site, free_site, b->thread, free_thread, salt);
        uint32_t v = rp_map_get(&m->xf_map, key);
        if (v == RP_NONE) {
            if (rp_grow((void **)&m->xf, &m->xf_cap, m->nxf + 1, sizeof *m->xf) ||
                rp_map_put(&m->xf_map, key, (uint32_t)m->nxf)) {
                m->oom = 1;
                return;
            }
            rp_xfree *x = &m->xf[m->nxf++];
            memset(x, 0, sizeof *x);
            x->alloc_site = b->site;
            x->free_site = free_site;
            x->alloc_thread = b->thread;
            x->free_thread = free_thread;
            v = (uint32_t)(m->nxf - 1);
        }
        rp_xfree *x = &m->xf[v];
        if (x->alloc_site == b->site && x->free_site == free_site &&
            x->alloc_thread == b->thread && x->free_thread == free_thread) {
            x->count++;
            x->bytes += b->size;
            return;
        }
    }
}
