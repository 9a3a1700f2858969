/*
 * report_merge.h - the time merge's fast path, inlined into the model's
 * event loop (report_model.c): with threads interleaved event by event a
 * run is often one event long, and a function call per event shows.
 * The design is described in report_merge.c.
 */
#ifndef REPORT_MERGE_H
#define REPORT_MERGE_H

#include "report_internal.h"

typedef struct {
    uint32_t th;         /* thread index */
    uint32_t order;      /* position of the chunk in the file */
    size_t chunk;        /* chunk index for the reader */
    uint64_t t_first;    /* from the index: the key until decoded */
    ms_decoded *d;       /* NULL until decoded */
    size_t pos;
} cursor;

struct rp_merger {
    rp_model *m;
    cursor *cs;
    cursor **h;        /* heap of decoded cursors (about one per thread) */
    size_t total, hn, done;
    cursor **pend;     /* chunks not decoded yet, by (first time, file order) */
    size_t npend, pi;
    int progress_done;
    cursor *cur;       /* cursor of the run handed out last */
    size_t cur_n;      /* its length */
};

static inline unsigned prio(uint8_t kind) {
    return kind == MS_EV_FREE || kind == MS_EV_CUSTOM_FREE || kind == MS_EV_REALLOC ? 1 : 2;
}

static inline int cur_less(const cursor *a, const cursor *b) {
    /* a pending chunk sorts before any event at its first time (priority 0):
     * it is decoded before anything at that time is processed */
    uint64_t ta = a->d ? a->d->u.events[a->pos].time_ns : a->t_first;
    uint64_t tb = b->d ? b->d->u.events[b->pos].time_ns : b->t_first;
    if (ta != tb)
        return ta < tb;
    unsigned pa = a->d ? prio(a->d->u.events[a->pos].kind) : 0;
    unsigned pb = b->d ? prio(b->d->u.events[b->pos].kind) : 0;
    if (a->th == b->th && pa && pb) {
        /* one thread's own sequence: the earlier chunk first */
        if (a->t_first != b->t_first)
            return a->t_first < b->t_first;
        return a->order < b->order;
    }
    if (pa != pb)
        return pa < pb;
    return a->order < b->order;
}

static inline void heap_down(cursor **h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < n && cur_less(h[l], h[s]))
            s = l;
        if (r < n && cur_less(h[r], h[s]))
            s = r;
        if (s == i)
            return;
        cursor *t = h[i];
        h[i] = h[s];
        h[s] = t;
        i = s;
    }
}

static inline void heap_up(cursor **h, size_t i) {
    while (i) {
        size_t p = (i - 1) / 2;
        if (!cur_less(h[i], h[p]))
            return;
        cursor *t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

/* Length of the run of @c that precedes every event of @top: the events
 * before @top's time (binary search: a chunk is sorted by time), then those
 * at that time that still sort first. At least 1 (c was the minimum). */
static inline size_t run_length(const cursor *c, const cursor *top) {
    const ms_event *ev = c->d->u.events;
    size_t lo = c->pos, hi = c->d->count;
    uint64_t tb = top->d ? top->d->u.events[top->pos].time_ns : top->t_first;
    /* threads interleaved event by event: most runs are short */
    if (lo + 1 < hi && ev[lo + 1].time_ns >= tb)
        hi = lo + 1 + (ev[lo].time_ns < tb);
    while (lo < hi) {  /* first event at or after tb */
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].time_ns < tb)
            lo = mid + 1;
        else
            hi = mid;
    }
    cursor probe = *c;
    for (probe.pos = lo; probe.pos < c->d->count && ev[probe.pos].time_ns == tb &&
                         cur_less(&probe, top);
         probe.pos++)
        ;
    size_t n = probe.pos - c->pos;
    return n ? n : 1;
}

/* Events of @c before time @t (a pending chunk starting at @t goes first). */
static inline size_t before_time(const cursor *c, uint64_t t) {
    const ms_event *ev = c->d->u.events;
    size_t lo = c->pos, hi = c->d->count;
    if (lo + 1 < hi && ev[lo + 1].time_ns >= t)
        hi = lo + 1 + (ev[lo].time_ns < t);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].time_ns < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - c->pos;
}

/*! rp_merge_slow() : decode the chunks whose time has come and take the
 *  first cursor out of the heap. @return it, or NULL when all is done. */
cursor *rp_merge_slow(rp_merger *g);

/*! rp_merge_next() : the next run of events of one thread (index *th):
 *  [*ev, *ev + *n), to be applied in order before calling again. *avail
 *  (>= *n) events are readable from *ev: the rest of the chunk, for
 *  prefetching. @return 1, or 0 when every event was handed out. */
static inline int rp_merge_next(rp_merger *g, const ms_event **ev, size_t *n, size_t *avail,
                                uint32_t *th) {
    cursor *next = NULL;  /* the cursor to run, already out of the heap */
    if (g->cur) {  /* the previous run was consumed */
        cursor *c = g->cur;
        g->cur = NULL;
        c->pos += g->cur_n;
        if (c->pos >= c->d->count) {
            ms_decoded_free(c->d);
            c->d = NULL;
        } else if (!g->hn || !cur_less(g->h[0], c)) {
            next = c;  /* still first: no heap work */
        } else {
            /* swap with the top: one sift-down instead of a push and a pop */
            next = g->h[0];
            g->h[0] = c;
            heap_down(g->h, g->hn, 0);
        }
    }
    /* a chunk starting before next's event must be decoded first */
    if (next && g->pi < g->npend &&
        g->pend[g->pi]->t_first <= next->d->u.events[next->pos].time_ns) {
        g->h[g->hn] = next;
        heap_up(g->h, g->hn++);
        next = NULL;
    }
    if (!next && !(next = rp_merge_slow(g)))
        return 0;
    size_t len = g->hn ? run_length(next, g->h[0]) : next->d->count - next->pos;
    /* the run also ends before the next chunk still to decode; checked on
     * its last event first, so the search is rare */
    if (g->pi < g->npend &&
        next->d->u.events[next->pos + len - 1].time_ns >= g->pend[g->pi]->t_first) {
        size_t b = before_time(next, g->pend[g->pi]->t_first);
        if (b < len)
            len = b ? b : 1;
    }
    g->cur = next;
    g->cur_n = len;
    *ev = next->d->u.events + next->pos;
    *n = len;
    *avail = next->d->count - next->pos;
    *th = next->th;
    return 1;
}

#endif /* REPORT_MERGE_H */
