/*
 * rt_pthread.c - pthread_create interposed to learn each thread's parent
 * (ms_thread.parent_tid). The start routine runs through a trampoline that
 * stores the creator's tid in the new thread's TLS before the user's code;
 * the thread's record picks it up at its first event (rt_thread.c). The real
 * pthread_create comes from dlsym(RTLD_NEXT); if it cannot be found the call
 * fails with EAGAIN rather than recursing.
 *
 * Static executables (-static): dlsym(RTLD_NEXT) finds nothing there, and
 * libc.a's pthread_create is a weak alias of __pthread_create, which ours
 * (strong) overrides. The real one is then glibc's __pthread_create, taken
 * through a weak reference (NULL in dynamic links: libc.so does not export
 * it). A weak reference does not pull an archive member, so the runtime
 * keeps a strong reference to thrd_create (public in libc.so and in libc.a),
 * whose member needs __pthread_create and so pulls pthread_create.o in.
 *
 * Root contexts: the pass's calling context (__memscope_ctx) is 0 in a
 * thread's first frame, which would send every event there to an unwind.
 * The frames above a start routine (this trampoline, start_thread, clone)
 * and above main never change, so the trampoline seeds the context with a
 * value derived from the start routine, and rt_ctx_seed_main() seeds main's.
 * Only for code of the executable, and only when the executable itself is
 * instrumented (it registered its sites): a start routine of an
 * uninstrumented library, or any thread of an uninstrumented host (the
 * preloaded runtime), keeps context 0 and exact unwinding. A seed is a
 * 64-bit hash: a pass-computed context (3V + callsite from a root) equals it
 * with probability 2^-64, the same odds as any two contexts colliding.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <threads.h>
#include <unistd.h>

#include "rt_core.h"

extern int __pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *)
    __attribute__((weak));
/* the strong reference described above; never called */
__attribute__((used)) static int (*const volatile rt_pull_thrd_create)(thrd_t *, thrd_start_t,
                                                                      void *) = thrd_create;

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

typedef struct {
    void *(*fn)(void *);
    void *arg;
    uint32_t parent;
} tramp_arg;

RT_TLS uint32_t rt_parent_tid RT_HIDDEN;

/* The executable's bounds (linker-defined). Weak and hidden: in the shared
 * runtime __executable_start is resolved at link time to NULL (the linker
 * defines it only for executables; it must not bind to a host's exported
 * one, since etext and _end there are the library's), so nothing is seeded
 * for a host that is not known to be instrumented. */
#define RT_WEAK_LOCAL __attribute__((weak, visibility("hidden")))
extern const char __executable_start[] RT_WEAK_LOCAL;
extern const char etext[] RT_WEAK_LOCAL;
extern const char _end[] RT_WEAK_LOCAL;

static int seed_threads; /* the executable is instrumented; atomic access */

static uint64_t seed_of(uint64_t x) {
    x ^= 0x5EEDC0DE7A5C0FFEull; /* splitmix64 finaliser */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x ? x : 1;
}

void rt_ctx_seed_main(const void *first_site) {
    const char *s = first_site;
    if (!__executable_start || !_end || s < __executable_start || s >= _end)
        return; /* not the executable's own sites */
    __atomic_store_n(&seed_threads, 1, __ATOMIC_RELAXED);
    if (__memscope_ctx == 0 && rt_gettid() == (uint32_t)getpid())
        __memscope_ctx = seed_of(0x6d61696e); /* "main" */
}

static void *trampoline(void *p) {
    tramp_arg a = *(tramp_arg *)p;
    __libc_free(p);
    rt_parent_tid = a.parent;
    if (rt_self.rec && rt_self.state == RT_TS_ACTIVE)
        rt_self.rec->parent = a.parent; /* the thread already recorded an event */
    const char *f = (const char *)(uintptr_t)a.fn;
    if (__atomic_load_n(&seed_threads, __ATOMIC_RELAXED) && etext && f >= __executable_start &&
        f < etext)
        __memscope_ctx = seed_of((uint64_t)(uintptr_t)a.fn);
    return a.fn(a.arg);
}

RT_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
                             void *arg) {
    static create_fn real;
    create_fn r = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
    if (!r) {
        rt_tls *t = &rt_self;
        rt_guard_enter(t); /* dlsym may allocate */
        r = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
        rt_guard_leave(t);
        if (!r && __pthread_create)
            r = __pthread_create; /* static executable */
        if (!r || r == pthread_create)
            return EAGAIN;
        __atomic_store_n(&real, r, __ATOMIC_RELEASE);
    }
    /* runtime-internal, never recorded: __libc_malloc directly */
    tramp_arg *a = __libc_malloc(sizeof *a);
    if (!a)
        return EAGAIN;
    a->fn = fn;
    a->arg = arg;
    a->parent = rt_self.tid ? rt_self.tid : rt_gettid();
    int rc = r(th, attr, trampoline, a);
    if (rc != 0)
        __libc_free(a);
    return rc;
}
