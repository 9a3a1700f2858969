/*
 * rt_twins.h - the shared bodies of the allocation twins (rt_twins.c, called
 * with the pass's site) and of the interposed malloc family (rt_interpose.c,
 * site NULL and MS_EVF_NO_SITE). Always inlined into the exported function so
 * @ra is that function's return address.
 */
#ifndef RT_TWINS_H
#define RT_TWINS_H

#include <errno.h>

#include "rt_core.h"

#define RT_INLINE static inline __attribute__((always_inline))

RT_INLINE void *rt_do_malloc(size_t n, const void *site, uint8_t fl, const void *ra) {
    void *p = __libc_malloc(n);
    rt_record(MS_EV_ALLOC, fl | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, n, site, ra);
    return p;
}

RT_INLINE void *rt_do_calloc(size_t n, size_t m, const void *site, uint8_t fl, const void *ra) {
    void *p = __libc_calloc(n, m);
    size_t sz;
    if (__builtin_mul_overflow(n, m, &sz))
        sz = SIZE_MAX;
    rt_record(MS_EV_ALLOC, fl | MS_EVF_ZEROED | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, sz,
              site, ra);
    return p;
}

RT_INLINE void rt_do_free(void *p, const void *site, uint8_t fl, const void *ra) {
    if (p)
        rt_record(MS_EV_FREE, fl, (uintptr_t)p, 0, 0, site, ra);
    __libc_free(p);
}

RT_INLINE void *rt_do_realloc(void *p, size_t n, const void *site, uint8_t fl, const void *ra) {
    if (!p)
        return rt_do_malloc(n, site, fl, ra);
    if (n == 0) {
        /* glibc: realloc(p, 0) frees p and returns NULL */
        rt_record(MS_EV_FREE, fl, (uintptr_t)p, 0, 0, site, ra);
        return __libc_realloc(p, 0);
    }
    /* slot and time taken before the call: the old block's release is
     * ordered before any reuse of its address by another thread */
    ms_event *e = rt_reserve();
    uint32_t st = 0;
    uint64_t ts = 0;
    if (e) {
        st = rt_stack_id(ra);
        ts = rt_clock_now();
    }
    void *q = __libc_realloc(p, n);
    if (e) {
        uint64_t after = q ? rt_clock_now_after() : ts;
        uint16_t d = rt_delta_encode(after > ts ? after - ts : 0);
        rt_publish_r(e, MS_EV_REALLOC, fl | (q ? 0 : MS_EVF_FAILED), (uintptr_t)q, (uintptr_t)p,
                     n, site, st, ts, d);
    }
    return q;
}

RT_INLINE void *rt_do_reallocarray(void *p, size_t n, size_t m, const void *site, uint8_t fl,
                                   const void *ra) {
    size_t sz;
    if (__builtin_mul_overflow(n, m, &sz)) {
        errno = ENOMEM;
        rt_record(p ? MS_EV_REALLOC : MS_EV_ALLOC, fl | MS_EVF_FAILED, 0, (uintptr_t)p, SIZE_MAX,
                  site, ra);
        return NULL;
    }
    return rt_do_realloc(p, sz, site, fl, ra);
}

static inline int rt_pow2(size_t a) { return a && !(a & (a - 1)); }

RT_INLINE void *rt_do_memalign(size_t al, size_t n, const void *site, uint8_t fl, const void *ra) {
    void *p = __libc_memalign(al, n);
    rt_record(MS_EV_ALLOC, fl | MS_EVF_ALIGNED | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, n,
              site, ra);
    return p;
}

RT_INLINE void *rt_do_aligned_alloc(size_t al, size_t n, const void *site, uint8_t fl,
                                    const void *ra) {
    if (!rt_pow2(al)) {
        errno = EINVAL;
        rt_record(MS_EV_ALLOC, fl | MS_EVF_ALIGNED | MS_EVF_FAILED, 0, 0, n, site, ra);
        return NULL;
    }
    return rt_do_memalign(al, n, site, fl, ra);
}

RT_INLINE int rt_do_posix_memalign(void **out, size_t al, size_t n, const void *site, uint8_t fl,
                                   const void *ra) {
    int err = 0;
    void *p = NULL;
    if (!rt_pow2(al) || al % sizeof(void *)) {
        err = EINVAL;
    } else {
        int saved = errno;
        p = __libc_memalign(al, n);
        errno = saved; /* posix_memalign reports through its result only */
        if (!p)
            err = ENOMEM;
        else
            *out = p;
    }
    rt_record(MS_EV_ALLOC, fl | MS_EVF_ALIGNED | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, n,
              site, ra);
    return err;
}

RT_INLINE void *rt_do_valloc(size_t n, const void *site, uint8_t fl, const void *ra) {
    void *p = __libc_valloc(n);
    rt_record(MS_EV_ALLOC, fl | MS_EVF_ALIGNED | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, n,
              site, ra);
    return p;
}

RT_INLINE void *rt_do_pvalloc(size_t n, const void *site, uint8_t fl, const void *ra) {
    void *p = __libc_pvalloc(n);
    rt_record(MS_EV_ALLOC, fl | MS_EVF_ALIGNED | (p ? 0 : MS_EVF_FAILED), (uintptr_t)p, 0, n,
              site, ra);
    return p;
}

#endif
