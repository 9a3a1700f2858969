/*
 * report_internal.h - memscope-report internals: the model of a trace and the
 * interfaces between the loader, the analyses and the outputs.
 *
 * Data flow (one way):  report_model.c (load, merge threads by time, keep the
 * live blocks) --hooks--> one module per analysis (accumulates summaries as
 * blocks die) --> report_out_text.c / report_out_json.c.
 *
 * Memory is O(live blocks + sites + stacks + threads + distinct freed
 * addresses), never O(events): a block's record is recycled when it dies.
 */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "msformat.h"

/* ------------------------------------------------------------------------
 * Exit codes of memscope-report (documented in --help and docs/REPORT.md).
 * Stable: never renumber.
 * ---------------------------------------------------------------------- */
typedef enum {
    RP_EXIT_OK = 0,
    RP_EXIT_DAMAGED = 1,  /* verify: the trace is damaged or incomplete */
    RP_EXIT_USAGE = 2,    /* bad command line */
    RP_EXIT_INPUT = 3,    /* input missing, unreadable, not a trace, unsupported */
    RP_EXIT_OUTPUT = 4,   /* output cannot be written, or exists without -f */
    RP_EXIT_INTERNAL = 5, /* out of memory or another internal failure */
} rp_exit;

#define RP_PROG "memscope-report"
#define RP_JSON_SCHEMA 1 /* docs/JSON.md; bump on any rename/removal */

/* ------------------------------------------------------------------------
 * Hash map u64 -> u32 (open addressing, linear probing, backward-shift
 * deletion; key 0 is reserved as "empty"). report_map.c
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t key;
    uint32_t val;
} rp_map_entry;   /* key and value share a cache line: one miss per probe */

typedef struct {
    rp_map_entry *e;
    size_t cap;   /* power of two, or 0 */
    size_t count;
} rp_map;

#define RP_NONE UINT32_MAX

/*! rp_map_get() : value for @key, or RP_NONE. @key must not be 0. */
uint32_t rp_map_get(const rp_map *m, uint64_t key);
/*! rp_map_put() : insert or overwrite. @return 0, or -1 on out of memory. */
int rp_map_put(rp_map *m, uint64_t key, uint32_t val);
/*! rp_map_slot() : the entry of @key for the caller to read or set: *found
 *  = 1 when present, else it was inserted with value RP_NONE (*found = 0)
 *  and the caller must set its value or delete it. One probe where a get
 *  then a put take two. Valid until the map next changes. NULL on out of
 *  memory. */
rp_map_entry *rp_map_slot(rp_map *m, uint64_t key, int *found);
/*! rp_map_del() : remove @key if present. @return 1 removed, 0 absent. */
int rp_map_del(rp_map *m, uint64_t key);
void rp_map_free(rp_map *m);
/*! rp_hash64() : a strong 64-bit mix (never returns 0). */
static inline uint64_t rp_hash64(uint64_t x) {
    /* splitmix64 finalizer */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x ? x : 1;
}
/*! rp_map_prefetch() : start loading @key's home slot (no effect on an empty map).
 *  The model prefetches a few events ahead: the maps are larger than the
 *  caches, and a lookup is otherwise one memory latency. */
static inline void rp_map_prefetch(const rp_map *m, uint64_t key) {
    if (m->cap) {
        size_t i = rp_hash64(key) & (m->cap - 1);
        __builtin_prefetch(&m->e[i]);
        /* and the next line: a deletion shifts the rest of the probe run */
        __builtin_prefetch(&m->e[((i | 3) + 1) & (m->cap - 1)]);
    }
}

/*! rp_grow() : ensure @*arr (elements of @elem bytes) holds @need elements;
 *  doubles the capacity. @return 0, or -1 on out of memory. */
