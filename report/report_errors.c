/*
 * report_errors.c - errors the trace proves: double free, invalid free,
 * interior free, realloc of a freed or unknown pointer, dangling stack
 * pointers.
 *
 * Recent frees are remembered (with the freeing and allocating sites) in a
 * FIFO ring of at least 64 Ki entries and twice the peak live block count,
 * so memory stays O(live blocks); a double free later than that is reported
 * as an invalid free and the JSON says how many frees were forgotten. The
 * ring is searched only for frees that match no live block, within a work
 * budget (RP_RING_WORK_MAX entries; then "search_limited" is set in the JSON).
 * Looking for the block that contains an interior pointer costs O(live
 * blocks); it only happens for frees that match nothing, within a budget of
 * RP_RANGE_WORK_MAX block records examined per trace.
 *
 * Soundness: only with MS_HDR_F_WHOLE_HEAP does "never allocated" mean
 * never allocated; without it the outputs say the claims are weaker.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static const char *const kind_names[RP_ERR_KIND_MAX_] = {
    "double_free", "invalid_free", "interior_free", "realloc_of_freed", "invalid_realloc",
    "dangling_stack_pointer",
};

const char *rp_err_kind_name(uint32_t k) {
    return k < RP_ERR_KIND_MAX_ ? kind_names[k] : "unknown";
}

static uint32_t take_slot(rp_model *m, void **arr, size_t *n, size_t *cap, size_t elem,
                          uint32_t *freel, size_t *nfree) {
    if (*nfree)
        return freel[--*nfree];
    if (rp_grow(arr, cap, *n + 1, elem)) {
        m->oom = 1;
        return RP_NONE;
    }
    return (uint32_t)(*n)++;
}

static void give_slot(rp_model *m, uint32_t **freel, size_t *nfree, size_t *cap, uint32_t i) {
    if (rp_grow((void **)freel, cap, *nfree + 1, sizeof **freel)) {
        m->oom = 1;
        return;
    }
    (*freel)[(*nfree)++] = i;
}

/* The ring holds the most recent frees: at least RP_MIN_FREED and twice the
 * peak number of live blocks. Appending is the only work on the hot path;
 * it is searched (newest first) only for a free that matches no live block,
 * which a correct whole-heap trace never has. */
#define RP_MIN_FREED 65536u
/* Budgets, in entries examined over the whole trace (~0.2 s each): a trace
 * without whole-heap coverage may have a free that matches nothing for
 * every uninstrumented allocation. */
#define RP_RING_WORK_MAX 200000000ull
#define RP_RANGE_WORK_MAX 200000000ull

static int ring_grow(rp_model *m, size_t ncap) {
    rp_errors *e = &m->err;
    rp_freed *n = malloc(ncap * sizeof *n);
    if (!n)
        return -1;
    size_t tail = (e->ring_head - e->ring_count) & (e->ring_cap - 1);
    for (size_t k = 0; k < e->ring_count; k++)
        n[k] = e->freed[(tail + k) & (e->ring_cap - 1)];
    free(e->freed);
    e->freed = n;
    e->ring_cap = ncap;
    e->ring_head = e->ring_count;
    return 0;
}

void rp_err_on_free(rp_model *m, uint64_t addr, uint32_t bi, uint32_t site, uint32_t stack,
                    uint32_t thread, uint64_t time, int custom) {
    rp_errors *e = &m->err;
    if (e->ring_count == e->ring_cap) {
        size_t want = RP_MIN_FREED;
        while (want < 2 * m->tot.peak_blocks)
            want *= 2;
        if (e->ring_cap < want) {
            if (!e->ring_cap) {
                e->freed = malloc(want * sizeof *e->freed);
                if (!e->freed) {
                    m->oom = 1;
                    return;
                }
                e->ring_cap = want;
            } else if (ring_grow(m, want)) {
                m->oom = 1;
                return;
            }
        } else {
            e->ring_count--;  /* forget the oldest */
            e->evicted++;
        }
    }
    size_t slot = e->ring_head;
    e->ring_head = (e->ring_head + 1) & (e->ring_cap - 1);
    e->ring_count++;
    const rp_block *b = &m->blocks[bi];
    rp_freed *f = &e->freed[slot];
    f->addr = addr;
    f->time = time;
    f->size = b->size;
    f->site = site;
    f->stack = stack;
    f->thread = thread;
    f->alloc_site = b->site;
    f->alloc_stack = b->stack;
    /* a CUSTOM_FREE comes before the wrapper's call (memscope_abi.h): the
     * wrapper's own free() of the same block may follow */
    f->via_custom = (uint32_t)custom;
}

