/*
 * report_merge.c - merge every event chunk of the trace into one stream in
 * time order, feeding rp_model_on_event() one event at a time.
 *
 * Events are in time order inside a chunk, but a thread's chunks need not
 * be in time order in the file (the runtime's writer may flush a thread's
 * buffers out of order: seen on real traces), and may even overlap. So each
 * chunk is a stream of its own in a k-way merge: a heap of cursors keyed by
 * their next event, or, before a chunk is decoded, by its first time from
 * the index. A chunk is decoded only when the merge reaches that time, so
 * the decoded chunks in memory are those whose time ranges overlap the
 * present (about one per running thread), not one per chunk or per thread.
 *
 * Order at equal times: within one thread, the chunk that starts earlier
 * (then the one earlier in the file) goes first, keeping the thread's own
 * sequence; between threads, releases (free, realloc) go before
 * allocations, matching the producer's stamping (free before the real call,
 * allocation after), so an address is never seen live twice.
 *
 * The cursor at the top runs while it stays ahead of every other, so a
 * single-threaded trace touches the heap once per chunk.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

typedef struct {
    uint32_t th;         /* thread index */
    uint32_t order;      /* position of the chunk in the file */
    size_t chunk;        /* chunk index for the reader */
    uint64_t t_first;    /* from the index: the key until decoded */
    ms_decoded *d;       /* NULL until decoded */
    size_t pos;
} cursor;

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

static void heap_down(cursor **h, size_t n, size_t i) {
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

static void heap_up(cursor **h, size_t i) {
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

/* Prefetch the table slots event @e will touch (see rp_map_prefetch). */
static inline void prefetch_event(const rp_model *m, const ms_event *e) {
    switch (e->kind) {
    case MS_EV_FREE:
    case MS_EV_CUSTOM_FREE:
        rp_map_prefetch(&m->live_map, e->addr);
        break;
    case MS_EV_REALLOC:
        rp_map_prefetch(&m->live_map, e->aux);
        /* fall through */
    default:
        rp_map_prefetch(&m->live_map, e->addr);
        break;
    }
}

#define RP_PREFETCH_AHEAD 16

int rp_merge_events(rp_model *m) {
    size_t nc = ms_reader_chunk_count(m->reader), total = 0;
    for (size_t i = 0; i < nc; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(m->reader, i);
        total += ci && ci->type == MS_CHUNK_EVENTS;
    }
    cursor *cs = calloc(total ? total : 1, sizeof *cs);
    cursor **h = malloc((total ? total : 1) * sizeof *h);
    if (!cs || !h) {
        free(cs);
        free(h);
        return -1;
    }
    size_t hn = 0, done = 0;
    for (size_t i = 0, k = 0; i < nc && !m->oom; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(m->reader, i);
        if (!ci || ci->type != MS_CHUNK_EVENTS)
            continue;
        cursor *c = &cs[k++];
        c->th = rp_thread_index(m, ci->thread);
        c->order = (uint32_t)i;
        c->chunk = i;
        c->t_first = ci->t_first;
        h[hn] = c;
        heap_up(h, hn++);
    }
    while (hn && !m->oom) {
        cursor *c = h[0];
        h[0] = h[--hn];
        heap_down(h, hn, 0);
        if (!c->d) {
            /* its time has come: decode, and queue it by its first event */
            if (cur_load(m, c, &done, total)) {
                h[hn] = c;
                heap_up(h, hn++);
            }
            continue;
        }
        /* run c while it stays ahead of every other cursor */
        for (;;) {
            if (c->pos + 4 * RP_PREFETCH_AHEAD < c->d->count)
                __builtin_prefetch(&c->d->u.events[c->pos + 4 * RP_PREFETCH_AHEAD]);
            if (c->pos + RP_PREFETCH_AHEAD < c->d->count)
                prefetch_event(m, &c->d->u.events[c->pos + RP_PREFETCH_AHEAD]);
            rp_model_on_event(m, &c->d->u.events[c->pos], c->th);
            c->pos++;
            if (c->pos >= c->d->count) {
                ms_decoded_free(c->d);
                c->d = NULL;
                break;
            }
            if (hn && cur_less(h[0], c)) {
                h[hn] = c;
                heap_up(h, hn++);
                break;
            }
        }
    }
    if (m->opt.progress && total)
        fputc('\n', stderr);
    for (size_t i = 0; i < total; i++)
        if (cs[i].d)
            ms_decoded_free(cs[i].d);
    free(cs);
    free(h);
    return 0;
}
