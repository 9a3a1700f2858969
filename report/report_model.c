/*
 * report_model.c - load a trace into the model: metadata tables, then every
 * thread's event chunks merged by time (report_merge.c), keeping only the
 * live blocks. Each event is dispatched to the analyses
 * (report_<analysis>.c), which accumulate summaries as blocks die, so memory
 * stays O(live blocks + sites + stacks).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"
#include "report_merge.h"
#include "report_prefetch.h"

/* ------------------------------------------------------------------------
 * Metadata tables
 * ---------------------------------------------------------------------- */
static uint32_t add_site(rp_model *m, uint64_t id, const ms_site *s) {
    if (rp_grow((void **)&m->sites, &m->sites_cap, m->nsites + 1, sizeof *m->sites) ||
        (id && rp_map_put(&m->site_map, id, (uint32_t)m->nsites))) {
        m->oom = 1;
        return 0;
    }
    rp_site *x = &m->sites[m->nsites];
    memset(x, 0, sizeof *x);
    x->s = s;
    x->id = id;
    x->type = s ? rp_type_index(m, s->type_name) : 0;
    return (uint32_t)m->nsites++;
}

/* A program has few sites and each event names one: a small direct-mapped
 * cache in front of the map (an index never changes once given). */
static inline size_t site_slot(uint64_t site_id) {
    return (size_t)((site_id >> 3) ^ (site_id >> 7) ^ (site_id >> 11)) & 15;
}

uint32_t rp_site_index(rp_model *m, uint64_t site_id) {
    if (!site_id)
        return 0;
    size_t c = site_slot(site_id);
    if (m->site_cache[c].id == site_id)
        return m->site_cache[c].idx;
    uint32_t v = rp_map_get(&m->site_map, site_id);
    if (v == RP_NONE) {
        v = add_site(m, site_id, NULL);
        if (m->oom)
            return v;
    }
    m->site_cache[c].id = site_id;
    m->site_cache[c].idx = v;
    return v;
}

/* rp_site_index() with its cache hit inlined (the model's per-event path). */
static inline uint32_t site_index(rp_model *m, uint64_t site_id) {
    size_t c = site_slot(site_id);
    if (site_id && m->site_cache[c].id == site_id)
        return m->site_cache[c].idx;
    return rp_site_index(m, site_id);
}

/* An id goes to the flat table when the table would stay within a few times
 * the number of stacks (dense ids); any other id to the map. */
#define RP_DENSE_MIN 65536u

static int dense_ok(const rp_model *m, uint32_t id) {
    return (uint64_t)id < RP_DENSE_MIN || (uint64_t)id < 4 * (uint64_t)m->nstacks;
}

static int bind_stack(rp_model *m, uint32_t id, uint32_t idx) {
    if (!dense_ok(m, id))
        return rp_map_put(&m->stack_map, id, idx);
    if (id >= m->stack_dense_cap) {
        size_t ncap = m->stack_dense_cap ? m->stack_dense_cap : RP_DENSE_MIN;
        while (ncap <= id)
            ncap *= 2;
        uint32_t *n = realloc(m->stack_dense, ncap * sizeof *n);
        if (!n)
            return -1;
        memset(n + m->stack_dense_cap, 0, (ncap - m->stack_dense_cap) * sizeof *n);
        m->stack_dense = n;
        m->stack_dense_cap = ncap;
    }
    m->stack_dense[id] = idx + 1;
    return 0;
}

/* Index of stack @id, RP_NONE when unknown. */
static inline uint32_t find_stack(const rp_model *m, uint32_t id) {
    if (id < m->stack_dense_cap && m->stack_dense[id])
        return m->stack_dense[id] - 1;
    return m->stack_map.count ? rp_map_get(&m->stack_map, id) : RP_NONE;
}

static uint32_t add_stack(rp_model *m, uint32_t id, const ms_stack *s) {
    if (rp_grow((void **)&m->stacks, &m->stacks_cap, m->nstacks + 1, sizeof *m->stacks) ||
        (id && bind_stack(m, id, (uint32_t)m->nstacks))) {
        m->oom = 1;
        return 0;
    }
    rp_stackrec *x = &m->stacks[m->nstacks];
    memset(x, 0, sizeof *x);
    x->s = s;
    x->id = id;
    return (uint32_t)m->nstacks++;
}

