/* rt_thread.c - slow path, thread registry, thread exit, late buffer and
 * stack ids (see rt_thread.h, rt_core.h). */
#define _GNU_SOURCE
#include "rt_thread.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_buffer.h"
#include "rt_lifecycle.h"
#include "rt_stacktab.h"
#include "rt_unwind.h"

RT_TLS rt_tls rt_self;
RT_TLS uint64_t __memscope_ctx RT_EXPORT;

uint32_t rt_stack_depth = 32;
static uint32_t buffer_events = (256u << 10) / sizeof(ms_event);

static struct {
    pthread_mutex_t mu;
    rt_thread *live;
    rt_thread *free_list;
    uint64_t started;
} reg = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0};

/* Late buffer: events of threads whose exit flush already ran (other TSD
 * destructors, glibc's thread teardown). One tid per buffer: a different
 * thread's late event hands the current one off. */
static pthread_mutex_t late_mu = PTHREAD_MUTEX_INITIALIZER;
static rt_buf *late;

static pthread_key_t exit_key;

/* Record of threads past their exit flush: no stack bounds (stacks are the
 * call site only), an always-empty cache that is never written. */
static rt_thread dead_rec;

uint32_t rt_gettid(void) { return (uint32_t)syscall(SYS_gettid); }

void rt_threads_set_buffer_events(uint32_t n) { buffer_events = n < 64 ? 64 : n; }
uint64_t rt_threads_started(void) { return reg.started; }

static rt_thread *rec_alloc(void) {
    pthread_mutex_lock(&reg.mu);
    rt_thread *r = reg.free_list;
    if (r)
        reg.free_list = r->next;
    pthread_mutex_unlock(&reg.mu);
    if (!r) {
        r = rt_mmap(sizeof(rt_thread));
        if (!r)
            return NULL;
    } else {
        rt_cache_ent *keep = r->cache;
        memset(r, 0, sizeof *r);
        r->cache = keep;
    }
    if (!r->cache && !(r->cache = rt_mmap(RT_CACHE_SIZE * sizeof(rt_cache_ent)))) {
        rt_threads_release(r);
        return NULL;
    }
    return r;
}

/* Cache of threads past their exit flush: all empty, never written. */
static rt_cache_ent *dead_cache(void) {
    static rt_cache_ent *c;
    if (!__atomic_load_n(&c, __ATOMIC_ACQUIRE)) {
        rt_cache_ent *m = rt_mmap(RT_CACHE_SIZE * sizeof(rt_cache_ent));
        rt_cache_ent *expect = NULL;
        if (m && !__atomic_compare_exchange_n(&c, &expect, m, 0, __ATOMIC_ACQ_REL,
                                              __ATOMIC_ACQUIRE))
            rt_munmap(m, RT_CACHE_SIZE * sizeof(rt_cache_ent));
    }
    return __atomic_load_n(&c, __ATOMIC_ACQUIRE);
}

void rt_threads_release(rt_thread *rec) {
    pthread_mutex_lock(&reg.mu);
    rec->next = reg.free_list;
    reg.free_list = rec;
    pthread_mutex_unlock(&reg.mu);
}

static void thread_exit_flush(rt_tls *t);

static void exit_dtor(void *v) {
    uintptr_t round = (uintptr_t)v;
    /* re-arm until the last round so the user's destructors run first */
    if (round < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(exit_key, (void *)(round + 1));
        return;
    }
    thread_exit_flush(&rt_self);
}

void rt_threads_init(void) { pthread_key_create(&exit_key, exit_dtor); }

/* Slow path helpers run with the guard held. */
static void thread_init(rt_tls *t) {
    rt_thread *rec = rec_alloc();
    if (!rec) {
        t->state = RT_TS_OFF;
        return;
    }
    rec->tid = rt_gettid();
    rec->parent = rt_parent_tid;
    rec->start_ns = rt_clock_now();
    rt_stack_bounds(&rec->stk_lo, &rec->stk_hi);
    t->rec = rec;
    t->cache = rec->cache;
    t->tid = rec->tid;
    t->buf = NULL;
    pthread_mutex_lock(&reg.mu);
    rec->next = reg.live;
    reg.live = rec;
    reg.started++;
    pthread_mutex_unlock(&reg.mu);
    rt_queue_threads(+1);
    pthread_setspecific(exit_key, (void *)(uintptr_t)1);
    t->state = RT_TS_ACTIVE;
}

static uint32_t published(rt_tls *t) {
    if (!t->buf)
        return 0;
    uintptr_t n = (uintptr_t)(t->saved_cur - t->buf->ev);
    return n > t->buf->cap ? t->buf->cap : (uint32_t)n;
}

