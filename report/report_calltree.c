/*
 * report_calltree.c - call-tree aggregation of the allocation stacks, top
 * down (from the outermost frame, like a flame graph) or bottom up (from the
 * allocating function). Nodes are keyed by function name after
 * symbolization; every node holds inclusive counts.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static uint32_t child(rp_ctree *t, uint32_t parent, const char *name) {
    uint32_t last = RP_NONE;
    for (uint32_t c = t->n[parent].first_child; c != RP_NONE; c = t->n[c].next_sibling) {
        if (!strcmp(t->n[c].name, name))
            return c;
        last = c;
    }
    if (rp_grow((void **)&t->n, &t->cap, t->count + 1, sizeof *t->n))
        return RP_NONE;
    uint32_t k = (uint32_t)t->count++;
    t->n[k] = (rp_cnode){name, 0, 0, 0, RP_NONE, RP_NONE};
    if (last == RP_NONE)
        t->n[parent].first_child = k;
    else
        t->n[last].next_sibling = k;
    return k;
}

int rp_calltree_build(rp_model *m, rp_symbolizer *sym, int bottom_up, rp_ctree *t) {
    memset(t, 0, sizeof *t);
    if (rp_grow((void **)&t->n, &t->cap, 1, sizeof *t->n))
        return -1;
    t->n[0] = (rp_cnode){"<root>", 0, 0, 0, RP_NONE, RP_NONE};
    t->count = 1;
    for (size_t si = 0; si < m->nstacks; si++) {
        const rp_stat *st = &m->stacks[si].st;
        if (!st->allocs && !st->reallocs)
            continue;
        size_t nf = 0;
        const rp_frame *f = rp_sym_stack(sym, m, (uint32_t)si, &nf);
        uint32_t node = 0;
        t->n[0].allocs += st->allocs;
        t->n[0].bytes += st->bytes;
        t->n[0].peak += st->at_peak;
        for (size_t k = 0; k < nf; k++) {
            const rp_frame *fr = &f[bottom_up ? k : nf - 1 - k];
            node = child(t, node, fr->function ? fr->function : "??");
            if (node == RP_NONE)
                return -1;
            t->n[node].allocs += st->allocs;
            t->n[node].bytes += st->bytes;
            t->n[node].peak += st->at_peak;
        }
    }
    return 0;
}

void rp_calltree_free(rp_ctree *t) {
    free(t->n);
    memset(t, 0, sizeof *t);
}