uint32_t rp_stack_index(rp_model *m, uint32_t stack_id) {
    if (!stack_id)
        return 0;
    uint32_t v = find_stack(m, stack_id);
    return v != RP_NONE ? v : add_stack(m, stack_id, NULL);
}

static uint32_t add_thread(rp_model *m, uint32_t tid) {
    if (rp_grow((void **)&m->threads, &m->threads_cap, m->nthreads + 1, sizeof *m->threads) ||
        rp_map_put(&m->thread_map, (uint64_t)tid + 1, (uint32_t)m->nthreads)) {
        m->oom = 1;
        return 0;
    }
    rp_thread *t = &m->threads[m->nthreads];
    memset(t, 0, sizeof *t);
    t->tid = tid;
    t->name = "";
    t->last_alloc = RP_NONE;
    return (uint32_t)m->nthreads++;
}

uint32_t rp_thread_index(rp_model *m, uint32_t tid) {
    uint32_t v = rp_map_get(&m->thread_map, (uint64_t)tid + 1);
    return v != RP_NONE ? v : add_thread(m, tid);
}

const char *rp_string(const rp_model *m, uint32_t idx1) {
    if (!idx1 || idx1 > m->nstrings)
        return NULL;
    return m->strings[idx1 - 1]->str;
}

static uint32_t string_idx1(const rp_model *m, uint64_t id) {
    uint32_t v = rp_map_get(&m->string_map, id + 1);
    return v == RP_NONE ? 0 : v + 1;
}

const char *rp_site_file(const rp_model *m, uint32_t si) {
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    return s && s->file && *s->file ? s->file : NULL;
}
const char *rp_site_func(const rp_model *m, uint32_t si) {
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    return s && s->function && *s->function ? s->function : NULL;
}
const char *rp_site_type(const rp_model *m, uint32_t si) {
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    return s && s->type_name && *s->type_name ? s->type_name : "?";
}
const char *rp_site_var(const rp_model *m, uint32_t si) {
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    return s && s->var_name && *s->var_name ? s->var_name : "?";
}
uint32_t rp_site_line(const rp_model *m, uint32_t si) {
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    return s ? s->line : 0;
}

#define PUSH(arr, n, cap, v)                                                  \
    do {                                                                      \
        if (rp_grow((void **)&(arr), &(cap), (n) + 1, sizeof *(arr))) {        \
            m->oom = 1;                                                       \
        } else {                                                              \
            (arr)[(n)++] = (v);                                               \
        }                                                                     \
    } while (0)

static void take_meta(rp_model *m, ms_decoded *d) {
    PUSH(m->meta, m->nmeta, m->meta_cap, d);
    for (size_t i = 0; i < d->count; i++) {
        switch (d->type) {
        case MS_CHUNK_SITES: {
            const ms_site *s = &d->u.sites[i];
            uint32_t v = s->id ? rp_map_get(&m->site_map, s->id) : RP_NONE;
            if (v == RP_NONE) {
                if (s->id)
                    add_site(m, s->id, s);
            } else if (!m->sites[v].s) {
                m->sites[v].s = s;
                m->sites[v].type = rp_type_index(m, s->type_name);
            }
            break;
        }
        case MS_CHUNK_STACKS: {
            const ms_stack *s = &d->u.stacks[i];
            uint32_t v = s->id ? find_stack(m, s->id) : RP_NONE;
            if (v == RP_NONE) {
                if (s->id)
                    add_stack(m, s->id, s);
            } else if (!m->stacks[v].s) {
                m->stacks[v].s = s;
            }
            break;
        }
        case MS_CHUNK_MODULES: {
            const ms_module *x = &d->u.modules[i];
            PUSH(m->modules, m->nmodules, m->modules_cap, x);
            break;
        }
        case MS_CHUNK_THREADS: {
            const ms_thread *t = &d->u.threads[i];
            uint32_t ti = rp_thread_index(m, t->tid);
            if (m->oom)
                break;
            rp_thread *x = &m->threads[ti];
            x->parent_tid = t->parent_tid;
            if (t->start_ns)
                x->start_ns = t->start_ns;
            if (t->end_ns)
                x->end_ns = t->end_ns;
            if (t->name && *t->name)
                x->name = t->name;
            break;
        }
        case MS_CHUNK_STRINGS: {
            const ms_string *s = &d->u.strings[i];
            if (rp_map_put(&m->string_map, s->id + 1, (uint32_t)m->nstrings)) {
                m->oom = 1;
                break;
            }
            PUSH(m->strings, m->nstrings, m->strings_cap, s);
            break;
        }
        case MS_CHUNK_SUMMARY: {
            const ms_kv *kv = &d->u.kvs[i];
            PUSH(m->summary, m->nsummary, m->summary_cap, kv);
            break;
        }
        case MS_CHUNK_LEAKS: {
            const ms_leak *l = &d->u.leaks[i];
            PUSH(m->leakrecs, m->nleakrecs, m->leakrecs_cap, l);
            break;
        }
        default:
            break;
        }
    }
    if (d->type == MS_CHUNK_LEAKS)
        m->lk.scan = 1;
}

