/*
 * report_merge.c - the k-way merge of the threads' event chunk sequences by
 * time, feeding rp_model_on_event() one event at a time in global order.
 *
 * Each thread's chunks are in time order; a heap holds one cursor per
 * thread keyed by its next event (time, releases first, thread). The thread
 * at the top runs while it stays ahead of all others, so a single-threaded
 * trace never touches the heap. A cursor's next chunk is decoded only when
 * the merge reaches the chunk's first time (from the index).
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

typedef struct {
    uint32_t tid, th, order;
    size_t *chunks;
    size_t n, cap, next;
    ms_decoded *d;       /* the decoded current chunk, NULL while pending */
    size_t pos;
    uint64_t pending_t;  /* d == NULL: first time of chunks[next] (index) */
} cursor;

/* releases first at equal times, so an address is never seen live twice */
static inline unsigned prio(uint8_t kind) {
    return kind == MS_EV_FREE || kind == MS_EV_CUSTOM_FREE || kind == MS_EV_REALLOC ? 1 : 2;
}

/* A cursor's key is its next event or, before its chunk is decoded, the
 * chunk's first time from the index (priority 0: decode before processing
 * anything at that time). So a thread's chunk is decoded only when the merge
 * reaches its time: memory O(threads running at once), not O(threads). */
static inline int cur_less(const cursor *a, const cursor *b) {
    uint64_t ta, tb;
    unsigned pa, pb;
    if (a->d) {
        ta = a->d->u.events[a->pos].time_ns;
        pa = prio(a->d->u.events[a->pos].kind);
    } else {
        ta = a->pending_t;
        pa = 0;
    }
    if (b->d) {
        tb = b->d->u.events[b->pos].time_ns;
        pb = prio(b->d->u.events[b->pos].kind);
    } else {
        tb = b->pending_t;
        pb = 0;
    }
    if (ta != tb)
        return ta < tb;
    if (pa != pb)
        return pa < pb;
    return a->order < b->order;
}

/* Drop the current chunk and make the next one pending. @return 0 when the
 * cursor has no chunk left. */
static int cur_next(rp_model *m, cursor *c) {
    if (c->d) {
        ms_decoded_free(c->d);
        c->d = NULL;
    }
    if (c->next >= c->n)
        return 0;
    const ms_chunk_info *ci = ms_reader_chunk(m->reader, c->chunks[c->next]);
    c->pending_t = ci ? ci->t_first : 0;
    return 1;
}

/* Decode the pending chunk. @return 1 when an event is ready, 0 when the
 * chunk is damaged or empty (then call cur_next). */
static int cur_load(rp_model *m, cursor *c, size_t *done, size_t total) {
    size_t ci = c->chunks[c->next++];
    ms_decoded *d = NULL;
    ++*done;
    if (m->opt.progress && (*done % 64 == 0 || *done == total))
        rp_progress("analysing", *done, total);
    if (ms_reader_load(m->reader, ci, &d) != MS_OK || d->type != MS_CHUNK_EVENTS) {
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
    cursor *cs = NULL;
    size_t ncs = 0, cscap = 0;
    rp_map by_tid = {0};
    int rc = 0;
    for (size_t i = 0; i < nc; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(m->reader, i);
        if (!ci || ci->type != MS_CHUNK_EVENTS)
            continue;
        total++;
        uint32_t k = rp_map_get(&by_tid, (uint64_t)ci->thread + 1);
        if (k == RP_NONE) {
            if (rp_grow((void **)&cs, &cscap, ncs + 1, sizeof *cs) ||
                rp_map_put(&by_tid, (uint64_t)ci->thread + 1, (uint32_t)ncs)) {
                rc = -1;
                goto out;
            }
            memset(&cs[ncs], 0, sizeof cs[0]);
            cs[ncs].tid = ci->thread;
            cs[ncs].order = (uint32_t)ncs;
            cs[ncs].th = rp_thread_index(m, ci->thread);
            k = (uint32_t)ncs++;
        }
        cursor *c = &cs[k];
        if (rp_grow((void **)&c->chunks, &c->cap, c->n + 1, sizeof *c->chunks)) {
            rc = -1;
            goto out;
        }
        c->chunks[c->n++] = i;
    }
    cursor **h = malloc((ncs ? ncs : 1) * sizeof *h);
    if (!h) {
        rc = -1;
        goto out;
    }
    size_t hn = 0, done = 0;
    for (size_t i = 0; i < ncs; i++)
        if (cur_next(m, &cs[i])) {
            h[hn] = &cs[i];
            heap_up(h, hn++);
        }
    while (hn && !m->oom) {
        cursor *c = h[0];
        h[0] = h[--hn];
        heap_down(h, hn, 0);
        if (!c->d) {
            /* its time has come: decode, and queue it by its first event */
            if (cur_load(m, c, &done, total) || cur_next(m, c)) {
                h[hn] = c;
                heap_up(h, hn++);
            }
            continue;
        }
        /* run c while it stays ahead of every other thread */
        for (;;) {
            if (c->pos + 4 * RP_PREFETCH_AHEAD < c->d->count)
                __builtin_prefetch(&c->d->u.events[c->pos + 4 * RP_PREFETCH_AHEAD]);
            if (c->pos + RP_PREFETCH_AHEAD < c->d->count)
                prefetch_event(m, &c->d->u.events[c->pos + RP_PREFETCH_AHEAD]);
            rp_model_on_event(m, &c->d->u.events[c->pos], c->th);
            c->pos++;
            if (c->pos >= c->d->count) {
                if (cur_next(m, c)) {
                    h[hn] = c;
                    heap_up(h, hn++);
                }
                break;
            }
            if (hn && cur_less(h[0], c)) {
                h[hn] = c;
                heap_up(h, hn++);
                break;
            }
        }
    }
    free(h);
    if (m->opt.progress && total)
        fputc('\n', stderr);
out:
    for (size_t i = 0; i < ncs; i++) {
        if (cs[i].d)
            ms_decoded_free(cs[i].d);
        free(cs[i].chunks);
    }
    free(cs);
    rp_map_free(&by_tid);
    return rc;
}