int rp_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* ------------------------------------------------------------------------
 * Accumulated statistics of one attribution key (site, stack, type, thread)
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t allocs;       /* blocks allocated here */
    uint64_t frees;        /* of them, freed */
    uint64_t reallocs;     /* realloc events at this key */
    uint64_t bytes;        /* bytes requested (allocations + realloc new sizes) */
    uint64_t live;         /* bytes live now */
    uint64_t live_blocks;
    uint64_t max_live;     /* this key's own maximum of live bytes */
    uint64_t at_peak;      /* live bytes at the global peak (final after finish) */
    uint64_t temporaries;
    uint64_t lifetime_sum; /* ns, over freed blocks */
    uint32_t mod_commit;   /* peak commit id at the last change (see totals) */
    uint32_t pad_;
} rp_stat;

#define RP_HIST 64
/* Lifetime histogram with 8 sub-buckets per power of two (median within ~9%). */
#define RP_LT_SUB 8
#define RP_LT_BUCKETS (64 * RP_LT_SUB)

/* ------------------------------------------------------------------------
 * Metadata
 * ---------------------------------------------------------------------- */
typedef struct {
    const ms_site *s;  /* NULL for the "unknown / uninstrumented" entry */
    uint64_t id;
    uint32_t type;     /* type index */
    uint32_t pad_;
    rp_stat st;
    uint64_t size_hist[RP_HIST];  /* log2 of requested size */
    uint32_t *lt_hist;            /* RP_LT_BUCKETS, allocated on first free */
} rp_site;

typedef struct {
    const char *name;
    rp_stat st;
    uint64_t size_hist[RP_HIST];
    uint32_t *lt_hist;
} rp_type;

typedef struct {
    const ms_stack *s;  /* NULL for "no stack" (index 0) or unknown ids */
    uint32_t id;
    uint32_t pad_;
    rp_stat st;
} rp_stackrec;

typedef struct {
    uint64_t obj;
    uint64_t begin_ns;
    uint32_t site;
    uint32_t frees;
    uint64_t freed_bytes;
} rp_dtor_frame;

typedef struct {
    uint32_t tid;
    uint32_t parent_tid;
    uint64_t start_ns, end_ns;
    const char *name;
    rp_stat st;
    uint64_t events;
    uint64_t cross_frees_out;   /* blocks of this thread freed by another */
    uint64_t cross_frees_in;    /* blocks of other threads freed here */
    uint32_t last_alloc;        /* block index of this thread's last allocation */
    uint32_t last_alloc_gen;
    rp_dtor_frame *dstack;      /* open destructor calls */
    size_t dn, dcap;
    uint32_t max_dtor_depth;
    uint32_t pad_;
} rp_thread;

/* A block with its whole life. */
typedef struct {
    uint64_t addr;
    uint64_t size;
    uint64_t t_alloc;
    uint64_t owner_time;   /* time of the last scope exit that held it */
    uint32_t site;         /* site index of the allocation */
    uint32_t stack;        /* stack index */
    uint32_t thread;       /* thread index of the allocation */
    uint32_t owner_site;   /* site index of that scope exit, 0 none */
    uint32_t chain;        /* realloc chain index + 1, 0 none */
    uint32_t gen;          /* bumped at each reuse of this record */
    uint32_t name;         /* string index + 1 of a NAME event, 0 none */
    uint8_t custom;        /* 1 CUSTOM_ALLOC block of its own (custom_map), 2 re-attributed */
    uint8_t live;
    uint16_t pad_;
} rp_block;

/* ------------------------------------------------------------------------
 * Analyses' state
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t events, allocs, frees, reallocs, failed_allocs, failed_reallocs;
    uint64_t custom_allocs, custom_frees, zero_size_allocs;
    uint64_t bytes_requested;
    uint64_t live, live_blocks, peak, peak_blocks, peak_time;
    uint64_t t_first, t_last;
    uint64_t scope_exits, escapes, local_deads, names, phases, dtor_events;
    uint64_t no_site_allocs;     /* interposed allocations (no static site) */
    uint64_t temporaries;        /* see report_lifecycle.c */
    uint64_t lifetime_sum, lifetimes;  /* over freed blocks */
    uint64_t unknown_events;     /* unknown kinds, skipped */
    uint64_t alloc_over_live;    /* ALLOC at an address still live (missed free) */
    uint32_t commit;             /* peak commit id (see rp_stat_touch) */
    int pending;                 /* a new maximum is not yet committed */
} rp_totals;