/* ------------------------------------------------------------------------
 * Blocks
 * ---------------------------------------------------------------------- */
uint32_t rp_find_containing(const rp_model *m, uint64_t addr) {
    for (size_t i = 0; i < m->nblocks; i++) {
        const rp_block *b = &m->blocks[i];
        if (b->live && addr > b->addr && addr - b->addr < b->size)
            return (uint32_t)i;
    }
    return RP_NONE;
}

int rp_addr_in_module(const rp_model *m, uint64_t addr) {
    for (size_t i = 0; i < m->nmodules; i++) {
        const ms_module *x = m->modules[i];
        if (x->loaded && x->size && addr >= x->base && addr - x->base < x->size)
            return 1;
    }
    return 0;
}

_Static_assert(sizeof(rp_block) == 64, "a block record is one cache line");

/* The records are 64-byte aligned so each is exactly one cache line: a free
 * touches a random, long-untouched record, one memory latency instead of two. */
static int grow_blocks(rp_model *m) {
    size_t ncap = m->blocks_cap ? m->blocks_cap * 2 : 1024;
    rp_block *n = aligned_alloc(64, ncap * sizeof *n);
    if (!n)
        return -1;
    if (m->nblocks)
        memcpy(n, m->blocks, m->nblocks * sizeof *n);
    free(m->blocks);
    m->blocks = n;
    m->blocks_cap = ncap;
    return 0;
}

/* Records are reused last-freed first; in a burst of allocations the record
 * a few allocations ahead is the one RP_REUSE_AHEAD places down the free
 * list: start loading it (it was freed long ago and is out of the caches). */
#define RP_REUSE_AHEAD 8

static uint32_t new_block(rp_model *m) {
    if (m->nblock_free) {
        if (m->nblock_free > RP_REUSE_AHEAD)
            __builtin_prefetch(&m->blocks[m->block_free[m->nblock_free - 1 - RP_REUSE_AHEAD]], 1);
        return m->block_free[--m->nblock_free];
    }
    if (m->nblocks == m->blocks_cap && grow_blocks(m)) {
        m->oom = 1;
        return RP_NONE;
    }
    memset(&m->blocks[m->nblocks], 0, sizeof m->blocks[0]);
    return (uint32_t)m->nblocks++;
}

static void release_block(rp_model *m, uint32_t bi) {
    rp_block *b = &m->blocks[bi];
    rp_map_del(b->custom == 1 ? &m->custom_map : &m->live_map, b->addr);
    b->live = 0;
    b->gen++;
    if (rp_grow((void **)&m->block_free, &m->block_free_cap, m->nblock_free + 1,
                sizeof *m->block_free)) {
        m->oom = 1;
        return;
    }
    m->block_free[m->nblock_free++] = bi;
}

/* Add or remove a block's bytes from every attribution key. */
static void attribute(rp_model *m, const rp_block *b, int add) {
    rp_site *s = &m->sites[b->site];
    rp_stat *st[4] = {&s->st, &m->types[s->type].st, &m->stacks[b->stack].st,
                      &m->threads[b->thread].st};
    for (int i = 0; i < 4; i++) {
        if (add)
            rp_stat_add(m, st[i], b->size);
        else
            rp_stat_sub(m, st[i], b->size);
    }
}

