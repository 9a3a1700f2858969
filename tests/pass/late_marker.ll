; The late pass replaces only libc allocation calls without !memscope:
; calls the early pass created or decided about keep their form, so nothing
; is counted twice; its sites carry F_LATE (flags = 1). -memscope-late=false
; turns it off.
; RUN: %opt_ms -passes=memscope-late -S %s | FileCheck %s
; RUN: %opt_ms -passes=memscope-late -memscope-late=false -S %s | FileCheck --check-prefix=OFF %s
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare ptr @malloc(i64)
declare void @free(ptr)

; CHECK: @memscope.site = private constant %memscope.site { i32 827544397, i16 1, i16 3,
; CHECK-NOT: @memscope.site.{{[0-9]+}} = private constant %memscope.site { i32 827544397, i16 5

define ptr @f(i64 %n, ptr %old) {
; CHECK-LABEL: define ptr @f(
; CHECK: %a = call ptr @__memscope_malloc(i64 %n, ptr @memscope.site), !memscope
; CHECK: call void @free(ptr %old), !memscope
; CHECK: ret ptr %a
  %a = call ptr @malloc(i64 %n)
  call void @free(ptr %old), !memscope !0
  ret ptr %a
}

; CHECK: define internal void @memscope.module_ctor()

; OFF-NOT: __memscope
!0 = !{}