/* Hand off the current buffer (@used slots) and install a fresh one. */
static ms_event *swap_buffer(rt_tls *t, uint32_t used) {
    if (t->buf) {
        /* unpublish first: once submitted, the writer may recycle it */
        __atomic_store_n(&t->rec->buf, NULL, __ATOMIC_RELEASE);
        t->buf->used = used;
        t->buf->tid = t->tid;
        rt_buf_submit(t->buf);
        t->buf = NULL;
    }
    rt_buf *b = rt_buf_get(buffer_events);
    if (!b) {
        t->end = NULL;
        __atomic_store_n(&t->rec->buf, NULL, __ATOMIC_RELEASE);
        return NULL;
    }
    b->tid = t->tid;
    b->owner = t->rec;
    t->buf = b;
    t->end = b->ev + b->cap;
    __atomic_store_n(&t->rec->buf, b, __ATOMIC_RELEASE);
    t->saved_cur = b->ev;
    return b->ev;
}

static void thread_exit_flush(rt_tls *t) {
    if (t->state != RT_TS_ACTIVE)
        return;
    rt_guard_enter(t);
    rt_thread *rec = t->rec;
    rec->end_ns = rt_clock_now();
    pthread_getname_np(pthread_self(), rec->name, sizeof rec->name);
    pthread_mutex_lock(&reg.mu);
    for (rt_thread **pp = &reg.live; *pp; pp = &(*pp)->next)
        if (*pp == rec) {
            *pp = rec->next;
            break;
        }
    pthread_mutex_unlock(&reg.mu);
    rec->ended = 1;
    rt_buf *b = t->buf;
    if (b) {
        b->used = published(t);
        b->final = 1;
        b->owner = rec;
        rt_buf_submit(b);
    } else {
        /* no buffer to carry the record: an empty one does */
        rt_buf *e = rt_buf_get(64);
        if (e) {
            e->tid = t->tid;
            e->owner = rec;
            e->final = 1;
            rt_buf_submit(e);
        }
    }
    t->buf = NULL;
    t->end = NULL;
    t->rec = &dead_rec;
    t->cache = dead_cache();
    if (!t->cache)
        t->state = RT_TS_OFF; /* cannot compute stacks safely: record nothing more */
    else
        t->state = RT_TS_DEAD;
    rt_queue_threads(-1);
    rt_guard_leave(t);
}

static ms_event *late_reserve(rt_tls *t) {
    ms_event *e = NULL;
    pthread_mutex_lock(&late_mu);
    if (late && (late->tid != t->tid || late->used >= late->cap)) {
        rt_buf_submit(late);
        late = NULL;
    }
    if (!late) {
        late = rt_buf_get(1024);
        if (late)
            late->tid = t->tid;
    }
    if (late)
        e = &late->ev[late->used++];
    pthread_mutex_unlock(&late_mu);
    return e;
}

