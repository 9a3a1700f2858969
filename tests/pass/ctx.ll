; Calling context: V read once at entry; before each user call
; V = old*3 + id (TLS, initial-exec); V = old again before each event
; (runtime call) and each return. Nothing around intrinsics, runtime calls,
; musttail or returns_twice calls or calls to quiet functions; nothing
; between a call in tail position and its ret.
; RUN: %opt_ms -passes=memscope -S %s | FileCheck %s
; RUN: %opt_ms -passes=memscope -memscope-ctx=false -S %s | FileCheck --check-prefix=OFF %s
; RUN: %opt_ms -passes=memscope -S %s | llc-19 -o /dev/null
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @work(i32)
declare i32 @setjmp(ptr) returns_twice
declare ptr @malloc(i64)

; CHECK: @__memscope_ctx = external thread_local(initialexec) global i64, align 8

define void @caller(ptr %buf) {
; CHECK-LABEL: define void @caller(
; CHECK-NEXT: [[OLD:%[0-9a-z.]+]] = load i64, ptr @__memscope_ctx
; CHECK-NEXT: [[M:%[0-9]+]] = mul i64 [[OLD]], 3
; CHECK-NEXT: [[NEW:%[0-9]+]] = add i64 [[M]], [[ID1:[0-9]+]]
; CHECK-NEXT: store i64 [[NEW]], ptr @__memscope_ctx
; CHECK-NEXT: call void @work(i32 1)
; CHECK-NEXT: [[NEW2:%[0-9]+]] = add i64 [[M]], [[ID2:[0-9]+]]
; CHECK-NEXT: store i64 [[NEW2]], ptr @__memscope_ctx
; CHECK-NEXT: call void @work(i32 2)
; CHECK-NEXT: call i32 @setjmp(
; CHECK-NEXT: store i64 [[OLD]], ptr @__memscope_ctx
; CHECK-NEXT: call ptr @__memscope_malloc(
; CHECK-NEXT: call void @quiet(
; CHECK-NEXT: call void @llvm.memset
; CHECK-NEXT: br label
; CHECK: store i64 [[OLD]], ptr @__memscope_ctx
; CHECK-NEXT: ret void
  call void @work(i32 1)
  call void @work(i32 2)
  %r = call i32 @setjmp(ptr %buf)
  %p = call ptr @malloc(i64 4)
  call void @quiet(ptr %p, i32 3)
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 4, i1 false)
  br label %exit
exit:
  ret void
}

; A musttail call keeps its ret adjacent: V is restored before it.
define void @forward(i32 %x) {
; CHECK-LABEL: define void @forward(
; CHECK: call void @work(i32 %x)
; CHECK-NEXT: store i64 [[O:%[0-9a-z.]+]], ptr @__memscope_ctx
; CHECK-NEXT: musttail call void @sink(i32 %x)
; CHECK-NEXT: ret void
  call void @work(i32 %x)
  musttail call void @sink(i32 %x)
  ret void
}
declare void @sink(i32)

; A function that can reach no event (only intrinsics and quiet calls): its
; callers do not update V around it, and it updates nothing itself.
define void @quiet(ptr %p, i32 %n) {
; CHECK-LABEL: define void @quiet(
; CHECK-NOT: __memscope_ctx
; CHECK: ret void
  %c = icmp eq i32 %n, 0
  br i1 %c, label %done, label %rec
rec:
  %m = sub i32 %n, 1
  call void @quiet(ptr %p, i32 %m)
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 1, i1 false)
  br label %done
done:
  ret void
}

define void @tail(i32 %x) {
; CHECK-LABEL: define void @tail(
; CHECK: store i64 {{%[0-9]+}}, ptr @__memscope_ctx
; CHECK-NEXT: tail call void @work(i32 %x)
; CHECK-NEXT: ret void
  tail call void @work(i32 %x)
  ret void
}

declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)

; OFF-NOT: __memscope_ctx
