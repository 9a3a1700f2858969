/*
 * report_totals.c - totals and the peak of live bytes, and the at-peak
 * contribution of every attribution key without snapshots.
 *
 * At-peak without copying: a maximum of live bytes becomes "the peak" only
 * when live bytes next shrink (a later growth would beat it). At that moment
 * the commit id is bumped; every key saves its live bytes into at_peak the
 * first time it changes after a commit (rp_stat_touch), because until then
 * its live bytes are exactly what they were at the committed peak. The last
 * committed peak is the global one, so at the end at_peak holds each key's
 * live bytes at the peak. O(1) per event, exact.
 */
#include "report_internal.h"

unsigned rp_log2_bucket(uint64_t v) {
    /* bucket 0: 0; bucket k: [2^(k-1), 2^k); the last bucket takes >= 2^62 */
    unsigned b = v ? (unsigned)(64 - __builtin_clzll(v)) : 0u;
    return b < RP_HIST ? b : RP_HIST - 1;
}

void rp_live_change(rp_model *m, int grows) {
    if (!grows && m->tot.pending) {
        m->tot.commit++;
        m->tot.pending = 0;
    }
}

static inline void bump_max(rp_stat *s) {
    if (s->live > s->max_live)
        s->max_live = s->live;
}

void rp_stat_add(const rp_model *m, rp_stat *s, uint64_t bytes) {
    rp_stat_touch(m, s);
    s->allocs++;
    s->bytes += bytes;
    s->live += bytes;
    s->live_blocks++;
    bump_max(s);
}

void rp_stat_sub(const rp_model *m, rp_stat *s, uint64_t bytes) {
    rp_stat_touch(m, s);
    s->frees++;
    s->live -= bytes;
    s->live_blocks--;
}

void rp_stat_resize(const rp_model *m, rp_stat *s, uint64_t old_sz, uint64_t new_sz) {
    rp_stat_touch(m, s);
    s->live = s->live - old_sz + new_sz;
    bump_max(s);
}

void rp_stat_finish(const rp_model *m, rp_stat *s) {
    if (s->mod_commit != m->tot.commit) {
        s->at_peak = s->live;
        s->mod_commit = m->tot.commit;
    }
}

void rp_totals_after(rp_model *m, uint64_t time) {
    rp_totals *t = &m->tot;
    if (t->live > t->peak) {
        t->peak = t->live;
        t->peak_blocks = t->live_blocks;
        t->peak_time = time;
        t->pending = 1;
    }
}

void rp_totals_finish(rp_model *m) {
    if (m->tot.pending) {
        m->tot.commit++;
        m->tot.pending = 0;
    }
    for (size_t i = 0; i < m->nsites; i++)
        rp_stat_finish(m, &m->sites[i].st);
    for (size_t i = 0; i < m->ntypes; i++)
        rp_stat_finish(m, &m->types[i].st);
    for (size_t i = 0; i < m->nstacks; i++)
        rp_stat_finish(m, &m->stacks[i].st);
    for (size_t i = 0; i < m->nthreads; i++)
        rp_stat_finish(m, &m->threads[i].st);
}
