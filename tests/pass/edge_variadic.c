// Variadic wrappers: calls to and from variadic functions keep their
// va_list handling; a malloc inside a variadic function is a normal site.
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck %s
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static char *xasprintf(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *out = malloc((size_t)n + 1);
  vsnprintf(out, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return out;
}

__attribute__((noinline)) static long sum(int count, ...) {
  va_list ap;
  va_start(ap, count);
  long s = 0;
  for (int i = 0; i < count; i++)
    s += va_arg(ap, long);
  va_end(ap);
  return s;
}

int main(void) {
  char *s = xasprintf("%s-%d", "v", 42);
  printf("GOT %s %ld\n", s, sum(3, 1L, 2L, 3L));
  free(s);
  return 0;
}
// CHECK: EV malloc var=out type=char {{.*}} in xasprintf
// CHECK: GOT v-42 6
// CHECK: EV free EV free var=s type=char
