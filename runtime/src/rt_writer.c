/* rt_writer.c - the writer thread (see rt_writer.h). */
#include "rt_writer.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_buffer.h"
#include "rt_counters.h"
#include "rt_ldroots.h"
#include "rt_leakscan.h"
#include "rt_lifecycle.h"
#include "rt_livemap.h"
#include "rt_log.h"
#include "rt_modules.h"
#include "rt_stacktab.h"
#include "rt_tables.h"
#include "rt_thread.h"

#define MAX_COUNTERS 4096
#define MAX_MODULES RT_MODULES_MAX_HINT
#define MAX_THREADS_BATCH 256

static struct {
    ms_writer *w;
    int fd;
    rt_writer_config cfg;
    rt_livemap *live;
    rt_livemap *sub;           /* custom sub-blocks inside a live block (pool slots) */
    pthread_t thread;
    pthread_mutex_t work_mu;   /* held while the writer touches w/live */
    ms_error err;              /* first write error */
    /* statistics for the summary */
    uint64_t n_events, n_alloc, n_free, n_realloc, n_failed, n_custom, n_chunks;
    uint64_t peak_bytes, peak_blocks;
    /* counters batch */
    ms_counter *counters;
    size_t n_counters;
    uint64_t next_counter_ns, next_flush_ns;
    /* module snapshots: current and previous (for unload detection) */
    ms_module *mods[2];
    char *modstr[2];
    size_t n_mods[2];
    int cur_mods;
    ms_thread threads[MAX_THREADS_BATCH];
    char thread_names[MAX_THREADS_BATCH][16];
    size_t n_threads;
} W = {.work_mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

static void note_err(ms_error e) {
    if (e != MS_OK && W.err == MS_OK) {
        W.err = e;
        rt_log("writing the trace failed: %s", ms_error_string(e));
    }
}

/* ---- drains ------------------------------------------------------------------ */

static void put_stacks(void *u, const ms_stack *s, size_t n) {
    (void)u;
    note_err(ms_writer_add_stacks(W.w, s, n));
}
static void put_sites(void *u, const ms_site *s, size_t n) {
    (void)u;
    note_err(ms_writer_add_sites(W.w, s, n));
}
static void put_strings(void *u, const ms_string *s, size_t n) {
    (void)u;
    note_err(ms_writer_add_strings(W.w, s, n));
}

static void drain_tables(void) {
    rt_sites_drain(put_sites, NULL);
    rt_strings_drain(put_strings, NULL);
    rt_stacktab_drain(put_stacks, NULL);
}

static void write_modules(void) {
    int c = W.cur_mods ^ 1;
    uint64_t now = rt_clock_now_ns();
    size_t n = rt_modules_snapshot(W.mods[c], MAX_MODULES, W.modstr[c], RT_MODULES_STRBUF_HINT, now);
    /* objects of the previous snapshot that are gone: unloaded */
    size_t p = W.n_mods[W.cur_mods], m = n;
    for (size_t i = 0; i < p && m < MAX_MODULES; i++) {
        const ms_module *old = &W.mods[W.cur_mods][i];
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = W.mods[c][j].base == old->base && !strcmp(W.mods[c][j].path, old->path);
        if (!found) {
            W.mods[c][m] = *old;
            W.mods[c][m].loaded = 0;
            W.mods[c][m].time_ns = now;
            m++;
        }
    }
    if (m)
        note_err(ms_writer_add_modules(W.w, W.mods[c], m));
    W.n_mods[c] = n;
    W.cur_mods = c;
}

/* ---- threads ------------------------------------------------------------------ */

static void flush_threads(void) {
    if (W.n_threads)
        note_err(ms_writer_add_threads(W.w, W.threads, W.n_threads));
    W.n_threads = 0;
}

static void thread_name_of(uint32_t tid, char *out, size_t len) {
    char path[64];
    rt_fmt(path, sizeof path, "/proc/self/task/%u/comm", tid);
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, out, len - 1);
    close(fd);
    if (n < 0)
        n = 0;
    out[n] = 0;
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = 0;
}