static void do_free(rp_model *m, uint32_t bi, const ms_event *ev, uint32_t th, int custom) {
    rp_block *b = &m->blocks[bi];
    rp_live_change(m, 0);
    attribute(m, b, 0);
    m->tot.live -= b->size;
    m->tot.live_blocks--;
    if (custom)
        m->tot.custom_frees++;
    else
        m->tot.frees++;
    uint32_t fsite = site_index(m, ev->site);
    rp_life_on_free(m, bi, th, ev->time_ns);
    rp_threads_on_free(m, bi, th, fsite);
    rp_dtor_on_free(m, th, b->size);
    rp_err_on_free(m, b->addr, bi, fsite, rp_stack_index(m, ev->stack), th, ev->time_ns, custom);
    if (b->chain)
        rp_chain_end(m, bi);
    release_block(m, bi);
}

static void do_alloc(rp_model *m, const ms_event *ev, uint32_t th, int custom) {
    /* blocks of their own from user allocators (pool slots) live in a map of
     * their own: a slot may start at its arena's address */
    rp_map *map = custom ? &m->custom_map : &m->live_map;
    int found;
    rp_map_entry *slot = rp_map_slot(map, ev->addr, &found);
    if (!slot) {
        m->oom = 1;
        return;
    }
    if (found) {
        /* the producer never shows an address live twice: a free was missed */
        m->tot.alloc_over_live++;
        ms_event f = *ev;
        f.kind = MS_EV_FREE;
        f.site = 0;
        f.stack = 0;
        do_free(m, slot->val, &f, th, custom);   /* removes the key */
        slot = rp_map_slot(map, ev->addr, &found);
        if (!slot) {
            m->oom = 1;
            return;
        }
    }
    uint32_t bi = new_block(m);
    if (bi == RP_NONE) {
        rp_map_del(map, ev->addr);
        return;
    }
    slot->val = bi;   /* (new_block does not touch the maps) */
    rp_block *b = &m->blocks[bi];
    uint32_t gen = b->gen;
    memset(b, 0, sizeof *b);
    b->gen = gen;
    b->addr = ev->addr;
    b->size = ev->size;
    b->t_alloc = ev->time_ns;
    b->site = site_index(m, ev->site);
    b->stack = rp_stack_index(m, ev->stack);
    b->thread = th;
    b->custom = (uint8_t)custom;
    b->live = 1;
    rp_live_change(m, 1);
    attribute(m, b, 1);
    m->tot.live += b->size;
    m->tot.live_blocks++;
    if (custom)
        m->tot.custom_allocs++;
    else
        m->tot.allocs++;
    if (!ev->size)
        m->tot.zero_size_allocs++;
    if (!ev->site || (ev->flags & MS_EVF_NO_SITE))
        m->tot.no_site_allocs++;
    m->tot.bytes_requested += ev->size;
    rp_site *s = &m->sites[b->site];
    unsigned hb = rp_log2_bucket(ev->size);
    s->size_hist[hb]++;
    m->types[s->type].size_hist[hb]++;
    rp_totals_after(m, ev->time_ns);
    rp_life_on_alloc(m, bi);
}

/* CUSTOM_ALLOC at a live address: the block now belongs to the wrapper's site. */
static void reattribute(rp_model *m, uint32_t bi, const ms_event *ev) {
    rp_block *b = &m->blocks[bi];
    rp_site *os = &m->sites[b->site];
    unsigned hb = rp_log2_bucket(b->size);
    attribute(m, b, 0);
    /* the block was not freed: undo the counts stat_sub made */
    rp_stat *st[4] = {&os->st, &m->types[os->type].st, &m->stacks[b->stack].st,
                      &m->threads[b->thread].st};
    for (int i = 0; i < 4; i++) {
        st[i]->frees--;
        st[i]->allocs--;
        st[i]->bytes -= b->size;
    }
    os->size_hist[hb]--;
    m->types[os->type].size_hist[hb]--;
    b->site = site_index(m, ev->site);
    if (ev->stack)
        b->stack = rp_stack_index(m, ev->stack);
    if (ev->size && ev->size != b->size) {
        m->tot.live = m->tot.live - b->size + ev->size;
        b->size = ev->size;
    }
    b->custom = 2;  /* a real block re-attributed by a wrapper */
    attribute(m, b, 1);
    rp_site *ns = &m->sites[b->site];
    hb = rp_log2_bucket(b->size);
    ns->size_hist[hb]++;
    m->types[ns->type].size_hist[hb]++;
    m->tot.custom_allocs++;
    rp_totals_after(m, ev->time_ns);
}

