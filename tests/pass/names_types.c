// C spelling of static types in site records: qualifiers, function
// pointers, pointers to arrays, multi-level pointers, enums, typedef chains,
// anonymous and named unions, and locals of those types.
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O0 -g %uas %s %t.rt.o -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t.O2 && %t.O2 | FileCheck %s
#include <stdlib.h>

typedef unsigned long word_t;
typedef word_t count_t;
enum color { RED, GREEN };
union val { int i; double d; };

void (**g_handlers)(int);
const char **g_strs;
int (*g_matrix)[3];
count_t *g_counts;
enum color *g_colors;
union val *g_vals;
struct { int x, y; } *g_points;
char ***g_cube;
volatile int *g_flags;

int main(void) {
  g_handlers = malloc(4 * sizeof *g_handlers);
  g_strs = calloc(2, sizeof *g_strs);
  g_matrix = malloc(2 * sizeof *g_matrix);
  g_counts = malloc(sizeof *g_counts);
  g_colors = malloc(sizeof *g_colors);
  g_vals = malloc(sizeof *g_vals);
  g_points = malloc(sizeof *g_points);
  g_cube = malloc(sizeof *g_cube);
  g_flags = malloc(sizeof *g_flags);
  return 0;
}
// CHECK-DAG: SITE malloc var=g_handlers type=void (*)(int) elem=8 flags=4
// CHECK-DAG: SITE calloc var=g_strs type=const char * elem=8 flags=4
// CHECK-DAG: SITE malloc var=g_matrix type=int[3] elem=12 flags=4
// CHECK-DAG: SITE malloc var=g_counts type=count_t elem=8 flags=4
// CHECK-DAG: SITE malloc var=g_colors type=enum color elem=4 flags=4
// CHECK-DAG: SITE malloc var=g_vals type=union val elem=8 flags=4
// CHECK-DAG: SITE malloc var=g_points type=struct <anonymous> elem=8 flags=4
// CHECK-DAG: SITE malloc var=g_cube type=char ** elem=8 flags=4
// CHECK-DAG: SITE malloc var=g_flags type=volatile int elem=4 flags=4