static void add_thread(const rt_thread *rec, int with_end, const char *name) {
    if (W.n_threads == MAX_THREADS_BATCH)
        flush_threads();
    ms_thread *t = &W.threads[W.n_threads];
    strncpy(W.thread_names[W.n_threads], name ? name : "", 15);
    W.thread_names[W.n_threads][15] = 0;
    t->tid = rec->tid;
    t->parent_tid = rec->parent;
    t->start_ns = rt_clock_to_ns(rec->start_ns);
    t->end_ns = with_end ? rt_clock_to_ns(rec->end_ns) : 0;
    t->name = W.thread_names[W.n_threads];
    W.n_threads++;
}

static void announce_cb(void *u, rt_thread *rec) {
    int final = u != NULL;
    if (rec->announced && !final)
        return;
    char name[16];
    thread_name_of(rec->tid, name, sizeof name);
    add_thread(rec, 0, name);
    rec->announced = 1;
}

/* ---- events ----------------------------------------------------------------- */

static void sort_by_time(ms_event *ev, size_t n) {
    for (size_t i = 1; i < n; i++) {
        if (ev[i].time_ns >= ev[i - 1].time_ns)
            continue;
        ms_event x = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].time_ns > x.time_ns) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
    }
}

/* Events ahead whose live-map slot is prefetched: every probe of a large map
 * is a DRAM (and TLB) miss; 32 in flight overlap them (bench_livemap on a
 * bintree trace: 8 ahead 8.7-11.9 ns per operation, 16 ahead 7.8-9.0, 32
 * ahead 7.0-7.7; docs/perf/runtime-writer.md). */
#define LIVE_PREFETCH_AHEAD 32

/* A slot reserved but not yet published: its owner was interrupted between
 * reservation and publication (a signal handler filled the buffer and
 * handed it off). Wait a little for the owner to finish it, so the slot is
 * neither lost nor written after the buffer is recycled; *@waited_us is the
 * wait already spent on this buffer (200 ms at most in all).
 * @return the slot's kind, 0 if it is still unpublished. */
static __attribute__((noinline)) uint8_t wait_published(ms_event *e, unsigned *waited_us) {
    uint8_t kind;
    while (!(kind = __atomic_load_n(&e->kind, __ATOMIC_ACQUIRE)) && *waited_us < 200000) {
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
        *waited_us += 50;
    }
    return kind;
}

/* Prefetch the live-map slots event *@e will touch: its address (ALLOC,
 * FREE, REALLOC, CUSTOM_*, or a slot not yet published) and a REALLOC's old
 * block; scope exits, escapes, destructor marks, names and phases touch no
 * slot. Relaxed loads: the slot may still be written by its owner (a stale
 * value only wastes the hint). */
static inline void prefetch_live(const ms_event *e) {
    uint8_t kind = __atomic_load_n(&e->kind, __ATOMIC_RELAXED);
    if (kind > MS_EV_REALLOC && kind < MS_EV_CUSTOM_ALLOC)
        return;
    rt_livemap_prefetch(W.live, __atomic_load_n(&e->addr, __ATOMIC_RELAXED));
    if (kind == MS_EV_REALLOC) {
        uint64_t aux = __atomic_load_n(&e->aux, __ATOMIC_RELAXED);
        if (aux)
            rt_livemap_prefetch(W.live, aux);
    }
}

/* Convert, update the live map and statistics, write one chunk. With
 * @wait, an unpublished slot (kind 0) is waited for (wait_published), in the
 * same pass that reads the events (a separate pass over the buffer cost a
 * cache miss per line before this one); slots still unpublished are
 * dropped. The live map's slot for the event LIVE_PREFETCH_AHEAD ahead is
 * prefetched. */