static void do_realloc(rp_model *m, uint32_t bi, const ms_event *ev, uint32_t th) {
    rp_block *b = &m->blocks[bi];
    uint64_t old_sz = b->size, new_sz = ev->size, old_addr = b->addr;
    uint32_t rsite = site_index(m, ev->site);
    rp_live_change(m, new_sz >= old_sz);
    rp_site *s = &m->sites[b->site];
    rp_stat *st[4] = {&s->st, &m->types[s->type].st, &m->stacks[b->stack].st,
                      &m->threads[b->thread].st};
    for (int i = 0; i < 4; i++)
        rp_stat_resize(m, st[i], old_sz, new_sz);
    m->tot.live = m->tot.live - old_sz + new_sz;
    m->tot.reallocs++;
    m->tot.bytes_requested += new_sz;
    m->sites[rsite].st.reallocs++;
    m->sites[rsite].st.bytes += new_sz;
    if (ev->addr != old_addr) {
        rp_map_del(&m->live_map, old_addr);
        uint32_t other = rp_map_get(&m->live_map, ev->addr);
        if (other != RP_NONE) {
            m->tot.alloc_over_live++;
            ms_event f = *ev;
            f.kind = MS_EV_FREE;
            f.site = 0;
            f.stack = 0;
            do_free(m, other, &f, th, 0);
            b = &m->blocks[bi];
        }
        rp_err_on_free(m, old_addr, bi, rsite, rp_stack_index(m, ev->stack), th, ev->time_ns, 0);
            if (rp_map_put(&m->live_map, ev->addr, bi))
            m->oom = 1;
        b->addr = ev->addr;
    }
    b->size = new_sz;
    rp_chain_step(m, bi, rsite, old_sz, new_sz);
    m->threads[th].last_alloc = bi;
    m->threads[th].last_alloc_gen = b->gen;
    rp_totals_after(m, ev->time_ns);
}

