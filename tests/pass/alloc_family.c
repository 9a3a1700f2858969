// Every libc allocation function is replaced by its runtime twin, with a
// site record as the last argument, at -O0 and -O2; nothing calls libc
// directly any more, and the module constructor registers the sites.
// RUN: %clang_ms -O0 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O1 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O3 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -Os -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -flto -c %s -o - | llvm-dis-19 | FileCheck %s
// -memscope-alloc=false leaves the calls alone.
// RUN: %clang_ms -O0 -mllvm -memscope-alloc=false -S -emit-llvm %s -o - | FileCheck --check-prefix=OFF %s
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

void *sink[16];

void all(size_t n, const char *s) {
  sink[0] = malloc(n);
  sink[1] = calloc(n, 4);
  sink[2] = realloc(sink[2], n);
  sink[3] = reallocarray(sink[3], n, 8);
  free(sink[4]);
  sink[5] = aligned_alloc(64, n);
  sink[6] = memalign(32, n);
  posix_memalign(&sink[7], 16, n);
  sink[8] = valloc(n);
  sink[9] = pvalloc(n);
  sink[10] = strdup(s);
  sink[11] = strndup(s, n);
}

// CHECK: @__start_memscope_sites = extern_weak hidden global i8
// CHECK: @__stop_memscope_sites = extern_weak hidden global i8
// CHECK: @llvm.global_ctors = appending global {{.*}} { i32 1, ptr @memscope.module_ctor
// CHECK-LABEL: define {{.*}}void @all(
// CHECK-DAG: call {{.*}}ptr @__memscope_malloc(i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site{{.*}})
// CHECK-DAG: call {{.*}}ptr @__memscope_calloc(i64 {{.*}}, i64 {{.*}}4, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_realloc(ptr {{.*}}, i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_reallocarray(ptr {{.*}}, i64 {{.*}}, i64 {{.*}}8, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call void @__memscope_free(ptr {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_aligned_alloc(i64 {{.*}}64, i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_memalign(i64 {{.*}}32, i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}i32 @__memscope_posix_memalign(ptr {{.*}}, i64 {{.*}}16, i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_valloc(i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_pvalloc(i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_strdup(ptr {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-DAG: call {{.*}}ptr @__memscope_strndup(ptr {{.*}}, i64 {{.*}}, ptr {{(nonnull )?}}@memscope.site
// CHECK-NOT: call {{.*}}@{{(malloc|calloc|realloc|reallocarray|free|aligned_alloc|memalign|posix_memalign|valloc|pvalloc|strdup|strndup)}}(
// CHECK-LABEL: define internal void @memscope.module_ctor()
// CHECK: call void @__memscope_init_v1(ptr @__start_memscope_sites, ptr @__stop_memscope_sites)

// OFF-NOT: __memscope_malloc
// OFF: call {{.*}}@malloc(
