/*
 * report_merge.c - merge every event chunk of the trace into one stream in
 * time order, handed to the model (report_model.c) in runs of one thread.
 *
 * Events are in time order inside a chunk, but a thread's chunks need not
 * be in time order in the file (the runtime's writer may flush a thread's
 * buffers out of order: seen on real traces), and may even overlap. So each
 * chunk is a stream of its own in a k-way merge: a heap of the decoded
 * cursors keyed by their next event, fed from the list of chunks not decoded
 * yet sorted by their first time (from the index). A chunk is decoded only
 * when the merge reaches that time, so the decoded chunks in memory, and the
 * heap, are those whose time ranges overlap the present (about one per
 * running thread), not one per chunk or per thread.
 *
 * Order at equal times: within one thread, the chunk that starts earlier
 * (then the one earlier in the file) goes first, keeping the thread's own
 * sequence; between threads, releases (free, realloc) go before
 * allocations, matching the producer's stamping (free before the real call,
 * allocation after), so an address is never seen live twice.
 *
 * rp_merge_next() hands out runs: the longest stretch of the top cursor's
 * events that precede every other cursor's next event (found by binary
 * search, a chunk being sorted by time), so the model's loop calls no
 * comparison per event, and a single-threaded trace touches the heap once
 * per chunk.
 */
#include <stdlib.h>
#include <string.h>

#include "report_merge.h"

/* Decode the cursor's chunk. @return 1 when an event is ready, 0 when the
 * chunk is damaged (counted) or empty. */
static int cur_load(rp_model *m, cursor *c, size_t *done, size_t total) {
    ms_decoded *d = NULL;
    ++*done;
    if (m->opt.progress && (*done % 64 == 0 || *done == total))
        rp_progress("analysing", *done, total);
    if (ms_reader_load(m->reader, c->chunk, &d) != MS_OK || d->type != MS_CHUNK_EVENTS) {
        m->damaged_chunks++;
        if (d)
            ms_decoded_free(d);
        return 0;
    }
    if (!d->count) {
        ms_decoded_free(d);
        return 0;
    }
    c->d = d;
    c->pos = 0;
    return 1;
}

static int cmp_pending(const void *a, const void *b) {
    const cursor *x = *(cursor *const *)a, *y = *(cursor *const *)b;
    if (x->t_first != y->t_first)
        return x->t_first < y->t_first ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

rp_merger *rp_merge_open(rp_model *m) {
    rp_merger *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->m = m;
    size_t nc = ms_reader_chunk_count(m->reader);
    for (size_t i = 0; i < nc; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(m->reader, i);
        g->total += ci && ci->type == MS_CHUNK_EVENTS;
    }
    g->cs = calloc(g->total ? g->total : 1, sizeof *g->cs);
    g->h = malloc((g->total ? g->total : 1) * sizeof *g->h);
    g->pend = malloc((g->total ? g->total : 1) * sizeof *g->pend);
    if (!g->cs || !g->h || !g->pend) {
        rp_merge_close(g);
        return NULL;
    }
    for (size_t i = 0, k = 0; i < nc; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(m->reader, i);
        if (!ci || ci->type != MS_CHUNK_EVENTS)
            continue;
        cursor *c = &g->cs[k++];
        c->th = rp_thread_index(m, ci->thread);
        c->order = (uint32_t)i;
        c->chunk = i;
        c->t_first = ci->t_first;
        g->pend[g->npend++] = c;
    }
    qsort(g->pend, g->npend, sizeof *g->pend, cmp_pending);
    return g;
}

cursor *rp_merge_slow(rp_merger *g) {
    rp_model *m = g->m;
    while (!m->oom) {
        /* decode the chunks whose time has come: a pending chunk goes before
         * any event at or after its first time */
        while (g->pi < g->npend &&
               (!g->hn || g->pend[g->pi]->t_first <= g->h[0]->d->u.events[g->h[0]->pos].time_ns)) {
            cursor *p = g->pend[g->pi++];
            if (cur_load(m, p, &g->done, g->total)) {
                g->h[g->hn] = p;
                heap_up(g->h, g->hn++);
            }
        }
        if (!g->hn)
            break;
        cursor *c = g->h[0];
        g->h[0] = g->h[--g->hn];
        heap_down(g->h, g->hn, 0);
        return c;
    }
    if (m->opt.progress && g->total && !g->progress_done) {
        fputc('\n', stderr);
        g->progress_done = 1;
    }
    return NULL;
}

void rp_merge_close(rp_merger *g) {
    if (!g)
        return;
    for (size_t i = 0; g->cs && i < g->total; i++)
        if (g->cs[i].d)
            ms_decoded_free(g->cs[i].d);
    free(g->cs);
    free(g->h);
    free(g->pend);
    free(g);
}
