// Escapes: storing a local's address into non-local memory (a global, the
// heap through a pointer, an out-parameter) is followed by
// __memscope_escape(local, slot, site); the local then gets
// __memscope_local_dead(local, size, site) where its lifetime ends.
// Stores into other locals are not escapes.
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// RUN: %clang_ms -O0 %uas -mllvm -memscope-escape=false -S -emit-llvm %s -o - | FileCheck --check-prefix=OFF %s
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck --check-prefix=EXEC %s
#include <stdlib.h>

struct holder { int *slot; };
int *g_ptr;
struct pair { int a; int b[4]; };

__attribute__((noinline)) void to_global(void) {
  int x = 1;
  g_ptr = &x;
}

__attribute__((noinline)) void to_heap(struct holder *h) {
  struct pair pr = {0};
  h->slot = &pr.b[0];
}

__attribute__((noinline)) void not_escaping(void) {
  int y = 2;
  int *p = &y;
  *p = 3;
}

int main(void) {
  struct holder *h = malloc(sizeof *h);
  to_global();
  to_heap(h);
  not_escaping();
  free(h);
  return 0;
}

// CHECK-LABEL: define {{.*}}void @to_global(
// CHECK: store ptr [[X:%[0-9]+]], ptr @g_ptr
// CHECK-NEXT: call void @__memscope_escape(ptr [[X]], ptr @g_ptr, ptr @memscope.site
// CHECK: call void @__memscope_local_dead(ptr [[X]], i64 4, ptr @memscope.site
// CHECK-NEXT: call void @llvm.lifetime.end.p0(i64 4, ptr [[X]])
// CHECK-LABEL: define {{.*}}void @to_heap(
// CHECK: call void @__memscope_escape(
// CHECK: call void @__memscope_local_dead(ptr {{%[0-9]+}}, i64 20,
// CHECK-LABEL: define {{.*}}void @not_escaping(
// CHECK-NOT: call void @__memscope_escape
// CHECK-LABEL: define {{.*}}i32 @main(

// O2-LABEL: define {{.*}}void @to_global(
// O2: call void @__memscope_escape(ptr nonnull [[X:%[0-9]+]], ptr nonnull @g_ptr,
// O2: call void @__memscope_local_dead(ptr nonnull [[X]], i64 4,

// OFF-NOT: call void @__memscope_escape
// OFF-NOT: call void @__memscope_local_dead

// EXEC: EV escape var=x type=int elem=4 flags=0 {{.*}} in to_global
// EXEC-NEXT: EV size=4 EV local_dead var=x type=int
// EXEC: EV escape var=pr.b[0] type=int elem=4 flags=8 {{.*}} in to_heap
// EXEC-NEXT: EV size=20 EV local_dead var=pr type=struct pair elem=20
// EXEC-NOT: EV escape