static void on_event(rp_model *m, const ms_event *ev, uint32_t th) {
    rp_totals *t = &m->tot;
    if (!t->events || ev->time_ns < t->t_first)
        t->t_first = ev->time_ns;
    if (ev->time_ns > t->t_last)
        t->t_last = ev->time_ns;
    t->events++;
    m->threads[th].events++;
    uint32_t bi;
    switch (ev->kind) {
    case MS_EV_ALLOC:
        if (!ev->addr || (ev->flags & MS_EVF_FAILED)) {
            t->failed_allocs++;
            return;
        }
        do_alloc(m, ev, th, 0);
        return;
    case MS_EV_CUSTOM_ALLOC:
        if (!ev->addr || (ev->flags & MS_EVF_FAILED)) {
            t->failed_allocs++;
            return;
        }
        /* a wrapper (xmalloc) announces the block malloc just returned: same
         * address, same or unknown size. A smaller object at a block's start
         * is a sub-allocation (a pool's first slot): a block of its own. */
        bi = rp_map_get(&m->live_map, ev->addr);
        if (bi != RP_NONE && (!ev->size || ev->size == m->blocks[bi].size) &&
            rp_map_get(&m->custom_map, ev->addr) == RP_NONE)
            reattribute(m, bi, ev);
        else
            do_alloc(m, ev, th, 1);
        return;
    case MS_EV_FREE:
    case MS_EV_CUSTOM_FREE: {
        int custom = ev->kind == MS_EV_CUSTOM_FREE;
        if (!ev->addr)
            return;  /* free(NULL) */
        bi = custom ? rp_map_get(&m->custom_map, ev->addr) : RP_NONE;
        if (bi == RP_NONE)
            bi = rp_map_get(&m->live_map, ev->addr);
        if (bi != RP_NONE)
            do_free(m, bi, ev, th, custom);
        else
            rp_err_unmatched_free(m, ev, th, 0, custom);
        return;
    }
    case MS_EV_REALLOC:
        if (!ev->addr || (ev->flags & MS_EVF_FAILED)) {
            t->failed_reallocs++;
            return;
        }
        bi = ev->aux ? rp_map_get(&m->live_map, ev->aux) : RP_NONE;
        if (bi != RP_NONE) {
            do_realloc(m, bi, ev, th);
            return;
        }
        if (ev->aux)
            rp_err_unmatched_free(m, ev, th, 1, 0);
        do_alloc(m, ev, th, 0);
        return;
    case MS_EV_SCOPE_EXIT:
        t->scope_exits++;
        /* the most specific object first: a pool slot over its arena */
        bi = ev->addr ? rp_map_get(&m->custom_map, ev->addr) : RP_NONE;
        if (bi == RP_NONE && ev->addr)
            bi = rp_map_get(&m->live_map, ev->addr);
        if (bi != RP_NONE) {
            m->blocks[bi].owner_site = site_index(m, ev->site);
            m->blocks[bi].owner_time = ev->time_ns;
        }
        return;
    case MS_EV_ESCAPE:
        t->escapes++;
        rp_err_on_escape(m, ev, th);
        return;
    case MS_EV_LOCAL_DEAD:
        t->local_deads++;
        rp_err_on_local_dead(m, ev, th);
        return;
    case MS_EV_DTOR_BEGIN:
        t->dtor_events++;
        rp_dtor_begin(m, th, ev);
        return;
    case MS_EV_DTOR_END:
        t->dtor_events++;
        rp_dtor_end(m, th, ev);
        return;
    case MS_EV_NAME:
        t->names++;
        bi = ev->addr ? rp_map_get(&m->live_map, ev->addr) : RP_NONE;
        if (bi == RP_NONE && ev->addr)
            bi = rp_map_get(&m->custom_map, ev->addr);
        if (bi != RP_NONE)
            m->blocks[bi].name = string_idx1(m, ev->aux);
        return;
    case MS_EV_PHASE: {
        t->phases++;
        rp_phase p = {ev->time_ns, string_idx1(m, ev->aux), th};
        PUSH(m->phases, m->nphases, m->phases_cap, p);
        return;
    }
    default:
        t->unknown_events++;
        return;
    }
}

/* Every event, in time order (report_merge.c hands out runs of one thread). */
static int apply_events(rp_model *m) {
    rp_merger *g = rp_merge_open(m);
    if (!g)
        return -1;
    const ms_event *ev;
    size_t n, avail;
    uint32_t th;
    prefetcher p;
    for (size_t k = 0; k < RP_AHEAD_2; k++)
        p.ring[k] = RP_NONE;
    while (!m->oom && rp_merge_next(g, &ev, &n, &avail, &th)) {
        p.blocks = m->live_map.cap >= RP_DEEP_BLOCKS;
        p.stacks = m->nstacks >= RP_DEEP_STACKS;
        int deep = p.blocks || p.stacks;
        /* prefetch along the chunk, past the run: with threads interleaved
         * runs are short, and the chunk's next events come soon anyway */
        for (size_t i = 0; i < n; i++) {
            if (i + 4 * RP_AHEAD_1 < avail)
                __builtin_prefetch(&ev[i + 4 * RP_AHEAD_1]);
            if (i + RP_AHEAD_1 < avail)
                prefetch_stage1(m, &ev[i + RP_AHEAD_1]);
            if (deep) {
                if (i + RP_AHEAD_2 < avail)
                    prefetch_stage2(m, &p, &ev[i + RP_AHEAD_2], i + RP_AHEAD_2);
                if (i + RP_AHEAD_3 < avail)
                    prefetch_stage3(m, &p, i + RP_AHEAD_3);
            }
            on_event(m, &ev[i], th);
        }
    }
    rp_merge_close(g);
    return 0;
}

/* ------------------------------------------------------------------------
 * Load
 * ---------------------------------------------------------------------- */
static int is_meta(uint32_t type) {
    return type == MS_CHUNK_SITES || type == MS_CHUNK_STACKS || type == MS_CHUNK_MODULES ||
           type == MS_CHUNK_THREADS || type == MS_CHUNK_STRINGS || type == MS_CHUNK_SUMMARY ||
           type == MS_CHUNK_LEAKS || type == MS_CHUNK_COUNTERS;
}

