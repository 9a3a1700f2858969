/*
 * rt_core.h - internal contract of the runtime core (never installed).
 *
 * Data flow: a twin or interposed allocator reserves one ms_event slot in the
 * calling thread's buffer (rt_reserve: one non-locked xadd on initial-exec
 * TLS, one unlikely branch), fills it and publishes it by storing `kind`
 * last. A full buffer is queued to the writer thread (rt_writer.c), which
 * encodes it as one chunk. The writer may also copy the published prefix of a
 * buffer that is still being filled (timer flush): slots are published in
 * order and a slot with kind == 0 ends the prefix.
 *
 * Every runtime-owned region holding events or maps is mmap'ed (rt_map), so
 * the leak scan never mistakes runtime records for program pointers.
 */
#ifndef RT_CORE_H
#define RT_CORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "memscope_abi.h"
#include "msformat.h"
#include "rt_stacktab.h"

#define RT_EXPORT __attribute__((visibility("default")))
#define RT_HIDDEN __attribute__((visibility("hidden")))
#define RT_NOINLINE __attribute__((noinline))
#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RT_TLS __thread __attribute__((tls_model("initial-exec")))

/* ---- glibc's real allocator (exported by glibc 2.36) ---------------------- */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);
void *__libc_valloc(size_t n);
void *__libc_pvalloc(size_t n);

/* ---- buffers ---------------------------------------------------------------- */
typedef struct rt_buf {
    struct rt_buf *next;      /* queue / free-list link (under rt_q.mu) */
    ms_event *ev;             /* cap slots, zeroed when recycled */
    uint32_t *tids;           /* late buffer only: per-slot thread id */
    uint32_t cap;
    uint32_t used;            /* slots handed off (set by the producer at hand-off) */
    uint32_t flushed;         /* writer only: prefix already written */
    uint32_t tid;             /* owner thread (0 for the late buffer) */
    struct rt_thread *owner;  /* NULL for the late buffer */
    int final;                /* owner's last buffer (thread exit) */
    size_t map_len;
} rt_buf;

/* Per-thread stack-id cache entry (ctx key -> stack id, and the key's
 * context record for successor prediction, rt_stacktab.h). */
#define rt_cache_index(key) ((size_t)(((key) ^ ((key) >> 29)) & (RT_CACHE_SIZE - 1)))
typedef struct {
    uint64_t key;
    uint32_t id;
    uint32_t rec;             /* context record reference, 0 = none */
} rt_cache_ent;
#define RT_CACHE_BITS 16 /* 1 MiB per thread, mapped lazily by the kernel */
#define RT_CACHE_SIZE (1u << RT_CACHE_BITS)

/* One registered thread (mmap'ed registry, recycled by the writer). */
typedef struct rt_thread {
    struct rt_thread *next;   /* live or free list (under rt_reg.mu) */
    rt_buf *buf;              /* current buffer (writer sweeps it); atomic access */
    uint32_t tid;
    uint32_t parent;
    uint64_t start_ns;        /* rt_clock_ns() units already converted */
    uint64_t end_ns;          /* 0 while running */
    char name[16];
    int ended;                /* set at thread exit; record freed once written */
    int announced;            /* writer: start already written */
    uintptr_t stk_lo, stk_hi;
    uint32_t dtor_depth;      /* open __memscope_dtor_begin brackets */
    uint64_t dtor_start[16];  /* their start ticks */
    rt_cache_ent *cache;      /* RT_CACHE_SIZE entries, mmap'ed; kept when the
                                 record is recycled (entries are global facts) */
} rt_thread;

/* Thread states (rt_tls.state). */
enum { RT_TS_NEW = 0, RT_TS_ACTIVE, RT_TS_DEAD, RT_TS_OFF, RT_TS_INTERNAL };

/* Per-thread TLS state: small, initial-exec. All-zero is the valid initial
 * state: cur == limit == NULL sends the first event to the slow path. */
typedef struct rt_tls {
    ms_event *cur;            /* next slot; advanced by xadd */
    ms_event *limit;          /* end of the buffer while recording, else NULL */
    ms_event *end;            /* end of the current buffer */
    ms_event *saved_cur;      /* guard: cur at entry */
    rt_thread *rec;
    rt_cache_ent *cache;      /* rec->cache, or a never-written one after exit */
    rt_buf *buf;
    uint32_t guard;           /* recursion guard depth */
    uint32_t state;           /* RT_TS_* */
    uint32_t tid;
    uint32_t in_slow;         /* inside rt_reserve_slow (a nested event is a drop) */
    uint32_t ctx_cur;         /* context record (reference) of the last keyed event */
} rt_tls;

extern RT_TLS rt_tls rt_self RT_HIDDEN;
extern RT_TLS uint32_t rt_parent_tid RT_HIDDEN; /* set by rt_pthread.c's trampoline */
extern RT_TLS uint64_t __memscope_ctx;

/* ---- process state ------------------------------------------------------- */
enum { RT_PS_EARLY = 0, RT_PS_RUNNING, RT_PS_CLOSED, RT_PS_OFF, RT_PS_CHILD };