typedef struct {
    uint32_t site;     /* realloc site index of the last step */
    uint32_t alloc_site;
    uint32_t stack;
    uint32_t thread;
    uint64_t first_size, last_size;
    uint64_t steps;
    uint64_t min_delta, max_delta;  /* growth per step (growing steps only) */
    uint64_t shrinks;
    uint64_t copied;                /* upper bound: sum of min(old,new) */
    double log_ratio_sum;           /* for the geometric mean growth factor */
    uint64_t nsizes;
    uint64_t sizes[32];             /* first sizes of the sequence */
    int quadratic;
    int done;
} rp_chain;

#define RP_TOP_CHAINS 256

typedef struct {
    rp_chain *live;        /* chains of live blocks, indexed by block.chain-1 */
    size_t nlive, cap;
    uint32_t *freelist; size_t nfree, fcap;
    rp_chain top[RP_TOP_CHAINS];   /* finished chains kept: by bytes copied */
    size_t ntop;
    uint32_t least;                /* index of the mildest kept chain, RP_NONE unknown */
    uint64_t chains, quadratic_chains, steps, copied;
} rp_reallocs;

typedef struct {
    uint32_t alloc_site, free_site, alloc_thread, free_thread;
    uint64_t count, bytes;
} rp_xfree;

typedef enum {
    RP_ERR_DOUBLE_FREE = 0,
    RP_ERR_INVALID_FREE = 1,
    RP_ERR_INTERIOR_FREE = 2,
    RP_ERR_REALLOC_FREED = 3,
    RP_ERR_INVALID_REALLOC = 4,
    RP_ERR_DANGLING_STACK = 5,
    RP_ERR_KIND_MAX_
} rp_err_kind;

typedef struct {
    uint32_t kind;
    uint32_t thread;        /* thread index of the faulty event */
    uint64_t time;
    uint64_t addr;          /* pointer freed / local address */
    uint32_t site, stack;   /* the faulty event */
    /* the other side: first free (double free), allocation of the
     * containing block (interior), escape (dangling) */
    uint32_t other_site, other_stack, other_thread, pad_;
    uint64_t other_time;
    uint64_t block_addr, block_size;  /* containing block / slot's block */
    uint64_t slot;                    /* dangling: where the address was stored */
    uint32_t alloc_site, alloc_stack; /* double free: the block's allocation */
    int slot_global;
    int pad2_;
} rp_err;

#define RP_MAX_ERR_KEPT 1000

typedef struct {
    uint64_t addr;
    uint64_t time;
    uint64_t size;
    uint32_t site, stack, thread;
    uint32_t alloc_site, alloc_stack;
    uint32_t via_custom;
} rp_freed;

typedef struct {
    uint64_t local, slot, time;
    uint32_t site, stack, thread, pad_;
} rp_escape;

typedef struct {
    rp_freed *freed;       /* FIFO ring of recent frees (see report_errors.c) */
    uint64_t ring_scans;   /* ring entries examined (budget) */
    size_t ring_cap, ring_head, ring_count;
    uint64_t evicted;      /* frees forgotten to bound memory */
    rp_map esc_map;        /* local addr -> index in esc[] */
    rp_escape *esc; size_t nesc, esc_cap;
    uint32_t *esc_free; size_t nesc_free, esc_free_cap;
    rp_err *kept; size_t nkept, kept_cap;
    uint64_t count[RP_ERR_KIND_MAX_];
    uint64_t range_scans;  /* block records examined (budget) */
    uint64_t unmatched_custom_frees;
    uint64_t absorbed_frees;   /* FREE right after CUSTOM_FREE of a wrapper */
    int scans_exhausted;
} rp_errors;

typedef struct {
    uint32_t site;           /* dtor call site index */
    uint64_t calls, total_ns, max_ns, frees, freed_bytes;
    uint32_t max_depth;
    uint32_t pad_;
} rp_dtorstat;

