// Scope exits: a local that held an allocation result gets
// __memscope_scope_exit(<value it holds>, site) at its lifetime.end, or at
// the returns when clang emitted no markers (-O0 without the
// use-after-scope flag). Values, not addresses: at -O2 the variable is
// promoted and the call takes the SSA value. (A value that is returned
// gets none: scope_exit_return.c.)
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck --check-prefix=MARKERS %s
// RUN: %clang_ms -O0 -S -emit-llvm %s -o - | FileCheck --check-prefix=RETURNS %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// RUN: %clang_ms -O0 %uas -mllvm -memscope-scope=false -S -emit-llvm %s -o - | FileCheck --check-prefix=OFF %s
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck --check-prefix=EXEC %s
#include <stdlib.h>
#include <string.h>

void use(void *p);

__attribute__((noinline)) void block(int n) {
  for (int i = 0; i < n; i++) {
    char *tmp = malloc(8);
    use(tmp);
  }
}

__attribute__((noinline)) void copy(const char *s) {
  char *a = strdup(s);
  char *b = a;     // b holds the pointer through another local
  use(b);
  free(b);
}

__attribute__((noinline)) void aligned(void) {
  void *mem;
  if (posix_memalign(&mem, 64, 128) == 0)
    free(mem);
}

int main(void) {
  block(2);
  copy("hi");
  aligned();
  return 0;
}
void use(void *p) { (void)p; }

// MARKERS-LABEL: define {{.*}}void @block(
// MARKERS: call ptr @__memscope_malloc(
// MARKERS: call void @use(
// MARKERS: [[V:%[0-9]+]] = load ptr, ptr [[TMP:%[0-9]+]], align 8
// MARKERS-NEXT: call void @__memscope_scope_exit(ptr [[V]], ptr @memscope.site
// MARKERS-NEXT: call void @llvm.lifetime.end.p0(i64 8, ptr [[TMP]])
// MARKERS-LABEL: define {{.*}}void @copy(
// MARKERS-COUNT-2: call void @__memscope_scope_exit(
// MARKERS-LABEL: define {{.*}}void @aligned(
// MARKERS: call i32 @__memscope_posix_memalign(ptr [[MEM:%[0-9a-z.]+]],
// MARKERS: call void @__memscope_scope_exit(ptr [[W:%[0-9]+]],
// MARKERS-NEXT: call void @llvm.lifetime.end.p0(i64 8, ptr [[MEM]])

// RETURNS-LABEL: define {{.*}}void @block(
// RETURNS-NOT: lifetime
// RETURNS: call void @__memscope_scope_exit(
// RETURNS-NEXT: ret void

// O2-LABEL: define {{.*}}void @block(
// O2: [[P:%[0-9a-z.]+]] = {{.*}}call ptr @__memscope_malloc(
// O2: call void @__memscope_scope_exit(ptr [[P]],
// O2-NOT: alloca
// O2-LABEL: define {{.*}}void @copy(
// O2-NOT: alloca
// O2-LABEL: define {{.*}}void @aligned(

// OFF-NOT: call void @__memscope_scope_exit

// EXEC: EV malloc var=tmp type=char
// EXEC-NEXT: EV value EV scope_exit var=tmp type=char
// EXEC: EV strdup var=a type=char
// EXEC-DAG: EV value EV scope_exit var=b type=char
// EXEC-DAG: EV value EV scope_exit var=a type=char
// EXEC: EV posix_memalign var=mem type=void
// EXEC: EV value EV scope_exit var=mem type=void