static void write_events(ms_event *ev, size_t n, uint32_t tid, int wait) {
    size_t k = 0;
    unsigned waited_us = 0;
    for (size_t i = 0; i < n; i++) {
        ms_event *e = &ev[i];
        /* compaction only writes below i: slot i + AHEAD is intact; it may be
         * a slot not yet published (waited for when reached), hence the
         * atomic load (a stale address only wastes the hint) */
        if (i + LIVE_PREFETCH_AHEAD < n)
            prefetch_live(&ev[i + LIVE_PREFETCH_AHEAD]);
        uint8_t kind = __atomic_load_n(&e->kind, __ATOMIC_ACQUIRE);
        if (__builtin_expect(kind == 0, 0) && (!wait || !(kind = wait_published(e, &waited_us))))
            continue;
        uint64_t t = e->time_ns;
        e->time_ns = rt_clock_to_ns(t);
        if (kind == MS_EV_DTOR_END && e->aux)
            e->aux = e->time_ns - rt_clock_to_ns(t - e->aux);
        uint64_t sz;
        /* The live map applies each address's latest event by time (raw
         * ticks, finer than ns): buffers arrive in hand-over order, so a
         * consumer's FREE may come before the producer's ALLOC. */
        switch (kind) {
        case MS_EV_ALLOC:
            W.n_alloc++;
            if (e->addr)
                rt_livemap_apply_alloc(W.live, e->addr, e->size, e->site, e->stack, t);
            break;
        case MS_EV_FREE:
            W.n_free++;
            rt_livemap_apply_free(W.live, e->addr, t, &sz);
            break;
        case MS_EV_REALLOC: {
            W.n_realloc++;
            uint64_t after = t + rt_delta_decode(e->reserved);
            e->reserved = 0;
            if (e->addr) {
                if (e->aux)
                    rt_livemap_apply_free(W.live, e->aux, t, &sz);
                rt_livemap_apply_alloc(W.live, e->addr, e->size, e->site, e->stack, after);
            }
            break;
        }
        case MS_EV_CUSTOM_ALLOC:
            W.n_custom++;
            if (e->addr) {
                rt_live_entry old;
                int had = rt_livemap_get(W.live, e->addr, &old);
                if (had && e->size && e->size != old.size) {
                    /* a smaller object carved out at a live block's start (a
                     * pool's first slot): a sub-block, the block stays */
                    rt_livemap_apply_alloc(W.sub, e->addr, e->size, e->site, e->stack, t);
                    break;
                }
                uint64_t at = had && old.time > t ? old.time : t; /* re-attribution */
                rt_livemap_apply_alloc(W.live, e->addr, e->size ? e->size : (had ? old.size : 0),
                                       e->site, e->stack, at);
            }
            break;
        case MS_EV_CUSTOM_FREE:
            W.n_custom++;
            if (rt_livemap_get(W.sub, e->addr, &(rt_live_entry){0}) &&
                rt_livemap_apply_free(W.sub, e->addr, t, &sz) == 1)
                break; /* the sub-block ends, its enclosing block lives on */
            rt_livemap_apply_free(W.live, e->addr, t, &sz);
            break;
        default:
            break;
        }
        if (e->flags & MS_EVF_FAILED)
            W.n_failed++;
        if (k != i)
            ev[k] = *e;
        k++;
    }
    if (!k)
        return;
    uint64_t lb = rt_livemap_bytes(W.live), lc = rt_livemap_count(W.live);
    if (lb > W.peak_bytes)
        W.peak_bytes = lb;
    if (lc > W.peak_blocks)
        W.peak_blocks = lc;
    sort_by_time(ev, k);
    /* stacks, sites and a changed module map first, so a reader meets ids
     * and addresses after their definition */
    drain_tables();
    if (rt_modules_changed())
        write_modules();
    note_err(ms_writer_add_events(W.w, tid, ev, k));
    W.n_events += k;
    W.n_chunks++;
}

static void write_buffer(rt_buf *b) {
    uint32_t used = b->used > b->cap ? b->cap : b->used;
    if (used > b->flushed)
        write_events(b->ev + b->flushed, used - b->flushed, b->tid, 1);
    b->flushed = used;
    if (b->final && b->owner) {
        add_thread(b->owner, 1, b->owner->name);
        rt_threads_release(b->owner);
    }
    rt_buf_recycle(b);
}

