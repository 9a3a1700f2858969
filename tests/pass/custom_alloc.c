// User allocators keep their call and are bracketed: custom_free before
// (free / realloc semantics), custom_alloc after with the size the
// allocsize attribute or the configured semantics give. Their own bodies
// are not instrumented (the callers' sites record the events).
// RUN: %clang_ms -O0 -S -emit-llvm -mllvm -memscope-allocators=xmalloc=malloc,xfree=free,xrealloc=realloc,xcalloc=calloc %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -S -emit-llvm -mllvm -memscope-allocators=xmalloc=malloc,xfree=free,xrealloc=realloc,xcalloc=calloc %s -o - | FileCheck --check-prefix=O2 %s
// Without the option, xmalloc etc. are plain calls; pool_alloc still counts.
// RUN: %clang_ms -O0 -S -emit-llvm %s -o - | FileCheck --check-prefix=NOCFG %s
// A bad entry is reported, not fatal.
// RUN: %clang_ms -O0 -S -emit-llvm -mllvm -memscope-allocators=bogus %s -o /dev/null 2>&1 | FileCheck --check-prefix=BAD %s
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
void xfree(void *p);
__attribute__((malloc, alloc_size(2))) void *pool_alloc(void *pool, size_t n);

struct obj { long a, b; };

// The definition of an allocator is left alone.
void *xmalloc(size_t n) {
  extern void *malloc(size_t);
  return malloc(n);
}

struct obj *use(void *pool, size_t n) {
  struct obj *o = xmalloc(sizeof *o);
  char *s = xcalloc(n, 3);
  s = xrealloc(s, 2 * n);
  xfree(s);
  char *q = pool_alloc(pool, 24);
  (void)q;
  return o;
}

// CHECK-LABEL: define {{.*}}ptr @xmalloc(
// CHECK: call ptr @malloc(
// CHECK-NOT: __memscope
// CHECK-LABEL: define {{.*}}ptr @use(
// CHECK: [[O:%[0-9]+]] = call ptr @xmalloc(i64 noundef 16){{.*}}!memscope
// CHECK: call void @__memscope_custom_alloc(ptr [[O]], i64 16, ptr @memscope.site
// CHECK: [[S:%[0-9]+]] = call ptr @xcalloc(i64 noundef [[N:%[0-9]+]], i64 noundef 3)
// CHECK: [[SZ:%[0-9]+]] = mul i64 [[N]], 3
// CHECK: call void @__memscope_custom_alloc(ptr [[S]], i64 [[SZ]],
// CHECK: call void @__memscope_custom_free(ptr [[OLD:%[0-9]+]], ptr [[RS:@memscope.site[.0-9]*]])
// CHECK: [[R:%[0-9]+]] = call ptr @xrealloc(ptr noundef [[OLD]],
// CHECK: call void @__memscope_custom_alloc(ptr [[R]], i64 {{%[0-9]+}}, ptr [[RS]])
// CHECK: call void @__memscope_custom_free(ptr [[F:%[0-9]+]],
// CHECK: call void @xfree(ptr noundef [[F]])
// CHECK: [[Q:%[0-9]+]] = call noalias ptr @pool_alloc(ptr noundef {{%[0-9]+}}, i64 noundef 24)
// CHECK: call void @__memscope_custom_alloc(ptr [[Q]], i64 24,

// At -O2 xmalloc is inlined: its malloc stays a plain call (marked, so
// the late pass leaves it), bracketed once by the caller's site.
// O2-LABEL: define {{.*}}ptr @use(
// O2: call {{.*}}ptr @malloc(i64 {{.*}}16){{.*}}!memscope
// O2-NEXT: call void @__memscope_custom_alloc(
// O2-NOT: @__memscope_malloc(

// NOCFG-LABEL: define {{.*}}ptr @use(
// NOCFG-NOT: call void @__memscope_custom_alloc
// NOCFG: call noalias ptr @pool_alloc(
// NOCFG: call void @__memscope_custom_alloc(

// BAD: memscope: ignoring -memscope-allocators entry 'bogus'
