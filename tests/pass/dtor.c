// Destructor-style calls. CLEANUP: __attribute__((cleanup(fn))) lowers to
// `call fn(ptr %var)` directly followed by lifetime.end(%var) (at -O0 only
// with the use-after-scope flag). DTOR: callees matching
// -memscope-dtor-patterns. Both are bracketed by dtor_begin / dtor_end with
// the callee's name in the site; cleanups nested in loops fire each time.
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// RUN: %clang_ms -O0 %uas -mllvm -memscope-dtor-patterns=node_* -S -emit-llvm %s -o - | FileCheck --check-prefix=PAT %s
// RUN: %clang_ms -O0 %uas -mllvm -memscope-dtor=false -S -emit-llvm %s -o - | FileCheck --check-prefix=OFF %s
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck --check-prefix=EXEC %s
#include <stdio.h>
#include <stdlib.h>

struct node { int v; };
static void free_charp(char **p) { free(*p); }
__attribute__((noinline)) void node_destroy(struct node *n) { free(n); }
__attribute__((noinline)) void node_unref(struct node *n) { node_destroy(n); }

__attribute__((noinline)) int loops(int n) {
  int total = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < 2; j++) {
      char *tmp __attribute__((cleanup(free_charp))) = malloc(4);
      total += tmp != NULL;
    }
  }
  return total;
}

int main(void) {
  struct node *n = malloc(sizeof *n);
  node_unref(n);
  return loops(2) != 4;
}

// CHECK-LABEL: define {{.*}}void @node_unref(
// CHECK: call void @__memscope_dtor_begin(ptr [[N:%[0-9]+]], ptr @memscope.site
// CHECK: call void @node_destroy(ptr noundef [[N]]){{.*}}!memscope
// CHECK: call void @__memscope_dtor_end(ptr [[N]], ptr @memscope.site
// CHECK-LABEL: define {{.*}}i32 @loops(
// CHECK: call void @__memscope_dtor_begin(ptr [[T:%[0-9]+]], ptr @memscope.site
// CHECK: call void @free_charp(ptr noundef [[T]])
// CHECK: call void @__memscope_dtor_end(ptr [[T]], ptr @memscope.site
// CHECK: call void @llvm.lifetime.end.p0(i64 8, ptr [[T]])
// CHECK-LABEL: define {{.*}}i32 @main(
// CHECK: call void @__memscope_dtor_begin(
// CHECK: call void @node_unref(

// After inlining, the brackets stay around the inlined body.
// O2-LABEL: define {{.*}}i32 @loops(
// O2: call void @__memscope_dtor_begin(
// O2: call void @__memscope_free(
// O2: call void @__memscope_dtor_end(

// PAT-LABEL: define {{.*}}void @node_unref(
// PAT: call void @__memscope_dtor_begin(
// PAT-LABEL: define {{.*}}i32 @loops(

// OFF-NOT: call void @__memscope_dtor_begin

// EXEC: EV begin EV dtor var=n type=struct node elem=4 flags=0 callee=node_unref {{.*}} in main
// EXEC-NEXT: EV begin EV dtor var=n type=struct node elem=4 flags=0 callee=node_destroy {{.*}} in node_unref
// EXEC-NEXT: EV free EV free var=n type=struct node
// EXEC-NEXT: EV end EV dtor {{.*}}callee=node_destroy
// EXEC-NEXT: EV end EV dtor {{.*}}callee=node_unref
// EXEC-COUNT-4: EV begin EV cleanup var=tmp type=char * elem=8 flags=0 callee=free_charp
