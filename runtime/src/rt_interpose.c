/*
 * rt_interpose.c - the whole heap: malloc and its family defined here so that
 * code that was not instrumented (libc, system libraries: glibc routes its
 * own allocations through an interposed malloc, see its manual's "Replacing
 * malloc") is recorded too, with a stack and MS_EVF_NO_SITE. They call
 * glibc's __libc_* functions directly, so no dlsym bootstrap is needed and
 * they work before the runtime is initialised. malloc_usable_size and
 * mallinfo2 stay glibc's: the blocks are glibc's.
 */
#include "rt_core.h"
#include "rt_twins.h"

/* Weak definitions: in a dynamic executable (or LD_PRELOADed .so) the
 * dynamic linker binds every object's malloc to the first definition in
 * lookup order (the executable's), weak or not, so the whole heap goes
 * through these. In a -static link, libc.a's malloc.o (pulled in by the
 * __libc_* references) defines them strongly and wins instead of a
 * "multiple definition" error: the program links and runs, instrumented
 * calls (the __memscope_* twins) are recorded, libc's own internal
 * allocations are not (docs/RUNTIME.md, "Static executables"). */
#define RT_WEAK_EXPORT RT_EXPORT __attribute__((weak))
#define RA __builtin_return_address(0)
#define NS MS_EVF_NO_SITE

RT_WEAK_EXPORT void *malloc(size_t n) { return rt_do_malloc(n, NULL, NS, RA); }
RT_WEAK_EXPORT void free(void *p) { rt_do_free(p, NULL, NS, RA); }
RT_WEAK_EXPORT void *calloc(size_t n, size_t m) { return rt_do_calloc(n, m, NULL, NS, RA); }
RT_WEAK_EXPORT void *realloc(void *p, size_t n) { return rt_do_realloc(p, n, NULL, NS, RA); }
RT_WEAK_EXPORT void *reallocarray(void *p, size_t n, size_t m) {
    return rt_do_reallocarray(p, n, m, NULL, NS, RA);
}
RT_WEAK_EXPORT void *aligned_alloc(size_t al, size_t n) {
    return rt_do_aligned_alloc(al, n, NULL, NS, RA);
}
RT_WEAK_EXPORT void *memalign(size_t al, size_t n) { return rt_do_memalign(al, n, NULL, NS, RA); }
RT_WEAK_EXPORT int posix_memalign(void **out, size_t al, size_t n) {
    return rt_do_posix_memalign(out, al, n, NULL, NS, RA);
}
RT_WEAK_EXPORT void *valloc(size_t n) { return rt_do_valloc(n, NULL, NS, RA); }
RT_WEAK_EXPORT void *pvalloc(size_t n) { return rt_do_pvalloc(n, NULL, NS, RA); }
