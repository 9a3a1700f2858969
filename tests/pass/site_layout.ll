; The site record: 48 bytes, magic, kind, flags, line, column, then strings
; as offsets relative to their own field (trunc(sub(ptrtoint))), in section
; memscope_sites, 8-aligned, kept by llvm.compiler.used.
; RUN: %opt_ms -passes=memscope -S %s | FileCheck %s
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare ptr @malloc(i64)

define ptr @f(i64 %n) {
  %p = call ptr @malloc(i64 %n)
  ret ptr %p
}

; CHECK: %memscope.site = type { i32, i16, i16, i32, i32, i32, i32, i32, i32, i32, i32, i64 }
; CHECK: @memscope.site = private constant %memscope.site { i32 827544397, i16 1, i16 2, i32 0, i32 0,
; CHECK-SAME: i32 trunc (i64 sub (i64 ptrtoint (ptr @[[FILE:memscope.str[.0-9]*]] to i64), i64 ptrtoint (ptr getelementptr inbounds (%memscope.site, ptr @memscope.site, i32 0, i32 5) to i64)) to i32)
; CHECK-SAME: i32 trunc (i64 sub (i64 ptrtoint (ptr @[[FUNC:memscope.str[.0-9]*]] to i64), i64 ptrtoint (ptr getelementptr inbounds (%memscope.site, ptr @memscope.site, i32 0, i32 6) to i64)) to i32)
; CHECK-SAME: i32 0,
; CHECK-SAME: i32 trunc (i64 sub (i64 ptrtoint (ptr @[[VAR:memscope.str[.0-9]*]] to i64), i64 ptrtoint (ptr getelementptr inbounds (%memscope.site, ptr @memscope.site, i32 0, i32 8) to i64)) to i32)
; CHECK-SAME: i32 0, i32 0, i64 0 }, section "memscope_sites", align 8
; CHECK: @[[FUNC]] = private unnamed_addr constant [2 x i8] c"f\00", align 1
; CHECK: @[[VAR]] = private unnamed_addr constant [9 x i8] c"<return>\00", align 1
; CHECK: @llvm.compiler.used = appending global [1 x ptr] [ptr @memscope.site], section "llvm.metadata"
; CHECK: call ptr @__memscope_malloc(i64 %n, ptr @memscope.site), !memscope
; CHECK: declare void @__memscope_init_v1(ptr, ptr)