/* The newest remembered free of @addr, or NULL. */
static rp_freed *find_freed(rp_model *m, uint64_t addr) {
    rp_errors *e = &m->err;
    if (e->ring_scans >= RP_RING_WORK_MAX) {
        e->scans_exhausted = 1;
        return NULL;
    }
    size_t mask = e->ring_cap - 1;
    for (size_t k = 1; k <= e->ring_count; k++) {
        rp_freed *f = &e->freed[(e->ring_head - k) & mask];
        if (f->addr == addr) {
            e->ring_scans += k;
            return f;
        }
    }
    e->ring_scans += e->ring_count;
    return NULL;
}

static rp_err *record(rp_model *m, uint32_t kind) {
    rp_errors *e = &m->err;
    e->count[kind]++;
    if (e->count[kind] > RP_MAX_ERR_KEPT)
        return NULL;
    if (rp_grow((void **)&e->kept, &e->kept_cap, e->nkept + 1, sizeof *e->kept)) {
        m->oom = 1;
        return NULL;
    }
    rp_err *r = &e->kept[e->nkept++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->other_site = r->other_stack = r->alloc_site = r->alloc_stack = 0;
    r->other_thread = RP_NONE;
    return r;
}

static uint32_t containing(rp_model *m, uint64_t addr) {
    rp_errors *e = &m->err;
    if (e->range_scans >= RP_RANGE_WORK_MAX) {
        e->scans_exhausted = 1;
        return RP_NONE;
    }
    e->range_scans += m->nblocks;
    return rp_find_containing(m, addr);
}

int rp_err_unmatched_free(rp_model *m, const ms_event *ev, uint32_t thread, int is_realloc,
                          int custom) {
    rp_errors *e = &m->err;
    uint64_t addr = is_realloc ? ev->aux : ev->addr;
    rp_freed *f = find_freed(m, addr);
    if (f && f->via_custom && !custom) {
        f->via_custom = 0;
        e->absorbed_frees++;
        return 1;
    }
    if (!f && custom) {
        e->unmatched_custom_frees++;
        return 0;
    }
    uint32_t ci = f ? RP_NONE : containing(m, addr);
    uint32_t kind;
    if (f)
        kind = is_realloc ? RP_ERR_REALLOC_FREED : RP_ERR_DOUBLE_FREE;
    else if (ci != RP_NONE)
        kind = is_realloc ? RP_ERR_INVALID_REALLOC : RP_ERR_INTERIOR_FREE;
    else
        kind = is_realloc ? RP_ERR_INVALID_REALLOC : RP_ERR_INVALID_FREE;
    rp_err *r = record(m, kind);
    if (!r)
        return 0;
    r->thread = thread;
    r->time = ev->time_ns;
    r->addr = addr;
    r->site = rp_site_index(m, ev->site);
    r->stack = rp_stack_index(m, ev->stack);
    if (f) {
        r->other_site = f->site;
        r->other_stack = f->stack;
        r->other_thread = f->thread;
        r->other_time = f->time;
        r->alloc_site = f->alloc_site;
        r->alloc_stack = f->alloc_stack;
        r->block_addr = f->addr;
        r->block_size = f->size;
    } else if (ci != RP_NONE) {
        const rp_block *b = &m->blocks[ci];
        r->other_site = b->site;
        r->other_stack = b->stack;
        r->other_thread = b->thread;
        r->other_time = b->t_alloc;
        r->alloc_site = b->site;
        r->alloc_stack = b->stack;
        r->block_addr = b->addr;
        r->block_size = b->size;
    }
    return 0;
}

void rp_err_on_escape(rp_model *m, const ms_event *ev, uint32_t thread) {
    rp_errors *e = &m->err;
    if (!ev->addr)
        return;
    uint32_t i = rp_map_get(&e->esc_map, ev->addr);
    if (i == RP_NONE) {
        i = take_slot(m, (void **)&e->esc, &e->nesc, &e->esc_cap, sizeof *e->esc, e->esc_free,
                      &e->nesc_free);
        if (i == RP_NONE)
            return;
        if (rp_map_put(&e->esc_map, ev->addr, i)) {
            m->oom = 1;
            return;
        }
    }
    rp_escape *x = &e->esc[i];
    x->local = ev->addr;
    x->slot = ev->aux;
    x->time = ev->time_ns;
    x->site = rp_site_index(m, ev->site);
    x->stack = rp_stack_index(m, ev->stack);
    x->thread = thread;
}

static void check_escape(rp_model *m, uint32_t i, const ms_event *ev, uint32_t thread) {
    rp_errors *e = &m->err;
    rp_escape x = e->esc[i];
    rp_map_del(&e->esc_map, x.local);
    give_slot(m, &e->esc_free, &e->nesc_free, &e->esc_free_cap, i);
    uint32_t bi = rp_map_get(&m->live_map, x.slot);
    if (bi == RP_NONE)
        bi = containing(m, x.slot);
    int global = 0;
    if (bi == RP_NONE) {
        const ms_site *s = x.site < m->nsites ? m->sites[x.site].s : NULL;
        global = rp_addr_in_module(m, x.slot) || (s && (s->flags & (1u << 2)));
        if (!global)
            return;  /* the slot is gone (freed block, dead frame): nothing dangles */
    }
    rp_err *r = record(m, RP_ERR_DANGLING_STACK);
    if (!r)
        return;
    r->thread = thread;
    r->time = ev->time_ns;
    r->addr = x.local;
    r->site = rp_site_index(m, ev->site);
    r->stack = rp_stack_index(m, ev->stack);
    r->other_site = x.site;
    r->other_stack = x.stack;
    r->other_thread = x.thread;
    r->other_time = x.time;
    r->slot = x.slot;
    r->slot_global = global;
    if (bi != RP_NONE) {
        const rp_block *b = &m->blocks[bi];
        r->block_addr = b->addr;
        r->block_size = b->size;
        r->alloc_site = b->site;
        r->alloc_stack = b->stack;
    }
}

void rp_err_on_local_dead(rp_model *m, const ms_event *ev, uint32_t thread) {
    rp_errors *e = &m->err;
    if (!ev->addr)
        return;
    uint32_t i = rp_map_get(&e->esc_map, ev->addr);
    if (i != RP_NONE) {
        check_escape(m, i, ev, thread);
        return;
    }
    /* an escaped field of the local: scan the (few) open escapes */
    if (ev->size > 1 && e->esc_map.count <= 64) {
        for (size_t k = 0; k < e->nesc; k++) {
            const rp_escape *x = &e->esc[k];
            if (rp_map_get(&e->esc_map, x->local) != k)
                continue;
            if (x->local > ev->addr && x->local - ev->addr < ev->size) {
                check_escape(m, (uint32_t)k, ev, thread);
                return;
            }
        }
    }
}

uint64_t rp_errors_total(const rp_errors *e) {
    uint64_t total = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        total += e->count[k];
    return total;
}

void rp_errors_free(rp_errors *e) {
    rp_map_free(&e->esc_map);
    free(e->freed);
    free(e->esc);
    free(e->esc_free);
    free(e->kept);
    memset(e, 0, sizeof *e);
}
