// Site records as the runtime reads them: variable names and access paths,
// C type names and element sizes, at -O0 (with lifetime markers) and -O2.
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t.O2 && %t.O2 | FileCheck %s
// Without -g, the same sites exist but names are "?" and F_NO_DEBUG is set.
// RUN: %clang_ms -O2 %s %t.rt.o -o %t.nog && %t.nog | FileCheck --check-prefix=NOG %s
#include <stdlib.h>
#include <string.h>

struct node { int v; struct node *next; };
typedef struct item { int k; double d; } item_t;
struct list { int n; item_t **items; };
struct cfg { char *name; int level; };
union u { char *s; int *i; };
struct anon { int k; struct { char *buf; int len; }; };
struct msg { int n; char data[]; };
struct names { int n; char *v[]; };

struct cfg *g_cfg;
char (*g_rows)[16];

__attribute__((noinline)) void sink(char *buffer) { free(buffer); }
__attribute__((noinline)) item_t *make_item(void) { return malloc(sizeof(item_t)); }

__attribute__((noinline)) int run(struct list *list, int i, struct node *n,
                                  union u *v, struct anon *a) {
  char *buf = malloc(16);
  n->next = malloc(sizeof *n->next);
  list->items[i] = malloc(sizeof(item_t));
  list->items[0] = make_item();
  g_cfg = calloc(1, sizeof *g_cfg);
  v->s = strdup("x");
  a->buf = malloc(4);
  struct msg *m = malloc(sizeof *m + 10);
  struct names *nm = malloc(sizeof *nm + 2 * sizeof(char *));
  nm->v[i] = strndup("abc", 2);
  sink(malloc(3));
  char **pp = &buf;
  *pp = realloc(*pp, 32);
  int **grid = malloc(2 * sizeof(int *));
  g_rows = malloc(4 * sizeof *g_rows);
  int r = (buf != 0) + (m != 0) + (grid != 0) + (g_rows != 0);
  free(buf);
  free(nm->v[i]);
  free(nm);
  free(m);
  free(grid);
  return r;
}

int main(void) {
  struct node n = {0, 0};
  item_t *items[2];
  struct list l = {2, items};
  union u v;
  struct anon a;
  return run(&l, 1, &n, &v, &a) == 12345;
}

// CHECK-DAG: SITE malloc var=buf type=char elem=1 flags=0 callee=- at {{.*}}names.c:28 in run
// CHECK-DAG: SITE malloc var=n->next type=struct node elem=16 flags=8 callee=- at {{.*}}names.c:29 in run
// CHECK-DAG: SITE malloc var=list->items[] type=item_t elem=16 flags=8 callee=- at {{.*}}names.c:30 in run
// CHECK-DAG: SITE malloc var=<return> type=item_t elem=16 flags=0 callee=- at {{.*}}names.c:24 in make_item
// CHECK-DAG: SITE calloc var=g_cfg type=struct cfg elem=16 flags=4 callee=- at {{.*}}names.c:32 in run
// CHECK-DAG: SITE strdup var=v->s type=char elem=1 flags=8 callee=- at {{.*}}names.c:33 in run
// CHECK-DAG: SITE malloc var=a->buf type=char elem=1 flags=8 callee=- at {{.*}}names.c:34 in run
// CHECK-DAG: SITE malloc var=m type=struct msg elem=4 flags=0 callee=- at {{.*}}names.c:35 in run
// CHECK-DAG: SITE malloc var=nm type=struct names elem=8 flags=0 callee=- at {{.*}}names.c:36 in run
// CHECK-DAG: SITE strndup var=nm->v[] type=char elem=1 flags=8 callee=- at {{.*}}names.c:37 in run
// CHECK-DAG: SITE malloc var=<arg:buffer> type=char elem=1 flags=0 callee=sink at {{.*}}names.c:38 in run
// CHECK-DAG: SITE realloc var=*pp type=char elem=1 flags=0 callee=- at {{.*}}names.c:40 in run
// CHECK-DAG: SITE malloc var=grid type=int * elem=8 flags=0 callee=- at {{.*}}names.c:41 in run
// CHECK-DAG: SITE malloc var=g_rows type=char[16] elem=16 flags=4 callee=- at {{.*}}names.c:42 in run
// CHECK-DAG: SITE free var=buf type=char elem=1 flags=0 callee=- at {{.*}}names.c:44 in run
// CHECK-DAG: SITE free var=nm->v[] type=char elem=1 flags=8 callee=- at {{.*}}names.c:45 in run
// CHECK-DAG: SITE free var=buffer type=char elem=1 flags=0 callee=- at {{.*}}names.c:23 in sink
// CHECK-DAG: SITE scope_exit var=buf type=char elem=1
// CHECK-DAG: SITE scope_exit var=grid type=int * elem=8
// CHECK-DAG: SITE scope_exit var=m type=struct msg elem=4
// CHECK-DAG: SITE free var=nm type=struct names elem=8 flags=0 callee=- at {{.*}}names.c:46 in run
// CHECK-DAG: EV malloc var=buf
// CHECK-DAG: EV value EV scope_exit var=grid
// CHECK-NOT: BAD RECORD

// NOG: SITE malloc var=? type=- elem=0 flags=2 callee=- at {{.*}}names.c:0 in
// NOG-NOT: var=buf
