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

void rp_stat_finish(const rp_model *m, rp_stat *s) {
    if (s->mod_commit != m->tot.commit) {
        s->at_peak = s->live;
        s->mod_commit = m->tot.commit;
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
