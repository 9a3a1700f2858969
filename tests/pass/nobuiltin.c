// -fno-builtin call sites and allocation functions defined in the module
// keep their callee (the program's own allocator stays in charge): they are
// bracketed with custom_* calls, never replaced by the twins. The
// definition itself is not instrumented.
// RUN: %clang_ms -O0 -fno-builtin -S -emit-llvm %s -o - | FileCheck --check-prefix=NOB %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=DEF %s
#include <stddef.h>

static char arena[4096];
static size_t used;

void *malloc(size_t n) {
  void *p = arena + used;
  used += (n + 15) & ~(size_t)15;
  return p;
}
void free(void *p) { (void)p; }
void *calloc(size_t n, size_t m);

void *user(size_t n) {
  void *a = malloc(n);
  free(a);
  return calloc(n, 2);
}

// NOB-LABEL: define {{.*}}ptr @malloc(
// NOB-NOT: __memscope
// NOB-LABEL: define {{.*}}ptr @user(
// NOB: call ptr @malloc(i64 noundef {{%[0-9]+}}) #{{[0-9]+}}, !memscope
// NOB: call void @__memscope_custom_alloc(
// NOB: call void @__memscope_custom_free(
// NOB: call void @free(
// NOB: call ptr @calloc(
// NOB: call void @__memscope_custom_alloc(
// NOB-NOT: @__memscope_malloc(
// NOB-NOT: @__memscope_calloc(

// DEF-LABEL: define {{.*}}ptr @user(
// DEF-NOT: @__memscope_malloc(
// DEF: call void @__memscope_custom_alloc(
// DEF: call {{.*}}ptr @__memscope_calloc(