typedef struct {
    rp_dtorstat *v; size_t n, cap;
    rp_map by_site;          /* site index + 1 -> index in v */
    uint64_t unmatched_ends, unclosed;
    uint32_t max_depth;
} rp_dtors;

typedef struct {
    uint32_t kind;           /* ms_leak_kind, or RP_LEAK_LIVE_AT_END */
    uint32_t site, stack;
    uint32_t name;           /* string index + 1 of a NAME, 0 none */
    uint64_t count, bytes;
    uint64_t no_owner;
    struct { uint32_t site; uint64_t count; uint64_t last_time; } owners[8];
    uint32_t nowners;
    uint32_t pad_;
} rp_leakgroup;

#define RP_LEAK_LIVE_AT_END 100u

typedef struct {
    int scan;                       /* a LEAKS chunk was found */
    uint64_t blocks[4], bytes[4];   /* by ms_leak_kind */
    uint64_t live_end_blocks, live_end_bytes;
    uint64_t unmatched;             /* leak records with no known block */
    rp_leakgroup *g; size_t ng, gcap;
} rp_leaks;

typedef struct {
    uint64_t time;
    uint32_t name;  /* string index + 1 */
    uint32_t thread;
} rp_phase;

/* ------------------------------------------------------------------------
 * The model
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t temp_ns;      /* temporaries: also require lifetime <= this (0 = off) */
    int progress;          /* show progress on stderr */
} rp_options;

typedef struct rp_symbolizer rp_symbolizer;

typedef struct rp_model {
    rp_options opt;
    const char *path;
    ms_reader *reader;
    ms_header_info header;
    ms_recovery recovery;
    char recovery_msg[512];
    uint64_t damaged_chunks;       /* chunks that failed to load */
    uint64_t counters;             /* COUNTERS samples, summarised: */
    uint64_t max_rss, max_heap_in_use, max_heap_arena;

    ms_decoded **meta; size_t nmeta, meta_cap;   /* kept alive for strings */

    rp_site *sites; size_t nsites, sites_cap;    /* [0] = unknown */
    rp_map site_map;                             /* site id -> index */
    struct { uint64_t id; uint32_t idx; } site_cache[16];  /* recent lookups (ids != 0) */
    rp_type *types; size_t ntypes, types_cap;    /* [0] = "?" */
    rp_map type_map;                             /* hash(name) -> index */
    rp_stackrec *stacks; size_t nstacks, stacks_cap;  /* [0] = none */
    rp_map stack_map;                            /* stack id -> index (sparse ids) */
    uint32_t *stack_dense; size_t stack_dense_cap;  /* stack id -> index + 1, 0 absent:
                                                  * the runtime numbers stacks 1..N, so a
                                                  * flat array replaces most map probes */
    rp_thread *threads; size_t nthreads, threads_cap;
    rp_map thread_map;                           /* tid + 1 -> index */
    const ms_module **modules; size_t nmodules, modules_cap;
    const ms_string **strings; size_t nstrings, strings_cap;
    rp_map string_map;                           /* string id + 1 -> index */
    const ms_kv **summary; size_t nsummary, summary_cap;
    const ms_leak **leakrecs; size_t nleakrecs, leakrecs_cap;
    rp_phase *phases; size_t nphases, phases_cap;

    rp_block *blocks; size_t nblocks, blocks_cap;  /* record pool */
    uint32_t *block_free; size_t nblock_free, block_free_cap;
    rp_map live_map;                              /* addr -> block index */
    rp_map custom_map;      /* addr -> block index of CUSTOM_ALLOC blocks of their own */

    rp_totals tot;
    rp_reallocs rc;
    rp_xfree *xf; size_t nxf, xf_cap;
    rp_map xf_map;
    rp_errors err;
    rp_dtors dt;
    rp_leaks lk;

    int oom;                       /* an allocation failed during the load */
} rp_model;

/* ---- report_model.c ---------------------------------------------------- */
/*! rp_model_load() : open @path and build the model (all analyses run).
 *  @return MS_OK, or the reader's error with a one-line reason in @msg. A
 *  truncated trace is MS_OK with m->recovery.complete == 0. */
