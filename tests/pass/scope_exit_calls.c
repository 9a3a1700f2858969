// A local holding the result of a call to a function of this module that
// returns an allocation (through its own locals, to any depth), or of a
// declaration with __attribute__((malloc)), gets a scope exit too: the
// last owner of a list built elsewhere is the caller's variable.
// A local holding any other call result does not, and neither do `list`
// and `l`, whose values are returned (ownership moves to the caller).
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t0 && %t0 | FileCheck %s --implicit-check-not="scope_exit var=l type" --implicit-check-not="scope_exit var=list"
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t2 && %t2 | FileCheck %s --implicit-check-not="scope_exit var=l type" --implicit-check-not="scope_exit var=list"
#include <stdlib.h>
#include <string.h>

struct node { struct node *next; int v; };

__attribute__((noinline)) static struct node *build(int n) {
  struct node *list = NULL;
  for (int i = 0; i < n; i++) {
    struct node *x = malloc(sizeof *x);
    x->next = list;
    x->v = i;
    list = x;
  }
  return list;
}
__attribute__((noinline)) static struct node *build_twice(int n) {
  struct node *l = build(n);
  return l;
}
static char buffer[8];
__attribute__((noinline)) static char *not_heap(void) { return buffer; }
__attribute__((malloc)) char *my_dup(const char *s);
char *my_dup(const char *s) { return strcpy(buffer, s); }

__attribute__((noinline)) static int use_list(void) {
  struct node *head = build_twice(3);
  char *plain = not_heap();
  int sum = plain[0];
  for (struct node *p = head; p; p = p->next)
    sum += p->v;
  return sum;
}

int main(void) { return use_list() == 12345; }

// CHECK-DAG: SITE scope_exit var=head type=struct node {{.*}} in use_list
// CHECK-DAG: SITE scope_exit var=x type=struct node {{.*}} in build
// CHECK-NOT: SITE scope_exit var=plain
// CHECK: EV value EV scope_exit var=head

