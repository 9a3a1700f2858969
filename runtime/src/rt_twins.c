/*
 * rt_twins.c - the entry points of memscope_abi.h that the pass injects.
 * Each calls glibc's real function and appends one event (rt_record): a free,
 * and the old half of a realloc, is stamped before the real call, an
 * allocation after it. free(NULL) is not recorded.
 */
#include <errno.h>
#include <string.h>

#include "rt_core.h"
#include "rt_escape.h"
#include "rt_twins.h"

_Static_assert(MEMSCOPE_SITE_MALLOC == MS_SITE_MALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_CALLOC == MS_SITE_CALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_REALLOC == MS_SITE_REALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_REALLOCARRAY == MS_SITE_REALLOCARRAY, "site kinds");
_Static_assert(MEMSCOPE_SITE_FREE == MS_SITE_FREE, "site kinds");
_Static_assert(MEMSCOPE_SITE_ALIGNED_ALLOC == MS_SITE_ALIGNED_ALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_MEMALIGN == MS_SITE_MEMALIGN, "site kinds");
_Static_assert(MEMSCOPE_SITE_POSIX_MEMALIGN == MS_SITE_POSIX_MEMALIGN, "site kinds");
_Static_assert(MEMSCOPE_SITE_VALLOC == MS_SITE_VALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_PVALLOC == MS_SITE_PVALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_STRDUP == MS_SITE_STRDUP, "site kinds");
_Static_assert(MEMSCOPE_SITE_STRNDUP == MS_SITE_STRNDUP, "site kinds");
_Static_assert(MEMSCOPE_SITE_CUSTOM_ALLOC == MS_SITE_CUSTOM_ALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_CUSTOM_FREE == MS_SITE_CUSTOM_FREE, "site kinds");
_Static_assert(MEMSCOPE_SITE_CUSTOM_REALLOC == MS_SITE_CUSTOM_REALLOC, "site kinds");
_Static_assert(MEMSCOPE_SITE_SCOPE_EXIT == MS_SITE_SCOPE_EXIT, "site kinds");
_Static_assert(MEMSCOPE_SITE_ESCAPE == MS_SITE_ESCAPE, "site kinds");
_Static_assert(MEMSCOPE_SITE_LOCAL_DEAD == MS_SITE_LOCAL_DEAD, "site kinds");
_Static_assert(MEMSCOPE_SITE_DTOR == MS_SITE_DTOR, "site kinds");
_Static_assert(MEMSCOPE_SITE_CLEANUP == MS_SITE_CLEANUP, "site kinds");
_Static_assert(sizeof(ms_event) == 48, "event slot layout");

#define RA __builtin_return_address(0)

RT_EXPORT void *__memscope_malloc(size_t n, const memscope_site *site) {
    return rt_do_malloc(n, site, 0, RA);
}

RT_EXPORT void *__memscope_calloc(size_t n, size_t m, const memscope_site *site) {
    return rt_do_calloc(n, m, site, 0, RA);
}

RT_EXPORT void *__memscope_realloc(void *p, size_t n, const memscope_site *site) {
    return rt_do_realloc(p, n, site, 0, RA);
}

RT_EXPORT void *__memscope_reallocarray(void *p, size_t n, size_t m, const memscope_site *site) {
    return rt_do_reallocarray(p, n, m, site, 0, RA);
}

RT_EXPORT void __memscope_free(void *p, const memscope_site *site) {
    rt_do_free(p, site, 0, RA);
}

RT_EXPORT void *__memscope_aligned_alloc(size_t align, size_t n, const memscope_site *site) {
    return rt_do_aligned_alloc(align, n, site, 0, RA);
}

RT_EXPORT void *__memscope_memalign(size_t align, size_t n, const memscope_site *site) {
    return rt_do_memalign(align, n, site, 0, RA);
}

RT_EXPORT int __memscope_posix_memalign(void **out, size_t align, size_t n,
                                        const memscope_site *site) {
    return rt_do_posix_memalign(out, align, n, site, 0, RA);
}

RT_EXPORT void *__memscope_valloc(size_t n, const memscope_site *site) {
    return rt_do_valloc(n, site, 0, RA);
}

