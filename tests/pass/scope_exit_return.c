// A local whose value is the function's return value where its scope ends
// hands its block to the caller: no scope exit on that path. Every other
// path keeps it (an early `return NULL` that drops the block, the branch
// that leaks, the loop iteration that does not return). Decided on the IR:
// the same holds without -g (checked by the IR RUN lines, which have none).
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck --check-prefix=MARKERS %s
// RUN: %clang_ms -O0 -S -emit-llvm %s -o - | FileCheck --check-prefix=RETURNS %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck --check-prefix=EXEC %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck --check-prefix=EXEC %s
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; int v; };
void use(void *p);

// Returned on the only path: ownership moves to the caller.
__attribute__((noinline)) struct node *make(int v) {
  struct node *n = malloc(sizeof *n);
  n->next = NULL;
  n->v = v;
  return n;
}

// The early return drops the block: scope exit there, not on `return n`.
__attribute__((noinline)) struct node *make_checked(int v) {
  struct node *n = malloc(sizeof *n);
  if (v < 0)
    return NULL;
  n->v = v;
  return n;
}

// Returned in one branch, leaked in the other.
__attribute__((noinline)) char *pick(int keep) {
  char *buf = malloc(16);
  if (keep) {
    buf[0] = 'k';
    return buf;
  }
  use(buf);
  return NULL;
}

// A loop-body local returned from inside the loop (through clang's
// cleanup switch): scope exit at each iteration's end, not on the return.
__attribute__((noinline)) char *find(int n) {
  for (int i = 0; i < n; i++) {
    char *t = malloc(8);
    if (i == 2)
      return t;
    use(t);
  }
  return NULL;
}

// `a` was returned through `r`, but holds another block at its end.
__attribute__((noinline)) char *swap(void) {
  char *a = malloc(1);
  char *r = a;
  a = malloc(2);
  use(a);
  return r;
}

int main(void) {
  puts("== make");
  free(make(1));
  puts("== make_checked -1");
  free(make_checked(-1));
  puts("== make_checked 2");
  free(make_checked(2));
  puts("== pick 1");
  free(pick(1));
  puts("== pick 0");
  free(pick(0));
  puts("== find");
  free(find(5));
  puts("== swap");
  free(swap());
  puts("== end");
  return 0;
}
void use(void *p) { (void)p; }

// MARKERS-LABEL: define {{.*}}ptr @make(
// MARKERS-NOT: @__memscope_scope_exit(
// MARKERS-LABEL: define {{.*}}ptr @make_checked(
// MARKERS: [[K:%[0-9]+]] = phi i1 [ {{true|false}}, %{{[0-9]+}} ], [ {{true|false}}, %{{[0-9]+}} ]
// MARKERS-NEXT: br i1 [[K]], label
// MARKERS: call void @__memscope_scope_exit(
// MARKERS-NOT: @__memscope_scope_exit(
// MARKERS: call void @llvm.lifetime.end.p0(
// MARKERS-NEXT: load ptr
// MARKERS-NEXT: ret ptr
// MARKERS-LABEL: define {{.*}}ptr @pick(
// MARKERS: phi i1
// MARKERS: call void @__memscope_scope_exit(
// MARKERS-NOT: @__memscope_scope_exit(
// MARKERS-LABEL: define {{.*}}ptr @find(
// MARKERS: phi i1
// MARKERS: call void @__memscope_scope_exit(
// MARKERS-NOT: @__memscope_scope_exit(
// MARKERS-LABEL: define {{.*}}ptr @swap(
// MARKERS-COUNT-1: call void @__memscope_scope_exit(
// MARKERS-NOT: @__memscope_scope_exit(
// MARKERS-LABEL: define {{.*}}i32 @main(

// No lifetime markers: the exits fall back to the returns, same rule.
// RETURNS-LABEL: define {{.*}}ptr @make(
// RETURNS-NOT: @__memscope_scope_exit(
// RETURNS-LABEL: define {{.*}}ptr @make_checked(
// RETURNS: phi i1
// RETURNS: call void @__memscope_scope_exit(
// RETURNS-NOT: @__memscope_scope_exit(
// RETURNS-LABEL: define {{.*}}ptr @pick(
// RETURNS: phi i1
// RETURNS: call void @__memscope_scope_exit(
// RETURNS-NOT: @__memscope_scope_exit(
// RETURNS-LABEL: define {{.*}}ptr @find(

// O2-LABEL: define {{.*}}ptr @make(
// O2-NOT: @__memscope_scope_exit(
// O2-LABEL: define {{.*}}ptr @make_checked(
// O2-COUNT-1: call void @__memscope_scope_exit(
// O2-NOT: @__memscope_scope_exit(
// O2-LABEL: define {{.*}}ptr @pick(
// O2-COUNT-1: call void @__memscope_scope_exit(
// O2-NOT: @__memscope_scope_exit(
// O2-LABEL: define {{.*}}ptr @find(
// O2: call void @__memscope_scope_exit(
// O2-LABEL: define {{.*}}ptr @swap(
// O2-COUNT-1: call void @__memscope_scope_exit(
// O2-NOT: @__memscope_scope_exit(
// O2-LABEL: define {{.*}}i32 @main(

// EXEC-NOT: SITE scope_exit var={{.*}} in make{{$}}
// EXEC-NOT: SITE scope_exit var=r
// EXEC-LABEL: == make
// EXEC-NEXT: EV malloc var=n type=struct node {{.*}} in make ctx
// EXEC-NEXT: EV free
// EXEC-LABEL: == make_checked -1
// EXEC-NEXT: EV malloc var=n type=struct node {{.*}} in make_checked ctx
// EXEC-NEXT: EV value EV scope_exit var=n type=struct node {{.*}} in make_checked ctx
// EXEC-NEXT: EV free(NULL)
// EXEC-LABEL: == make_checked 2
// EXEC-NEXT: EV malloc var=n type=struct node {{.*}} in make_checked ctx
// EXEC-NEXT: EV free
// EXEC-LABEL: == pick 1
// EXEC-NEXT: EV malloc var=buf type=char {{.*}} in pick ctx
// EXEC-NEXT: EV free
// EXEC-LABEL: == pick 0
// EXEC-NEXT: EV malloc var=buf type=char {{.*}} in pick ctx
// EXEC-NEXT: EV value EV scope_exit var=buf type=char {{.*}} in pick ctx
// EXEC-NEXT: EV free(NULL)
// EXEC-LABEL: == find
// EXEC-NEXT: EV malloc var=t type=char {{.*}} in find ctx
// EXEC-NEXT: EV value EV scope_exit var=t type=char {{.*}} in find ctx
// EXEC-NEXT: EV malloc var=t type=char {{.*}} in find ctx
// EXEC-NEXT: EV value EV scope_exit var=t type=char {{.*}} in find ctx
// EXEC-NEXT: EV malloc var=t type=char {{.*}} in find ctx
// EXEC-NEXT: EV free
// EXEC-LABEL: == swap
// EXEC-NEXT: EV malloc var=a type=char {{.*}} in swap ctx
// EXEC-NEXT: EV malloc var=a type=char {{.*}} in swap ctx
// EXEC-NEXT: EV value EV scope_exit var=a type=char {{.*}} in swap ctx
// EXEC-NEXT: EV free
// EXEC-NEXT: == end
