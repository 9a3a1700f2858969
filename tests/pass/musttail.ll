; musttail calls are never touched: anything between them and ret breaks
; the backend. The plain call next to it is instrumented.
; RUN: %opt_ms -passes=memscope -S %s | FileCheck %s
; RUN: %opt_ms -passes=memscope -S %s | llc-19 -o /dev/null
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare ptr @malloc(i64)
declare void @free(ptr)
declare void @obj_release(ptr)

define ptr @tail_alloc(i64 %n) {
; CHECK-LABEL: define ptr @tail_alloc(
; CHECK-NOT: __memscope_ctx
; CHECK: %r = musttail call ptr @malloc(i64 %n)
; CHECK-NEXT: ret ptr %r
  %r = musttail call ptr @malloc(i64 %n)
  ret ptr %r
}

define void @tail_release(ptr %p) {
; CHECK-LABEL: define void @tail_release(
; CHECK-NOT: __memscope
; CHECK: musttail call void @obj_release(ptr %p)
; CHECK-NEXT: ret void
  musttail call void @obj_release(ptr %p)
  ret void
}

define void @plain(ptr %p) {
; CHECK-LABEL: define void @plain(
; CHECK: call void @__memscope_free(ptr %p, ptr @memscope.site
  call void @free(ptr %p)
  ret void
}