/* Timer sweep: the published prefix of buffers still being filled. */
static void sweep_cb(void *u, rt_buf *b, rt_thread *rec) {
    (void)u;
    (void)rec;
    uint32_t i = b->flushed, cap = b->owner ? b->cap : b->used;
    while (i < cap && __atomic_load_n(&b->ev[i].kind, __ATOMIC_ACQUIRE) != 0)
        i++;
    if (i > b->flushed) {
        write_events(b->ev + b->flushed, i - b->flushed, b->tid, 0);
        b->flushed = i;
    }
}

/* ---- counters ------------------------------------------------------------------ */

static void sample_counters(uint64_t now) {
    if (W.n_counters == MAX_COUNTERS) {
        note_err(ms_writer_add_counters(W.w, W.counters, W.n_counters));
        W.n_counters = 0;
    }
    ms_counter *c = &W.counters[W.n_counters++];
    memset(c, 0, sizeof *c);
    rt_counters_sample(c, now);
    c->live_bytes = rt_livemap_bytes(W.live);
    c->live_blocks = rt_livemap_count(W.live);
}

/* Freed entries of the live map wait for late ALLOCs of their address. Once
 * every event stamped before some time T has been applied they are useless
 * and dropped. T: the start of a timer sweep at least 4 sweeps and 1 s ago
 * (a sweep applies every event published before it started, so only an
 * event stamped before T but published more than 1 s and 4 sweeps later
 * could still come: a thread preempted between stamp and publication for
 * that long). Checked every 250 ms, purged when freed entries outnumber
 * live ones (and there are more than 4096). */
#define PURGE_RING 4
static struct {
    uint64_t ticks[PURGE_RING], ns[PURGE_RING];
    unsigned n;
} P;

static void purge_freed(uint64_t sweep_ticks, uint64_t sweep_ns) {
    unsigned last = (P.n + PURGE_RING - 1) % PURGE_RING;
    if (P.n && sweep_ns < P.ns[last] + 250000000ull)
        return;
    unsigned oldest = P.n % PURGE_RING; /* the slot about to be overwritten */
    if (P.n >= PURGE_RING && sweep_ns >= P.ns[oldest] + 1000000000ull) {
        size_t fr = rt_livemap_freed(W.live);
        if (fr > 4096 && fr > rt_livemap_count(W.live))
            rt_livemap_purge(W.live, P.ticks[oldest]);
        if (rt_livemap_freed(W.sub) > 4096)
            rt_livemap_purge(W.sub, P.ticks[oldest]);
    }
    P.ticks[oldest] = sweep_ticks;
    P.ns[oldest] = sweep_ns;
    P.n++;
}

static void flush_all(void) {
    uint64_t sweep_ticks = rt_clock_now();
    uint64_t sweep_ns = rt_clock_to_ns(sweep_ticks);
    rt_threads_foreach_live(announce_cb, NULL);
    rt_threads_sweep(sweep_cb, NULL);
    purge_freed(sweep_ticks, sweep_ns);
    drain_tables();
    if (rt_modules_changed())
        write_modules();
    flush_threads();
    if (W.n_counters) {
        note_err(ms_writer_add_counters(W.w, W.counters, W.n_counters));
        W.n_counters = 0;
    }
    note_err(ms_writer_flush(W.w, 0));
}

/* ---- finish -------------------------------------------------------------------- */

typedef struct {
    rt_range *r;
    size_t n, max;
} roots;

static void root_cb(void *u, rt_thread *rec) {
    roots *rs = u;
    if (rs->n < rs->max && rec->stk_hi > rec->stk_lo && rec->tid != rt_exit_roots_v.tid)
        rs->r[rs->n++] = (rt_range){rec->stk_lo, rec->stk_hi};
}