ms_error rp_model_load(rp_model *m, const char *path, const rp_options *o,
                       char *msg, size_t msglen);
/*! rp_model_load_reader() : the same over an opened reader (taken over). */
ms_error rp_model_load_reader(rp_model *m, ms_reader *r, const rp_options *o,
                              char *msg, size_t msglen);
void rp_model_free(rp_model *m);

/* ---- report_merge.c ---------------------------------------------------- */
typedef struct rp_merger rp_merger;
/*! rp_merge_open() : a merge over every event chunk of m->reader, in time
 *  order. NULL on out of memory. */
rp_merger *rp_merge_open(rp_model *m);
/* rp_merge_next(): report_merge.h (inlined into the model's loop) */
void rp_merge_close(rp_merger *g);

/* Lookups used by the analyses (create placeholders for unknown ids). */
uint32_t rp_site_index(rp_model *m, uint64_t site_id);
uint32_t rp_stack_index(rp_model *m, uint32_t stack_id);
uint32_t rp_thread_index(rp_model *m, uint32_t tid);
const char *rp_string(const rp_model *m, uint32_t idx1);  /* idx1 = index+1 */
/*! rp_find_containing() : index of the live block containing @addr (not at
 *  its start), or RP_NONE. O(live blocks): used only for rare events. */
uint32_t rp_find_containing(const rp_model *m, uint64_t addr);
/*! rp_addr_in_module() : 1 when @addr lies in a loaded module's image. */
int rp_addr_in_module(const rp_model *m, uint64_t addr);

/* Site field accessors with defaults for unknown sites. */
const char *rp_site_file(const rp_model *m, uint32_t si);
const char *rp_site_func(const rp_model *m, uint32_t si);
const char *rp_site_type(const rp_model *m, uint32_t si);
const char *rp_site_var(const rp_model *m, uint32_t si);
uint32_t rp_site_line(const rp_model *m, uint32_t si);

/* ---- report_types.c ---------------------------------------------------- */
/*! rp_type_index() : index of type @name (interned; "?"/""/NULL -> 0). */
uint32_t rp_type_index(rp_model *m, const char *name);
/*! rp_types_init() : the table with entry 0 = unknown. */
void rp_types_init(rp_model *m);

/* ---- report_totals.c : totals and peak ------------------------------- */
/* (The per-event helpers are inline: they run several times per event.) */
/*! rp_live_change() : call before changing any live-byte counter by a step
 *  of sign @grows (1 growth, 0 shrink); commits a pending peak on a shrink. */
static inline void rp_live_change(rp_model *m, int grows) {
    if (!grows && m->tot.pending) {
        m->tot.commit++;
        m->tot.pending = 0;
    }
}
/*! rp_stat_touch() : call before changing @s->live (saves its at-peak value). */
static inline void rp_stat_touch(const rp_model *m, rp_stat *s) {
    if (s->mod_commit != m->tot.commit) {
        s->at_peak = s->live;
        s->mod_commit = m->tot.commit;
    }
}
static inline void rp_stat_bump_max(rp_stat *s) {
    if (s->live > s->max_live)
        s->max_live = s->live;
}
/*! rp_stat_add()/rp_stat_sub() : a block of @bytes allocated / freed. */
static inline void rp_stat_add(const rp_model *m, rp_stat *s, uint64_t bytes) {
    rp_stat_touch(m, s);
    s->allocs++;
    s->bytes += bytes;
    s->live += bytes;
    s->live_blocks++;
    rp_stat_bump_max(s);
}
static inline void rp_stat_sub(const rp_model *m, rp_stat *s, uint64_t bytes) {
    rp_stat_touch(m, s);
    s->frees++;
    s->live -= bytes;
    s->live_blocks--;
}
/*! rp_stat_resize() : a live block resized from @old_sz to @new_sz. */
static inline void rp_stat_resize(const rp_model *m, rp_stat *s, uint64_t old_sz,
                                  uint64_t new_sz) {
    rp_stat_touch(m, s);
    s->live = s->live - old_sz + new_sz;
    rp_stat_bump_max(s);
}
void rp_stat_finish(const rp_model *m, rp_stat *s);
/*! rp_totals_after() : after live bytes changed: track the new maximum. */
static inline void rp_totals_after(rp_model *m, uint64_t time) {
    rp_totals *t = &m->tot;
    if (t->live > t->peak) {
        t->peak = t->live;
        t->peak_blocks = t->live_blocks;
        t->peak_time = time;
        t->pending = 1;
    }
}
void rp_totals_finish(rp_model *m);
static inline unsigned rp_log2_bucket(uint64_t v) {
    /* bucket 0: 0; bucket k: [2^(k-1), 2^k); the last bucket takes >= 2^62 */
    unsigned b = v ? (unsigned)(64 - __builtin_clzll(v)) : 0u;
    return b < RP_HIST ? b : RP_HIST - 1;
}

