/* site_dump.c - a stand-in runtime for the pass tests: implements every
 * entry point of memscope_abi.h by calling libc and printing one line per
 * event, and prints every site record at registration. Lets lit tests check
 * the site table as a program reads it (layout, relative strings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include "memscope_abi.h"

_Thread_local uint64_t __memscope_ctx;

static const char *str(const int32_t *f) {
  const char *r = memscope_site_str(f);
  return r ? r : "-";
}

static const char *kind_name(unsigned k) {
  static const char *names[] = {"?", "malloc", "calloc", "realloc", "reallocarray",
      "free", "aligned_alloc", "memalign", "posix_memalign", "valloc", "pvalloc",
      "strdup", "strndup", "custom_alloc", "custom_free", "custom_realloc",
      "scope_exit", "escape", "local_dead", "dtor", "cleanup"};
  return k < sizeof names / sizeof names[0] ? names[k] : "bad";
}

/* Events end with the calling-context value the program set (ctx=). */
static void site(const char *ev, const memscope_site *s) {
  printf("%s %s var=%s type=%s elem=%llu flags=%u callee=%s at %s:%u in %s", ev,
         kind_name(s->kind), str(&s->var_rel), str(&s->type_rel),
         (unsigned long long)s->elem_size, s->flags, str(&s->callee_rel),
         str(&s->file_rel), s->line, str(&s->func_rel));
  if (ev[0] == 'E')
    printf(" ctx=%llx", (unsigned long long)__memscope_ctx);
  printf("\n");
}

void __memscope_init_v1(const memscope_site *a, const memscope_site *b) {
  for (const memscope_site *p = a; p < b; p++) {
    if (p->magic != MEMSCOPE_SITE_MAGIC || p->reserved) {
      printf("BAD RECORD\n");
      continue;
    }
    site("SITE", p);
  }
  fflush(stdout);
}

#define EV(s) site("EV", s)
void *__memscope_malloc(size_t n, const memscope_site *s) { EV(s); return malloc(n); }
void *__memscope_calloc(size_t n, size_t m, const memscope_site *s) { EV(s); return calloc(n, m); }
void *__memscope_realloc(void *p, size_t n, const memscope_site *s) { EV(s); return realloc(p, n); }
void *__memscope_reallocarray(void *p, size_t n, size_t m, const memscope_site *s) { EV(s); return reallocarray(p, n, m); }
void __memscope_free(void *p, const memscope_site *s) { printf("EV free%s ", p ? "" : "(NULL)"); EV(s); free(p); }
void *__memscope_aligned_alloc(size_t a, size_t n, const memscope_site *s) { EV(s); return aligned_alloc(a, n); }
void *__memscope_memalign(size_t a, size_t n, const memscope_site *s) { EV(s); return memalign(a, n); }
int __memscope_posix_memalign(void **o, size_t a, size_t n, const memscope_site *s) { EV(s); return posix_memalign(o, a, n); }
void *__memscope_valloc(size_t n, const memscope_site *s) { EV(s); return valloc(n); }
void *__memscope_pvalloc(size_t n, const memscope_site *s) { EV(s); return pvalloc(n); }
char *__memscope_strdup(const char *p, const memscope_site *s) { EV(s); return strdup(p); }
char *__memscope_strndup(const char *p, size_t n, const memscope_site *s) { EV(s); return strndup(p, n); }
void __memscope_custom_alloc(void *p, size_t n, const memscope_site *s) { printf("EV size=%zu%s ", n, p ? "" : " NULL"); EV(s); }
void __memscope_custom_free(void *p, const memscope_site *s) { (void)p; EV(s); }
void __memscope_scope_exit(const void *v, const memscope_site *s) { printf("EV %s ", v ? "value" : "null"); EV(s); }
void __memscope_escape(const void *l, const void *slot, const memscope_site *s) { (void)l; (void)slot; EV(s); }
void __memscope_local_dead(const void *l, size_t n, const memscope_site *s) { (void)l; printf("EV size=%zu ", n); EV(s); }
void __memscope_dtor_begin(const void *o, const memscope_site *s) { (void)o; printf("EV begin "); EV(s); }
void __memscope_dtor_end(const void *o, const memscope_site *s) { (void)o; printf("EV end "); EV(s); }