ms_error rp_model_load_reader(rp_model *m, ms_reader *r, const rp_options *o, char *msg,
                              size_t msglen) {
    memset(m, 0, sizeof *m);
    if (o)
        m->opt = *o;
    m->reader = r;
    m->header = *ms_reader_header(r);
    m->recovery = *ms_reader_recovery(r);
    snprintf(m->recovery_msg, sizeof m->recovery_msg, "%s", ms_reader_message(r));
    /* index 0 of every table is "unknown / none" */
    rp_types_init(m);
    add_site(m, 0, NULL);
    add_stack(m, 0, NULL);

    size_t nc = ms_reader_chunk_count(r);
    for (size_t i = 0; i < nc && !m->oom; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(r, i);
        if (!ci || !is_meta(ci->type))
            continue;
        ms_decoded *d = NULL;
        if (ms_reader_load(r, i, &d) != MS_OK) {
            m->damaged_chunks++;
            continue;
        }
        if (d->type == MS_CHUNK_COUNTERS) {  /* summarised, not kept */
            for (size_t k = 0; k < d->count; k++) {
                const ms_counter *c = &d->u.counters[k];
                m->counters++;
                if (c->rss > m->max_rss)
                    m->max_rss = c->rss;
                if (c->heap_in_use > m->max_heap_in_use)
                    m->max_heap_in_use = c->heap_in_use;
                if (c->heap_arena > m->max_heap_arena)
                    m->max_heap_arena = c->heap_arena;
            }
            ms_decoded_free(d);
            continue;
        }
        take_meta(m, d);
    }
    if (!m->oom && apply_events(m))
        m->oom = 1;
    if (!m->oom) {
        rp_totals_finish(m);
        rp_dtors_finish(m);
        rp_leaks_finish(m);
        /* chains of blocks still live at the end are finished too */
        for (size_t i = 0; i < m->nblocks; i++)
            if (m->blocks[i].live && m->blocks[i].chain)
                rp_chain_end(m, (uint32_t)i);
    }
    if (m->oom) {
        snprintf(msg, msglen, "out of memory while analysing the trace");
        return MS_ERR_NOMEM;
    }
    return MS_OK;
}

ms_error rp_model_load(rp_model *m, const char *path, const rp_options *o, char *msg,
                       size_t msglen) {
    ms_reader *r = NULL;
    memset(m, 0, sizeof *m);
    ms_error e = ms_reader_open(path, &r);
    if (e != MS_OK) {
        snprintf(msg, msglen, "%s", ms_error_string(e));
        return e;
    }
    e = rp_model_load_reader(m, r, o, msg, msglen);
    m->path = path;
    return e;
}

void rp_model_free(rp_model *m) {
    for (size_t i = 0; i < m->nmeta; i++)
        ms_decoded_free(m->meta[i]);
    free(m->meta);
    for (size_t i = 0; i < m->nsites; i++)
        free(m->sites[i].lt_hist);
    for (size_t i = 0; i < m->ntypes; i++)
        free(m->types[i].lt_hist);
    for (size_t i = 0; i < m->nthreads; i++)
        free(m->threads[i].dstack);
    free(m->sites);
    free(m->types);
    free(m->stacks);
    free(m->threads);
    free(m->modules);
    free(m->strings);
    free(m->summary);
    free(m->leakrecs);
    free(m->phases);
    free(m->blocks);
    free(m->block_free);
    free(m->xf);
    free(m->rc.live);
    free(m->rc.freelist);
    free(m->dt.v);
    free(m->lk.g);
    rp_map_free(&m->site_map);
    rp_map_free(&m->type_map);
    rp_map_free(&m->stack_map);
    free(m->stack_dense);
    rp_map_free(&m->thread_map);
    rp_map_free(&m->string_map);
    rp_map_free(&m->live_map);
    rp_map_free(&m->custom_map);
    rp_map_free(&m->xf_map);
    rp_map_free(&m->dt.by_site);
    rp_errors_free(&m->err);
    if (m->reader)
        ms_reader_close(m->reader);
    memset(m, 0, sizeof *m);
}
