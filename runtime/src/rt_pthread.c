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
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <threads.h>

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

static void *trampoline(void *p) {
    tramp_arg a = *(tramp_arg *)p;
    __libc_free(p);
    rt_parent_tid = a.parent;
    if (rt_self.rec && rt_self.state == RT_TS_ACTIVE)
        rt_self.rec->parent = a.parent; /* the thread already recorded an event */
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
