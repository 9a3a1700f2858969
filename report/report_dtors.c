/*
 * report_dtors.c - destructor-style calls recorded by the pass (DTOR_BEGIN /
 * DTOR_END pairs, per thread): count, total and maximum time, frees done
 * inside (inclusive: a free inside nested calls counts for every open call),
 * nesting depth.
 *
 * setjmp/longjmp can skip an END: an END pops every open call above its own
 * BEGIN (counted as "unclosed"); an END with no matching BEGIN is counted
 * and otherwise ignored.
 */
#include <string.h>

#include "report_internal.h"

static rp_dtorstat *stat_for(rp_model *m, uint32_t site) {
    rp_dtors *d = &m->dt;
    uint32_t v = rp_map_get(&d->by_site, (uint64_t)site + 1);
    if (v == RP_NONE) {
        if (rp_grow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v) ||
            rp_map_put(&d->by_site, (uint64_t)site + 1, (uint32_t)d->n)) {
            m->oom = 1;
            return NULL;
        }
        memset(&d->v[d->n], 0, sizeof d->v[0]);
        d->v[d->n].site = site;
        v = (uint32_t)d->n++;
    }
    return &d->v[v];
}

/* memscope's own annotation API (memscope_free, ...) is never a
 * destructor, even when a name pattern such as *_free matched it */
static int ours(const rp_model *m, uint32_t site) {
    const ms_site *s = site < m->nsites ? m->sites[site].s : NULL;
    return s && s->callee && !strncmp(s->callee, "memscope_", 9);
}

void rp_dtor_begin(rp_model *m, uint32_t thread, const ms_event *ev) {
    uint32_t site = rp_site_index(m, ev->site);
    if (ours(m, site))
        return;
    rp_thread *t = &m->threads[thread];
    if (rp_grow((void **)&t->dstack, &t->dcap, t->dn + 1, sizeof *t->dstack)) {
        m->oom = 1;
        return;
    }
    rp_dtor_frame *f = &t->dstack[t->dn++];
    f->obj = ev->addr;
    f->begin_ns = ev->time_ns;
    f->site = site;
    f->frees = 0;
    f->freed_bytes = 0;
    if (t->dn > t->max_dtor_depth)
        t->max_dtor_depth = (uint32_t)t->dn;
    if (t->dn > m->dt.max_depth)
        m->dt.max_depth = (uint32_t)t->dn;
}

void rp_dtor_end(rp_model *m, uint32_t thread, const ms_event *ev) {
    uint32_t site = rp_site_index(m, ev->site);
    if (ours(m, site))
        return;
    rp_thread *t = &m->threads[thread];
    size_t k = t->dn;
    while (k > 0 && !(t->dstack[k - 1].site == site && t->dstack[k - 1].obj == ev->addr))
        k--;
    if (!k) {
        m->dt.unmatched_ends++;
        return;
    }
    m->dt.unclosed += t->dn - k;
    rp_dtor_frame f = t->dstack[k - 1];
    t->dn = k - 1;
    uint64_t dur = ev->aux ? ev->aux : (ev->time_ns >= f.begin_ns ? ev->time_ns - f.begin_ns : 0);
    rp_dtorstat *s = stat_for(m, site);
    if (!s)
        return;
    s->calls++;
    s->total_ns += dur;
    if (dur > s->max_ns)
        s->max_ns = dur;
    s->frees += f.frees;
    s->freed_bytes += f.freed_bytes;
    if (k > s->max_depth)
        s->max_depth = (uint32_t)k;
}

void rp_dtor_on_free(rp_model *m, uint32_t thread, uint64_t bytes) {
    rp_thread *t = &m->threads[thread];
    for (size_t i = 0; i < t->dn; i++) {
        t->dstack[i].frees++;
        t->dstack[i].freed_bytes += bytes;
    }
}

void rp_dtors_finish(rp_model *m) {
    for (size_t i = 0; i < m->nthreads; i++) {
        m->dt.unclosed += m->threads[i].dn;
        m->threads[i].dn = 0;
    }
}