/* ---- report_lifecycle.c : lifetimes and temporaries ----------------- */
void rp_life_on_alloc(rp_model *m, uint32_t bi);
void rp_life_on_free(rp_model *m, uint32_t bi, uint32_t free_thread, uint64_t time);
/*! rp_lt_bucket()/rp_lt_value() : lifetime histogram bucket of a duration
 *  and a representative value (the bucket's midpoint) of a bucket. */
unsigned rp_lt_bucket(uint64_t ns);
uint64_t rp_lt_value(unsigned b);
/*! rp_lt_median() : median from a histogram, 0 when empty. */
uint64_t rp_lt_median(const uint32_t *hist);

/* ---- report_realloc.c ------------------------------------------------ */
int rp_chain_step(rp_model *m, uint32_t bi, uint32_t site, uint64_t old_sz, uint64_t new_sz);
void rp_chain_end(rp_model *m, uint32_t bi);
/*! rp_chain_quadratic() : the rule that flags a chain (docs/REPORT.md). */
int rp_chain_quadratic(const rp_chain *c);
double rp_chain_factor(const rp_chain *c);

/* ---- report_threads.c ------------------------------------------------ */
void rp_threads_on_free(rp_model *m, uint32_t bi, uint32_t free_thread, uint32_t free_site);

/* ---- report_errors.c ------------------------------------------------- */
/*! rp_err_on_free() : block @bi's address @addr was released (free, or the
 *  old half of a moving realloc) by the event at @site/@stack: remember it
 *  for double frees. */
void rp_err_on_free(rp_model *m, uint64_t addr, uint32_t bi, uint32_t site, uint32_t stack,
                    uint32_t thread, uint64_t time, int custom);
/*! rp_err_unmatched_free() : FREE/REALLOC of an address that is not live.
 *  @return 1 when the event was absorbed (wrapper free after CUSTOM_FREE). */
int rp_err_unmatched_free(rp_model *m, const ms_event *ev, uint32_t thread, int is_realloc, int custom);
void rp_err_on_escape(rp_model *m, const ms_event *ev, uint32_t thread);
void rp_err_on_local_dead(rp_model *m, const ms_event *ev, uint32_t thread);
const char *rp_err_kind_name(uint32_t k);
/*! rp_errors_total() : errors of every kind found. */
uint64_t rp_errors_total(const rp_errors *e);
void rp_errors_free(rp_errors *e);

/* ---- report_dtors.c -------------------------------------------------- */
void rp_dtor_begin(rp_model *m, uint32_t thread, const ms_event *ev);
void rp_dtor_end(rp_model *m, uint32_t thread, const ms_event *ev);
void rp_dtor_on_free(rp_model *m, uint32_t thread, uint64_t bytes);
void rp_dtors_finish(rp_model *m);

/* ---- report_leaks.c -------------------------------------------------- */
void rp_leaks_finish(rp_model *m);
const char *rp_leak_kind_name(uint32_t k);

