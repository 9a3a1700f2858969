/* null_rt.c - a do-nothing memscope runtime for pass-cost measurements:
 * the twins call libc and record nothing, so the difference between two
 * builds of a program linked with it is the cost of the instrumentation the
 * pass inserts (calls, context updates), not of the runtime's recording. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "memscope_abi.h"

_Thread_local uint64_t __memscope_ctx __attribute__((tls_model("initial-exec")));

void __memscope_init_v1(const memscope_site *a, const memscope_site *b) { (void)a; (void)b; }
void *__memscope_malloc(size_t n, const memscope_site *s) { (void)s; return malloc(n); }
void *__memscope_calloc(size_t n, size_t m, const memscope_site *s) { (void)s; return calloc(n, m); }
void *__memscope_realloc(void *p, size_t n, const memscope_site *s) { (void)s; return realloc(p, n); }
void *__memscope_reallocarray(void *p, size_t n, size_t m, const memscope_site *s) { (void)s; return reallocarray(p, n, m); }
void __memscope_free(void *p, const memscope_site *s) { (void)s; free(p); }
void *__memscope_aligned_alloc(size_t a, size_t n, const memscope_site *s) { (void)s; return aligned_alloc(a, n); }
void *__memscope_memalign(size_t a, size_t n, const memscope_site *s) { (void)s; return memalign(a, n); }
int __memscope_posix_memalign(void **o, size_t a, size_t n, const memscope_site *s) { (void)s; return posix_memalign(o, a, n); }
void *__memscope_valloc(size_t n, const memscope_site *s) { (void)s; return valloc(n); }
void *__memscope_pvalloc(size_t n, const memscope_site *s) { (void)s; return pvalloc(n); }
char *__memscope_strdup(const char *p, const memscope_site *s) { (void)s; return strdup(p); }
char *__memscope_strndup(const char *p, size_t n, const memscope_site *s) { (void)s; return strndup(p, n); }
void __memscope_custom_alloc(void *p, size_t n, const memscope_site *s) { (void)p; (void)n; (void)s; }
void __memscope_custom_free(void *p, const memscope_site *s) { (void)p; (void)s; }
void __memscope_scope_exit(const void *v, const memscope_site *s) { (void)v; (void)s; }
void __memscope_escape(const void *l, const void *slot, const memscope_site *s) { (void)l; (void)slot; (void)s; }
void __memscope_local_dead(const void *l, size_t n, const memscope_site *s) { (void)l; (void)n; (void)s; }
void __memscope_dtor_begin(const void *o, const memscope_site *s) { (void)o; (void)s; }
void __memscope_dtor_end(const void *o, const memscope_site *s) { (void)o; (void)s; }