static void leak_scan(void) {
    size_t live = rt_livemap_count(W.live);
    if (!live)
        return;
    size_t len = (live * sizeof(ms_leak) + 4095) & ~(size_t)4095;
    size_t ld_len = (live * sizeof(uint64_t) + 4095) & ~(size_t)4095;
    ms_leak *out = rt_mmap(len);
    rt_range *r = rt_mmap(4096 * sizeof(rt_range));
    uint64_t *ld = rt_mmap(ld_len);
    if (out && r && ld) {
        roots rs = {r, 0, 4096};
        if (rt_exit_roots_v.hi > rt_exit_roots_v.sp)
            r[rs.n++] = (rt_range){rt_exit_roots_v.sp, rt_exit_roots_v.hi};
        if (rt_exit_roots_v.regs_hi > rt_exit_roots_v.regs_lo)
            r[rs.n++] = (rt_range){rt_exit_roots_v.regs_lo, rt_exit_roots_v.regs_hi};
        for (size_t i = 0; i < rt_exit_roots_v.n_tls && i < 32; i++)
            r[rs.n++] = (rt_range){rt_exit_roots_v.tls[i].lo, rt_exit_roots_v.tls[i].hi};
        rt_threads_foreach_live(root_cb, &rs);
        /* the dynamic loader's blocks (DTVs, dynamic TLS) are roots */
        uintptr_t ld_lo, ld_hi;
        size_t n_ld = rt_ldroots_range(&ld_lo, &ld_hi)
                          ? rt_ldroots_collect(W.live, ld_lo, ld_hi, ld, live)
                          : 0;
        size_t n = rt_leakscan_roots(W.live, r, rs.n, ld, n_ld, out, live);
        if (n)
            note_err(ms_writer_add_leaks(W.w, out, n));
    }
    rt_munmap(out, len);
    rt_munmap(r, 4096 * sizeof(rt_range));
    rt_munmap(ld, ld_len);
}

static void finish(void) {
    rt_threads_foreach_live(announce_cb, (void *)1);
    rt_threads_sweep(sweep_cb, NULL);
    drain_tables();
    if (rt_modules_changed())
        write_modules();
    flush_threads();
    /* mallinfo2 takes every arena lock: not after a crash inside malloc */
    if (!__atomic_load_n(&rt_proc.fatal, __ATOMIC_ACQUIRE))
        sample_counters(rt_clock_now_ns());
    if (W.n_counters)
        note_err(ms_writer_add_counters(W.w, W.counters, W.n_counters));
    W.n_counters = 0;
    int scan = W.cfg.leak_scan && !strcmp(rt_exit_reason, "exit");
    if (scan)
        leak_scan();
    ms_kv kv[] = {
        {"exit_reason", 0, rt_exit_reason},
        {"events", W.n_events, NULL},
        {"allocs", W.n_alloc, NULL},
        {"frees", W.n_free, NULL},
        {"reallocs", W.n_realloc, NULL},
        {"custom", W.n_custom, NULL},
        {"failed", W.n_failed, NULL},
        {"dropped", __atomic_load_n(&rt_proc.dropped, __ATOMIC_RELAXED), NULL},
        {"lost", 0, NULL},
        {"threads", rt_threads_started(), NULL},
        {"stacks", rt_stacktab_count(), NULL},
        {"event_chunks", W.n_chunks, NULL},
        {"live_blocks_at_end", rt_livemap_count(W.live), NULL},
        {"live_bytes_at_end", rt_livemap_bytes(W.live), NULL},
        {"peak_live_bytes", W.peak_bytes, NULL},
        {"peak_live_blocks", W.peak_blocks, NULL},
        {"buffers", rt_queue_buffers(), NULL},
        {"producer_waits", rt_queue_waits(), NULL},
        {"leak_scan", (uint64_t)scan, NULL},
        {"clock", 0, rt_clock_use_tsc ? "tsc" : "monotonic"},
    };
    note_err(ms_writer_add_summary(W.w, kv, sizeof kv / sizeof kv[0]));
    note_err(ms_writer_close(W.w));
    W.w = NULL;
    close(W.fd);
    W.fd = -1;
}

