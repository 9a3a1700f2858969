// Calls through function pointers that become direct only during
// optimisation are caught by the late pass (flag F_LATE = 1), and counted
// once: the early pass's calls carry !memscope. At -O0 the call stays
// indirect (the runtime's interposition sees it, without a static site).
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// RUN: %clang_ms -O0 -S -emit-llvm %s -o - | FileCheck --check-prefix=O0 %s
// RUN: %clang_ms -O2 -mllvm -memscope-late=false -S -emit-llvm %s -o - | FileCheck --check-prefix=NOLATE %s
// RUN: %stubrt -o %t.rt.o
// RUN: %clang_ms -O2 -g %s %t.rt.o -o %t && %t | FileCheck --check-prefix=EXEC %s
#include <stdlib.h>

static void *(*alloc_fn)(size_t) = malloc;
static void (*free_fn)(void *) = free;

__attribute__((noinline)) void *get(size_t n) { return alloc_fn(n); }
__attribute__((noinline)) void put(void *p) { free_fn(p); }

int main(void) {
  void *p = malloc(8);
  free(p);
  put(get(4));
  return 0;
}

// O2-LABEL: define {{.*}}@get(
// O2: call ptr @__memscope_malloc(i64 {{.*}}, ptr @memscope.site{{.*}}), !memscope
// O2-LABEL: define {{.*}}@put(
// O2: call void @__memscope_free(ptr {{.*}}, ptr @memscope.site{{.*}}), !memscope
// O2-NOT: call {{.*}}@malloc(
// O2-NOT: call {{.*}}@free(

// O0-LABEL: define {{.*}}@get(
// O0: call ptr %
// O0-NOT: __memscope_malloc
// O0-LABEL: define {{.*}}@put(

// NOLATE-LABEL: define {{.*}}@get(
// NOLATE: call {{.*}}@malloc(

// One event per call: main's pair and scope exit (early), the two late sites.
// RUN: %t | grep -c "^EV" | FileCheck --check-prefix=COUNT %s
// COUNT: 5
// EXEC-DAG: SITE malloc var=<return> {{.*}} flags=1 {{.*}} in get
// EXEC-DAG: SITE free var=p {{.*}} flags=1 {{.*}} in put
// EXEC-DAG: SITE malloc var=p type=void elem=0 flags=0 {{.*}} in main