RT_EXPORT void *__memscope_pvalloc(size_t n, const memscope_site *site) {
    return rt_do_pvalloc(n, site, 0, RA);
}

RT_EXPORT char *__memscope_strdup(const char *s, const memscope_site *site) {
    size_t len = strlen(s) + 1;
    char *p = __libc_malloc(len);
    if (p)
        memcpy(p, s, len);
    rt_record(MS_EV_ALLOC, p ? 0 : MS_EVF_FAILED, (uintptr_t)p, 0, len, site, RA);
    return p;
}

RT_EXPORT char *__memscope_strndup(const char *s, size_t n, const memscope_site *site) {
    size_t len = strnlen(s, n);
    char *p = __libc_malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = 0;
    }
    rt_record(MS_EV_ALLOC, p ? 0 : MS_EVF_FAILED, (uintptr_t)p, 0, len + 1, site, RA);
    return p;
}

RT_EXPORT void __memscope_custom_alloc(void *p, size_t n, const memscope_site *site) {
    rt_record(MS_EV_CUSTOM_ALLOC, p ? 0 : MS_EVF_FAILED, (uintptr_t)p, 0, n, site, RA);
}

RT_EXPORT void __memscope_custom_free(void *p, const memscope_site *site) {
    if (p)
        rt_record(MS_EV_CUSTOM_FREE, 0, (uintptr_t)p, 0, 0, site, RA);
}

/* Lifetime events are as frequent as allocations but their site already
 * names the variable and the place: they carry no stack (stack id 0), which
 * keeps them at the cost of one reservation and one time stamp. */
static inline void record_nostack(uint8_t kind, uint64_t addr, uint64_t aux, uint64_t size,
                                  const memscope_site *site) {
    ms_event *e = rt_reserve();
    if (RT_UNLIKELY(!e))
        return;
    rt_publish(e, kind, 0, addr, aux, size, site, 0, rt_clock_now());
}

RT_EXPORT void __memscope_scope_exit(const void *value, const memscope_site *site) {
    record_nostack(MS_EV_SCOPE_EXIT, (uintptr_t)value, 0, 0, site);
}

RT_EXPORT void __memscope_escape(const void *local, const void *slot, const memscope_site *site) {
    rt_escape_note((uintptr_t)local, (uintptr_t)slot);
    record_nostack(MS_EV_ESCAPE, (uintptr_t)local, (uintptr_t)slot, 0, site);
}

/* Recorded only while a slot the local escaped into still points into it
 * (rt_escape.h): an address published and withdrawn before the local dies is
 * no dangling pointer. */
RT_EXPORT void __memscope_local_dead(const void *local, size_t size, const memscope_site *site) {
    if (rt_escape_still_dangling((uintptr_t)local, size))
        record_nostack(MS_EV_LOCAL_DEAD, (uintptr_t)local, 0, size, site);
}

RT_EXPORT void __memscope_dtor_begin(const void *obj, const memscope_site *site) {
    ms_event *e = rt_reserve();
    if (!e)
        return;
    uint32_t st = rt_stack_id(RA);
    uint64_t now = rt_clock_now();
    rt_thread *rec = rt_self.rec;
    if (rec->dtor_depth < 16)
        rec->dtor_start[rec->dtor_depth] = now;
    rec->dtor_depth++;
    rt_publish(e, MS_EV_DTOR_BEGIN, 0, (uintptr_t)obj, 0, 0, site, st, now);
}

RT_EXPORT void __memscope_dtor_end(const void *obj, const memscope_site *site) {
    ms_event *e = rt_reserve();
    if (!e)
        return;
    uint32_t st = rt_stack_id(RA);
    uint64_t now = rt_clock_now();
    rt_thread *rec = rt_self.rec;
    uint64_t dur = 0; /* ticks here; the writer converts to ns */
    if (rec->dtor_depth > 0) {
        rec->dtor_depth--;
        if (rec->dtor_depth < 16)
            dur = now - rec->dtor_start[rec->dtor_depth];
    }
    rt_publish(e, MS_EV_DTOR_END, 0, (uintptr_t)obj, dur, 0, site, st, now);
}
