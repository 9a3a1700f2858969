// memscope.h's annotation API matches the default `*_free` destructor
// pattern by name, but it is bookkeeping, not a destructor: never bracketed.
// RUN: %clang_ms -O0 %uas -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_ms -O2 -S -emit-llvm %s -o - | FileCheck %s
void memscope_free(void *p);
void pool_free(void *p);

void release(void *slot) {
  memscope_free(slot);
  pool_free(slot);
}

// CHECK-LABEL: define {{.*}}void @release(
// CHECK-NOT: __memscope_dtor_begin
// CHECK: call void @memscope_free(
// CHECK-NOT: __memscope_dtor_end
// CHECK: call void @__memscope_dtor_begin(
// CHECK: call void @pool_free(
// CHECK: call void @__memscope_dtor_end(