typedef struct {
    int state;                /* RT_PS_*, atomic access */
    int writer_up;            /* writer thread running, atomic access */
    uint64_t dropped;         /* events not recorded (signal inside slow path) */
    int fatal;                /* a fatal signal is being handled: no mallinfo2 */
    pid_t pid;
    int fork_child;
} rt_process;
extern rt_process rt_proc RT_HIDDEN;

/* ---- guard --------------------------------------------------------------------
 * While guarded, the fast path always branches to the slow path, which
 * records nothing: the runtime's own allocations (msgpack, zstd, pthread
 * internals) are never recorded. Nestable; async-signal-safe. */
static inline void rt_guard_enter(rt_tls *t) {
    if (t->guard++ == 0)
        t->saved_cur = t->cur;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->limit = NULL;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
static inline void rt_guard_leave(rt_tls *t) {
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (t->guard == 1)
        t->cur = t->saved_cur;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (--t->guard == 0 && t->state == RT_TS_ACTIVE && rt_proc.state <= RT_PS_RUNNING)
        t->limit = t->end;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* ---- slot reservation: the hot path ---------------------------------------- */
/*! rt_reserve_slow() : first event of a thread, full buffer, guard, closed.
 *  @e: the slot the fast path reserved (maybe invalid). @return a slot to
 *  fill, or NULL when this event must not be recorded. */
RT_HIDDEN ms_event *rt_reserve_slow(ms_event *e) RT_NOINLINE;

static inline __attribute__((always_inline)) ms_event *rt_reserve(void) {
    rt_tls *t = &rt_self;
    ms_event *e = (ms_event *)(uintptr_t)sizeof(ms_event);
    /* one non-locked xadd: atomic with respect to signal handlers */
    __asm__ volatile("xaddq %0, %1" : "+r"(e), "+m"(t->cur) : : "memory");
    if (RT_UNLIKELY(e >= t->limit))
        return rt_reserve_slow(e);
    /* below a non-NULL limit the slot lies in the current buffer: telling
     * the compiler saves the callers' NULL test on the fast path */
    if (e == NULL)
        __builtin_unreachable();
    return e;
}

/*! rt_publish() : store the fields, kind last (the writer reads a slot only
 *  once its kind is non-zero). Slots are zero when handed out (buffers are
 *  zeroed when recycled), so fields that are a constant 0 at the call site
 *  are not stored, and stack, kind and flags go out as one 8-byte release
 *  store at offset 40 (stack u32, kind u8, flags u8, reserved u16). */
typedef uint64_t rt_u64_alias __attribute__((may_alias));
_Static_assert(offsetof(ms_event, stack) == 40 && offsetof(ms_event, kind) == 44 &&
                   offsetof(ms_event, flags) == 45 && offsetof(ms_event, reserved) == 46,
               "ms_event tail layout");
#define RT_STORE_NZ(dst, v)                            \
    do {                                               \
        if (!__builtin_constant_p(v) || (v) != 0)      \
            (dst) = (v);                               \
    } while (0)
#define rt_publish(e_in, kind_, flags_, addr_, aux_, size_, site_, stack_, time_)            \
    rt_publish_r(e_in, kind_, flags_, addr_, aux_, size_, site_, stack_, time_, 0)
/* rt_publish_r() : the same with a `reserved` value (REALLOC's delta). */
#define rt_publish_r(e_in, kind_, flags_, addr_, aux_, size_, site_, stack_, time_, res_)    \
    do {                                                                                     \
        ms_event *e_ = (e_in);                                                               \
        e_->time_ns = (time_);                                                               \
        RT_STORE_NZ(e_->addr, (uint64_t)(addr_));                                            \
        RT_STORE_NZ(e_->aux, (uint64_t)(aux_));                                              \
        RT_STORE_NZ(e_->size, (uint64_t)(size_));                                            \
        RT_STORE_NZ(e_->site, (uint64_t)(uintptr_t)(site_));                                 \
        __atomic_store_n((rt_u64_alias *)(void *)&e_->stack,                                 \
                         (uint64_t)(uint32_t)(stack_) | (uint64_t)(uint8_t)(kind_) << 32 |   \
                             (uint64_t)(uint8_t)(flags_) << 40 |                             \
                             (uint64_t)(uint16_t)(res_) << 48,                               \
                         __ATOMIC_RELEASE);                                                  \
    } while (0)

/* ---- realloc: time of the allocation half ------------------------------------
 * A REALLOC event is stamped before the real call (its release of the old
 * block precedes any reuse of that address). The writer's live map also
 * needs a stamp taken after the call for the new block (a block freed by
 * another thread during the call can be the one returned). The tick delta
 * travels in the slot's `reserved` field, which the writer zeroes before
 * encoding: below 2^15 as is, else 0x8000 | shift << 10 | (delta >> shift)
 * with the 10-bit mantissa truncated (the decoded delta is never later than
 * the real one). */
static inline uint16_t rt_delta_encode(uint64_t d) {
    if (d < 0x8000u)
        return (uint16_t)d;
    unsigned sh = 0;
    while ((d >> sh) >= 0x400u && sh < 31)
        sh++;
    uint64_t mant = d >> sh;
    if (mant >= 0x400u)
        mant = 0x3ffu;
    return (uint16_t)(0x8000u | sh << 10 | mant);
}
static inline uint64_t rt_delta_decode(uint16_t v) {
    if (!(v & 0x8000u))
        return v;
    return (uint64_t)(v & 0x3ffu) << ((v >> 10) & 31u);
}

/* ---- stack ids (rt_thread.c) -------------------------------------------------- */
RT_HIDDEN uint32_t rt_stack_miss(uint64_t key, const void *ra) RT_NOINLINE;
RT_HIDDEN uint32_t rt_stack_unwound(const void *ra) RT_NOINLINE;
RT_HIDDEN extern uint32_t rt_stack_depth;

/*! rt_ctx_seed_main() : root contexts (rt_pthread.c). Called by
 *  __memscope_init_v1 with a module's first site: when that module is the
 *  executable itself and the caller is the main thread before main (context
 *  still 0), the main thread's __memscope_ctx gets a fixed non-zero seed, and
 *  threads whose start routine lies in the executable's text get one per
 *  start routine (the frames above main and above a start routine never
 *  change, so events there need no unwind at every event). */
RT_HIDDEN void rt_ctx_seed_main(const void *first_site);

/*! rt_stack_key() : the context key of an event at @ra under context @ctx
 *  (never 0). */
static inline __attribute__((always_inline)) uint64_t rt_stack_key(uint64_t ctx,
                                                                   const void *ra) {
    return ((ctx * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(uintptr_t)ra) | 1;
}

/*! rt_stack_cached() : levels (2) and (3) of rt_stack_id() for @key, after
 *  a misprediction. A cache hit teaches the previous record its successor
 *  only if it had none (rt_stacktab_learn_first); the table path always
 *  does (rt_stack_miss). */
static inline __attribute__((always_inline)) uint32_t rt_stack_cached(uint64_t key,
                                                                      const void *ra) {
    rt_tls *t = &rt_self;
    const rt_cache_ent *c = &t->cache[rt_cache_index(key)];
    if (RT_LIKELY(c->key == key)) {
        rt_stacktab_learn_first(t->ctx_cur, c->rec);
        t->ctx_cur = c->rec;
        return c->id;
    }
    return rt_stack_miss(key, ra);
}

/*! rt_stack_id() : stack id of the current event in O(1) when the pass keeps a
 *  calling context; @ra is the twin's return address. Only after a successful
 *  rt_reserve() (the thread record exists).
 *  Three levels: (1) successor prediction: the context record that followed
 *  the thread's previous context last time, prefetched one event ahead and
 *  used only if its key equals this key (rt_stacktab_predict: needs no
 *  thread record); (2) the per-thread cache; (3) the global key table, then
 *  an unwind (rt_stack_miss, which also teaches the previous record its
 *  successor). Every level maps a key to the id bound to that key, so a
 *  misprediction costs time, never a wrong id. */
static inline __attribute__((always_inline)) uint32_t rt_stack_id(const void *ra) {
    uint64_t ctx = __memscope_ctx;
    if (RT_UNLIKELY(ctx == 0))
        return rt_stack_unwound(ra);
    uint64_t key = rt_stack_key(ctx, ra);
    uint32_t id;
    if (RT_LIKELY(rt_stacktab_predict(&rt_self.ctx_cur, key, &id)))
        return id;
    return rt_stack_cached(key, ra);
}

/* ---- helpers ----------------------------------------------------------------- */
RT_HIDDEN void *rt_mmap(size_t len);            /* mmap anonymous, NULL on failure */
RT_HIDDEN void rt_munmap(void *p, size_t len);
RT_HIDDEN uint32_t rt_gettid(void);

#include "rt_clock.h"

/* ---- common event emission ----------------------------------------------------
 * rt_record() : one complete event from a twin or hook whose return address
 * is @ra: reserve, stack id, time (after the real call for allocations,
 * before it otherwise: the caller places the call), publish. */
#define RT_ALWAYS_INLINE static inline __attribute__((always_inline))
RT_ALWAYS_INLINE void rt_record(uint8_t kind, uint8_t flags, uint64_t addr, uint64_t aux,
                                uint64_t size, const void *site, const void *ra) {
    ms_event *e = rt_reserve();
    if (RT_UNLIKELY(!e))
        return;
    uint32_t st = rt_stack_id(ra);
    /* allocations are stamped after the real call, everything else before */
    uint64_t now = kind == MS_EV_ALLOC || kind == MS_EV_CUSTOM_ALLOC ? rt_clock_now_after()
                                                                      : rt_clock_now();
    rt_publish(e, kind, flags, addr, aux, size, site, st, now);
}

#endif /* RT_CORE_H */
