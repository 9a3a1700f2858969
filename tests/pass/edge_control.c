// Control-flow corner cases compile, verify and run at -O0 and -O2:
// setjmp/longjmp (scope exits may be skipped, never crash), a goto past a
// declaration (clang then emits no lifetime markers: fall back to returns),
// VLAs, free(NULL), calls inside __attribute__((constructor)) functions
// (the memscope ctor has priority 1 and registers the sites first).
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %verify_each %s %t.rt.o -o %t0 && %t0 | FileCheck %s
// RUN: %clang_ms -O2 -g %verify_each %s %t.rt.o -o %t2 && %t2 | FileCheck %s
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck --check-prefix=IR %s
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf env;
static char *early;

__attribute__((constructor)) static void init_early(void) {
  early = strdup("early");
}

__attribute__((noinline)) static void jumper(void) {
  char *lost = malloc(10);
  if (lost)
    longjmp(env, 1);
}

__attribute__((noinline)) static int with_setjmp(void) {
  if (setjmp(env) == 0) {
    jumper();
    return 0;
  }
  return 1;
}

__attribute__((noinline)) static int with_goto(int n) {
  if (n > 0)
    goto skip;
  char *p = malloc(4);
  free(p);
skip:
  return n;
}

__attribute__((noinline)) static int with_vla(int n) {
  char *rows[n];
  for (int i = 0; i < n; i++)
    rows[i] = malloc(8);
  for (int i = 0; i < n; i++)
    free(rows[i]);
  return n;
}

int main(void) {
  printf("MAIN %s\n", early);
  free(early);
  free(NULL);
  int r = with_setjmp() + with_goto(1) + with_goto(0) + with_vla(3);
  printf("RESULT %d\n", r);
  return 0;
}

// The constructor's strdup happens after the sites were registered.
// CHECK: SITE strdup var=early
// CHECK: EV strdup var=early type=char {{.*}} in init_early
// CHECK: MAIN early
// CHECK: EV free EV free var=early
// CHECK-NEXT: EV free(NULL) EV free var=?
// CHECK: EV malloc var=lost
// CHECK: EV malloc var=p
// CHECK: EV free EV free var=p
// CHECK-COUNT-3: EV malloc var=rows[]
// CHECK-COUNT-3: EV free EV free var=rows[]
// CHECK: RESULT 5

// IR-LABEL: define internal i32 @with_goto(
// IR-NOT: lifetime.end
// IR: call void @__memscope_scope_exit(
// IR-NEXT: ret i32