/* ---- report_sources.c : sorting helpers over sites/stacks/types ------ */
typedef enum { RP_BY_COUNT, RP_BY_BYTES, RP_BY_PEAK, RP_BY_LIVE } rp_order;
/*! rp_top_sites()/rp_top_stacks()/rp_top_types() : malloc'ed array of
 *  indices with a nonzero key, sorted descending; *n gets its length. */
uint32_t *rp_top_sites(const rp_model *m, rp_order by, size_t *n);
uint32_t *rp_top_stacks(const rp_model *m, rp_order by, size_t *n);
uint32_t *rp_top_types(const rp_model *m, rp_order by, size_t *n);

/* Call tree over symbolized stacks (report_calltree.c). */
typedef struct rp_cnode {
    const char *name;
    uint64_t allocs, bytes, peak;
    uint32_t first_child, next_sibling;  /* indices, RP_NONE end */
} rp_cnode;
typedef struct {
    rp_cnode *n; size_t count, cap;
} rp_ctree;
/*! rp_calltree_build() : aggregate stack stats into a tree keyed by function
 *  names, from the outermost frame (@bottom_up = 0) or the innermost (1).
 *  Node 0 is the root. @return 0, or -1 on out of memory. */
int rp_calltree_build(rp_model *m, rp_symbolizer *sym, int bottom_up, rp_ctree *t);
void rp_calltree_free(rp_ctree *t);

/* ---- report_symbolize.c ---------------------------------------------- */
typedef struct {
    uint64_t addr;
    const char *function;   /* NULL unknown */
    const char *file;       /* NULL unknown */
    uint32_t line;
    int inlined;            /* 1: an inlined frame at the same address */
    const char *module;     /* path, NULL unknown */
} rp_frame;

/*! rp_sym_open() : a symbolizer over the model's module map. @enabled = 0
 *  gives addresses only. Never fails (NULL only on out of memory). */
rp_symbolizer *rp_sym_open(const rp_model *m, int enabled);
void rp_sym_close(rp_symbolizer *s);
/*! rp_sym_stack() : frames of stack index @si with the runtime's own
 *  frames removed; *n gets their count. Valid until the next rp_sym_stack
 *  or rp_sym_close (one buffer is reused: use them before asking again). */
const rp_frame *rp_sym_stack(rp_symbolizer *s, const rp_model *m, uint32_t si, size_t *n);
/*! rp_sym_warnings() : number of warnings and the i-th text. */
size_t rp_sym_warning_count(const rp_symbolizer *s);
const char *rp_sym_warning(const rp_symbolizer *s, size_t i);

/* ---- outputs ----------------------------------------------------------- */
typedef struct {
    size_t top_n;          /* list limit (-n) */
    int color;             /* text: ANSI colours */
    int symbolize;
} rp_outopts;

/*! rp_recovery_notice() : the "trace truncated" line, or NULL if complete. */
const char *rp_recovery_notice(const rp_model *m, char *buf, size_t len);
int rp_out_text(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f);
int rp_out_json(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f);
/*! rp_out_html() : one self-contained HTML page (inline CSS, no script, no
 *  external resource); every string from the trace is HTML-escaped. */
int rp_out_html(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f);

/*! rp_fmt_bytes() : @v bytes as "123 B" / "4.10 KB" (powers of 1000) into
 *  @b (>= 32 bytes). rp_fmt_time() : @ns as "950ns" / "2.38ms" / "1.20s".
 *  @return @b. Shared by the text and HTML outputs. */
const char *rp_fmt_bytes(uint64_t v, char *b);
const char *rp_fmt_time(uint64_t ns, char *b);
/*! rp_out_folded() : folded stacks for flame graphs, weighted @by
 *  (RP_BY_BYTES allocated, RP_BY_COUNT, RP_BY_PEAK, RP_BY_LIVE at the end). */
int rp_out_folded(rp_model *m, rp_symbolizer *sym, rp_order by, FILE *f);

/* ---- report_json.c: buffered JSON writer ------------------------------ */
typedef struct {
    FILE *f;
    char *buf; size_t len, cap;
    int depth;
    unsigned char first[64];   /* per depth: no element written yet */
    int after_key;             /* a key was written: no comma before the value */
    int err;
} rp_json;