ms_event *rt_reserve_slow(ms_event *e) {
    rt_tls *t = &rt_self;
    int saved_errno = errno;
    if (t->guard) {
        /* a signal handler interrupted the slow path: cannot record safely */
        if (t->in_slow)
            __atomic_add_fetch(&rt_proc.dropped, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    if (t->state == RT_TS_OFF || t->state == RT_TS_INTERNAL)
        return NULL;
    if (t->state == RT_TS_ACTIVE && t->buf && e >= t->buf->ev && e < t->end &&
        rt_proc.state == RT_PS_RUNNING)
        return e; /* spurious: a signal landed between guard and limit restore */

    rt_guard_enter(t);
    t->in_slow = 1;
    ms_event *slot = NULL;
    rt_process_early();
    if (rt_proc.state == RT_PS_CHILD)
        rt_process_start();
    int ps = rt_proc.state;
    if (ps == RT_PS_OFF) {
        t->state = RT_TS_OFF;
    } else if (ps == RT_PS_CLOSED) {
        /* the trace is closed (after exit): reuse the buffer, record nothing */
        if (t->buf)
            t->saved_cur = t->buf->ev;
    } else {
        if (t->state == RT_TS_NEW)
            thread_init(t);
        if (t->state == RT_TS_DEAD) {
            slot = late_reserve(t);
        } else if (t->state == RT_TS_ACTIVE) {
            if (t->buf && e >= t->buf->ev && e < t->end) {
                /* the fast path's reservation is valid (the slow path was
                 * taken for another reason: process start, guard race) */
                slot = e;
            } else if (t->buf && t->saved_cur >= t->buf->ev && t->saved_cur < t->end) {
                /* a signal handler already swapped buffers under us: there
                 * is room */
                slot = t->saved_cur;
            } else {
                uintptr_t n = t->buf ? (uintptr_t)(t->saved_cur - t->buf->ev) : 0;
                slot = swap_buffer(t, t->buf && n > t->buf->cap ? t->buf->cap : (uint32_t)n);
            }
            if (slot && slot >= t->saved_cur)
                t->saved_cur = slot + 1;
        }
    }
    t->in_slow = 0;
    rt_guard_leave(t);
    errno = saved_errno;
    return slot;
}

/* ---- writer-side walks -------------------------------------------------- */

void rt_threads_sweep(void (*cb)(void *u, rt_buf *b, rt_thread *rec), void *u) {
    pthread_mutex_lock(&reg.mu);
    for (rt_thread *r = reg.live; r; r = r->next) {
        rt_buf *b = __atomic_load_n(&r->buf, __ATOMIC_ACQUIRE);
        if (b)
            cb(u, b, r);
    }
    pthread_mutex_unlock(&reg.mu);
    if (pthread_mutex_trylock(&late_mu) == 0) {
        if (late)
            cb(u, late, NULL);
        pthread_mutex_unlock(&late_mu);
    }
}

void rt_threads_foreach_live(void (*cb)(void *u, rt_thread *rec), void *u) {
    pthread_mutex_lock(&reg.mu);
    for (rt_thread *r = reg.live; r; r = r->next)
        cb(u, r);
    pthread_mutex_unlock(&reg.mu);
}

/* ---- fork ------------------------------------------------------------------ */

void rt_threads_fork_prepare(void) {
    pthread_mutex_lock(&late_mu);
    pthread_mutex_lock(&reg.mu);
}

void rt_threads_fork_parent(void) {
    pthread_mutex_unlock(&reg.mu);
    pthread_mutex_unlock(&late_mu);
}

void rt_threads_fork_child(void) {
    pthread_mutex_init(&reg.mu, NULL);
    pthread_mutex_init(&late_mu, NULL);
    rt_tls *t = &rt_self;
    /* only the forking thread survives; other records are recycled */
    rt_thread *keep = t->state == RT_TS_ACTIVE ? t->rec : NULL;
    for (rt_thread *r = reg.live, *n; r; r = n) {
        n = r->next;
        if (r != keep) {
            r->next = reg.free_list;
            reg.free_list = r;
        }
    }
    reg.live = keep;
    reg.started = keep ? 1 : 0;
    if (keep) {
        keep->next = NULL;
        keep->tid = rt_gettid();
        keep->start_ns = rt_clock_now();
        keep->announced = 0;
        t->tid = keep->tid;
        if (t->buf) {
            /* the parent's pending events are the parent's */
            memset(t->buf->ev, 0, (size_t)t->buf->cap * sizeof(ms_event));
            t->buf->flushed = 0;
            t->buf->tid = t->tid;
            t->saved_cur = t->buf->ev;
        }
    }
    late = NULL;
}

/* ---- stack ids ---------------------------------------------------------------- */

#define RT_MAX_DEPTH 256

static inline rt_cache_ent *cache_slot(uint64_t key) {
    return &rt_self.cache[rt_cache_index(key)];
}

/* key 0 first: a signal handler never sees a new id under an old key */
static inline void cache_store(uint64_t key, uint32_t id, uint32_t rec) {
    if (rt_self.state == RT_TS_DEAD || !id)
        return; /* the dead threads' cache is shared and never written */
    rt_cache_ent *c = cache_slot(key);
    c->key = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    c->id = id;
    c->rec = rec;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    c->key = key;
}

/* Unwind from the twin's caller (@ra), the runtime's own frames dropped. */
static size_t unwind(const void *ra, uint64_t *frames) {
    rt_thread *rec = rt_self.rec;
    uint32_t depth = rt_stack_depth;
    size_t n = rt_unwind_fp(frames, depth + 8, 0, rec->stk_lo, rec->stk_hi);
    size_t i = 0;
    while (i < n && i < 8 && frames[i] != (uint64_t)(uintptr_t)ra)
        i++;
    if (i == n || i == 8) {
        frames[0] = (uint64_t)(uintptr_t)ra;
        return 1;
    }
    n -= i;
    if (n > depth)
        n = depth;
    if (i)
        memmove(frames, frames + i, n * sizeof *frames);
    return n;
}

/* Uninstrumented caller: unwind at every event, but intern (hash the frames
 * into the global table) only when this thread has not seen the frames yet:
 * a 64-bit digest of the frames keys the same per-thread cache. */
uint32_t rt_stack_unwound(const void *ra) {
    uint64_t frames[RT_MAX_DEPTH + 8];
    size_t n = unwind(ra, frames);
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ frames[i]) * 0x100000001b3ull * 0x9E3779B97F4A7C15ull + (h >> 29);
    h = (h ^ (h >> 31)) | 2; /* bit 1 set: never equal to a small ctx key */
    const rt_cache_ent *c = cache_slot(h);
    if (c->key == h)
        return c->id;
    uint32_t id = rt_stacktab_intern(frames, (uint32_t)n);
    cache_store(h, id, 0);
    return id;
}

/* Neither predicted nor cached: the global table, else an unwind. This is
 * where successors are (re)learnt; a transition the per-thread cache serves
 * costs little, and relearning there would write shared records at every
 * misprediction of an irregular sequence (rt_stack_cached only fills in a
 * record's first successor). */
uint32_t rt_stack_miss(uint64_t key, const void *ra) {
    uint32_t rec = 0;
    uint32_t id = rt_stacktab_lookup_ctx(key, &rec);
    if (!id) {
        uint64_t frames[RT_MAX_DEPTH + 8];
        size_t n = unwind(ra, frames);
        id = rt_stacktab_intern(frames, (uint32_t)n);
        if (id && rt_self.state != RT_TS_DEAD)
            rec = rt_stacktab_bind_ctx(key, id);
    }
    cache_store(key, id, rec);
    rt_stacktab_learn(rt_self.ctx_cur, rec);
    rt_self.ctx_cur = rec;
    return id;
}