/* ---- the thread ------------------------------------------------------------------ */

static int open_on_writer_thread(void);
static pthread_mutex_t start_mu;
static pthread_cond_t start_cv;
static int start_rc;

static void *writer_main(void *arg) {
    (void)arg;
    rt_tls *t = &rt_self;
    t->state = RT_TS_INTERNAL; /* nothing this thread allocates is recorded */
    rt_guard_enter(t);
    int rc = open_on_writer_thread();
    pthread_mutex_lock(&start_mu);
    start_rc = rc;
    pthread_cond_broadcast(&start_cv);
    pthread_mutex_unlock(&start_mu);
    if (rc != 0) {
        __atomic_store_n(&rt_proc.writer_up, 0, __ATOMIC_RELEASE);
        return NULL;
    }
    uint64_t now = rt_clock_now_ns();
    /* first sample one period in: mallinfo2 takes the arena locks, and a
     * program that crashes inside malloc right at start must not catch the
     * writer inside it */
    W.next_counter_ns = now + (uint64_t)W.cfg.counters_ms * 1000000ull;
    W.next_flush_ns = now + (uint64_t)W.cfg.flush_ms * 1000000ull;
    for (;;) {
        now = rt_clock_now_ns();
        uint64_t due = W.next_counter_ns < W.next_flush_ns ? W.next_counter_ns : W.next_flush_ns;
        unsigned wait_ms = due > now ? (unsigned)((due - now + 999999) / 1000000) : 0;
        if (wait_ms > 50)
            wait_ms = 50; /* bound the latency of requests posted from signal handlers */
        unsigned req = 0, gen = 0;
        rt_buf *b = rt_queue_take(wait_ms, &req, &gen);
        pthread_mutex_lock(&W.work_mu);
        while (b) {
            rt_buf *next = b->next;
            write_buffer(b);
            b = next;
        }
        now = rt_clock_now_ns();
        if (now >= W.next_counter_ns && !__atomic_load_n(&rt_proc.fatal, __ATOMIC_ACQUIRE)) {
            sample_counters(now);
            W.next_counter_ns = now + (uint64_t)W.cfg.counters_ms * 1000000ull;
        }
        if (req & RT_REQ_FINISH) {
            /* buffers queued meanwhile (the exiting thread's) */
            unsigned r2, g2;
            for (b = rt_queue_take(0, &r2, &g2); b; b = b->next)
                write_buffer(b);
            finish();
            __atomic_store_n(&rt_proc.state, RT_PS_CLOSED, __ATOMIC_RELEASE);
            __atomic_store_n(&rt_proc.writer_up, 0, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&W.work_mu);
            rt_queue_done(gen > g2 ? gen : g2);
            return NULL;
        }
        if ((req & RT_REQ_FLUSH) || now >= W.next_flush_ns) {
            flush_all();
            W.next_flush_ns = now + (uint64_t)W.cfg.flush_ms * 1000000ull;
        }
        pthread_mutex_unlock(&W.work_mu);
        if (req)
            rt_queue_done(gen);
    }
}

static void inherited_cb(void *u, const rt_live_entry *e) {
    (void)u;
    /* one event per inherited block, written in batches */
    static ms_event batch[1024];
    static size_t n;
    if (e) {
        batch[n++] = (ms_event){.time_ns = 0, .addr = e->addr, .size = e->size, .site = e->site,
                                .stack = e->stack, .kind = MS_EV_ALLOC,
                                .flags = MS_EVF_INHERITED};
    }
    if (n && (n == 1024 || !e)) {
        note_err(ms_writer_add_events(W.w, W.cfg.tid, batch, n));
        W.n_events += n;
        n = 0;
    }
}