void rp_json_init(rp_json *j, FILE *f);
/*! rp_json_end() : flush. @return 0, or -1 when a write failed. */
int rp_json_end(rp_json *j);
void rp_json_obj(rp_json *j);          /* { */
void rp_json_obj_end(rp_json *j);      /* } */
void rp_json_arr(rp_json *j);          /* [ */
void rp_json_arr_end(rp_json *j);      /* ] */
void rp_json_key(rp_json *j, const char *k);
void rp_json_str(rp_json *j, const char *s);   /* NULL -> null */
void rp_json_u64(rp_json *j, uint64_t v);
void rp_json_i64(rp_json *j, int64_t v);
void rp_json_dbl(rp_json *j, double v);
void rp_json_bool(rp_json *j, int v);
void rp_json_null(rp_json *j);
void rp_json_hex(rp_json *j, uint64_t v);      /* "0x..." string */
void rp_json_bin(rp_json *j, const uint8_t *p, size_t n);  /* hex string */
/* key + value shorthands */
void rp_json_kstr(rp_json *j, const char *k, const char *s);
void rp_json_ku64(rp_json *j, const char *k, uint64_t v);
void rp_json_kdbl(rp_json *j, const char *k, double v);
void rp_json_kbool(rp_json *j, const char *k, int v);
void rp_json_khex(rp_json *j, const char *k, uint64_t v);

/* ---- report_chunk_json.c ----------------------------------------------- */
/*! rp_chunk_items_json() : the items of a decoded chunk as a JSON array. */
void rp_chunk_items_json(rp_json *j, const ms_decoded *d);
void rp_header_json(rp_json *j, const ms_header_info *h);
const char *rp_event_kind_name(uint32_t k);

/* ---- subcommands (report_cmd_*.c) --------------------------------------- */
int rp_cmd_analyze(int argc, char **argv);
int rp_cmd_info(int argc, char **argv);
int rp_cmd_verify(int argc, char **argv);
int rp_cmd_extract(int argc, char **argv);
int rp_cmd_convert(int argc, char **argv);
int rp_cmd_export(int argc, char **argv);

/* ---- report_cli.c : helpers shared by the subcommands ------------------ */
/*! rp_input_error() : print "memscope-report: FILE: problem" for an open
 *  failure and return the exit code for it. */
int rp_input_error(const char *path, ms_error e, const char *detail);
/*! rp_open_output() : stdout when @path is NULL or "-"; refuses an existing
 *  file unless @force. Prints the error line itself; NULL on failure. */
FILE *rp_open_output(const char *path, int force);
/*! rp_same_file() : 1 when both paths exist and name the same file. */
int rp_same_file(const char *a, const char *b);
/*! rp_close_output() : close (or flush stdout). @return 0 or an error line + -1. */
int rp_close_output(FILE *f, const char *path);
/*! rp_parse_u64() : strict decimal parse. @return 0 ok, -1 bad. */
int rp_parse_u64(const char *s, uint64_t *out);
void rp_usage(FILE *f);
/*! rp_summary_str()/rp_summary_u64() : the producer's SUMMARY value of @key
 *  (the last one wins); NULL / 0 when absent or of the other kind. */
const char *rp_summary_str(const rp_model *m, const char *key);
int rp_summary_u64(const rp_model *m, const char *key, uint64_t *out);
/*! rp_loss_warning() : the warning for events the runtime dropped or lost
 *  (SUMMARY "dropped", "lost"), or NULL when none were. */
const char *rp_loss_warning(const rp_model *m, char *buf, size_t len);
/*! rp_scan_warning() : the warning for leak-scan records that match no live
 *  block of the event stream, or NULL. */
const char *rp_scan_warning(const rp_model *m, char *buf, size_t len);
/*! rp_progress() : "\rloading: done/total chunks" on stderr (caller checks tty). */
void rp_progress(const char *what, size_t done, size_t total);

#endif /* REPORT_INTERNAL_H */
