/*
 * report_sources.c - allocation sources: sites, stacks and types ranked by
 * count, bytes, peak contribution or bytes still live. The counters
 * themselves are accumulated by the model (rp_stat per key).
 */
#include <stdlib.h>

#include "report_internal.h"

static uint64_t key_of(const rp_stat *s, rp_order by) {
    switch (by) {
    case RP_BY_COUNT: return s->allocs + s->reallocs;
    case RP_BY_BYTES: return s->bytes;
    case RP_BY_PEAK: return s->at_peak;
    case RP_BY_LIVE: return s->live;
    }
    return 0;
}

typedef struct {
    uint64_t key;
    uint32_t idx;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint32_t *rank(const void *base, size_t n, size_t stride, size_t stat_off, rp_order by,
                      size_t *out_n) {
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t k = 0;
    if (!r || !idx) {
        free(r);
        free(idx);
        *out_n = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const rp_stat *s = (const rp_stat *)((const char *)base + i * stride + stat_off);
        uint64_t key = key_of(s, by);
        if (key)
            r[k++] = (ranked){key, (uint32_t)i};
    }
    qsort(r, k, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < k; i++)
        idx[i] = r[i].idx;
    free(r);
    *out_n = k;
    return idx;
}

uint32_t *rp_top_sites(const rp_model *m, rp_order by, size_t *n) {
    return rank(m->sites, m->nsites, sizeof *m->sites, offsetof(rp_site, st), by, n);
}

uint32_t *rp_top_stacks(const rp_model *m, rp_order by, size_t *n) {
    return rank(m->stacks, m->nstacks, sizeof *m->stacks, offsetof(rp_stackrec, st), by, n);
}

uint32_t *rp_top_types(const rp_model *m, rp_order by, size_t *n) {
    return rank(m->types, m->ntypes, sizeof *m->types, offsetof(rp_type, st), by, n);
}