int rt_writer_open(const rt_writer_config *c) {
    W.cfg = *c;
    W.fd = c->fd;
    if (!W.counters)
        W.counters = rt_mmap(MAX_COUNTERS * sizeof(ms_counter));
    for (int i = 0; i < 2; i++) {
        if (!W.mods[i])
            W.mods[i] = rt_mmap(MAX_MODULES * sizeof(ms_module));
        if (!W.modstr[i])
            W.modstr[i] = rt_mmap(RT_MODULES_STRBUF_HINT);
    }
    if (!W.live)
        W.live = rt_livemap_create();
    if (!W.sub)
        W.sub = rt_livemap_create();
    if (!W.counters || !W.mods[0] || !W.mods[1] || !W.modstr[0] || !W.modstr[1] || !W.live ||
        !W.sub) {
        rt_log("out of memory starting the trace");
        return -1;
    }
    return 0;
}

/* Runs on the writer thread, so every allocation of the ms_writer (and the
 * codecs) comes from that thread's malloc arena: after a crash inside
 * malloc (glibc aborting on a double free holds the main arena's lock) the
 * writer can still finish the file. */
static int open_on_writer_thread(void) {
    const rt_writer_config *c = &W.cfg;
    ms_writer_options o;
    ms_writer_options_init(&o);
    o.codec = (ms_codec)c->codec;
    o.level = c->level;
    o.pid = (uint32_t)getpid();
    o.flags = MS_HDR_F_WHOLE_HEAP | (c->fork_child ? MS_HDR_F_FORK_CHILD : 0);
    o.exe = c->exe;
    ms_error e = ms_writer_open_fd(c->fd, 0, &o, &W.w);
    if (e != MS_OK) {
        rt_log("cannot start the trace: %s", ms_error_string(e));
        return -1;
    }
    W.n_mods[0] = W.n_mods[1] = 0;
    W.n_counters = 0;
    W.err = MS_OK;
    W.n_events = W.n_alloc = W.n_free = W.n_realloc = W.n_failed = W.n_custom = W.n_chunks = 0;
    write_modules();
    if (c->fork_child) {
        drain_tables();
        rt_livemap_foreach_entry(W.live, inherited_cb, NULL);
        inherited_cb(NULL, NULL);
    }
    note_err(ms_writer_flush(W.w, 0));
    return 0;
}

static pthread_mutex_t start_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cv = PTHREAD_COND_INITIALIZER;
static int start_rc; /* 1 pending, 0 ok, -1 failed */

int rt_writer_start(void) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    start_rc = 1;
    __atomic_store_n(&rt_proc.writer_up, 1, __ATOMIC_RELEASE);
    int rc = pthread_create(&W.thread, NULL, writer_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        __atomic_store_n(&rt_proc.writer_up, 0, __ATOMIC_RELEASE);
        rt_log("cannot start the writer thread");
        return -1;
    }
    pthread_detach(W.thread);
    pthread_mutex_lock(&start_mu);
    while (start_rc == 1)
        pthread_cond_wait(&start_cv, &start_mu);
    rc = start_rc;
    pthread_mutex_unlock(&start_mu);
    return rc;
}

int rt_writer_is_self(void) {
    return __atomic_load_n(&rt_proc.writer_up, __ATOMIC_ACQUIRE) &&
           pthread_equal(pthread_self(), W.thread);
}

void rt_writer_fork_prepare(void) { pthread_mutex_lock(&W.work_mu); }
void rt_writer_fork_parent(void) { pthread_mutex_unlock(&W.work_mu); }

void rt_writer_fork_child(void) {
    pthread_mutex_init(&W.work_mu, NULL);
    pthread_mutex_init(&start_mu, NULL);
    pthread_cond_init(&start_cv, NULL);
    if (W.w)
        ms_writer_abandon(W.w); /* the file is the parent's */
    W.w = NULL;
    if (W.fd >= 0)
        close(W.fd);
    W.fd = -1;
    W.n_threads = 0;
    W.n_counters = 0;
    __atomic_store_n(&rt_proc.writer_up, 0, __ATOMIC_RELEASE);
}
