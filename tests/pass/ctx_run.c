// Calling context at run time: every event sees V of its own call path;
// the same path gives the same V, another path another V, and V is back to
// the function's own value after calls return (events after them).
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | grep -v scope_exit | FileCheck %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | grep -v scope_exit | FileCheck %s
// RUN: %clang_ms -O2 -g -mllvm -memscope-ctx=false %s %t.rt.o -o %t3 && %t3 | FileCheck --check-prefix=OFF %s
#include <stdlib.h>

__attribute__((noinline)) void *mk(void) { return malloc(4); }
__attribute__((noinline)) void *via_a(void) { void *p = mk(); return p; }
__attribute__((noinline)) void *via_b(void) { void *p = mk(); return p; }

int main(void) {
  void *p0 = malloc(1);
  void *pa[2];
  for (int i = 0; i < 2; i++)
    pa[i] = via_a(); // one call site, one path: the same V twice
  void *p2 = via_b();
  free(p2);
  free(pa[1]);
  free(pa[0]);
  free(p0);
  return 0;
}
// CHECK: EV malloc var=p0 {{.*}} ctx=[[MAIN:[0-9a-f]+]]
// CHECK-NEXT: EV malloc var=<return> {{.*}} in mk ctx=[[A:[0-9a-f]+]]
// CHECK-NEXT: EV malloc var=<return> {{.*}} in mk ctx=[[A]]
// CHECK-NEXT: EV malloc var=<return> {{.*}} in mk ctx=[[B:[0-9a-f]+]]
// CHECK-NEXT: EV free EV free var=p2 {{.*}} ctx=[[MAIN]]
// CHECK-NEXT: EV free EV free var=pa[1] {{.*}} ctx=[[MAIN]]
// CHECK-NEXT: EV free EV free var=pa[0] {{.*}} ctx=[[MAIN]]
// CHECK-NEXT: EV free EV free var=p0 {{.*}} ctx=[[MAIN]]
// The two paths differ.
// RUN: %t2 | grep " in mk " | sed 's/.*ctx=//' | sort -u | wc -l | FileCheck --check-prefix=PATHS %s
// PATHS: 2
// OFF-COUNT-7: ctx=0{{$}}
