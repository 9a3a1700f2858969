/*
 * rt_exitframe.h - where the program's stack begins at exit.
 *
 * The exit-time leak scan runs inside exit(): the frames of glibc's exit
 * machinery (exit, __run_exit_handlers) and the runtime's handler lie between
 * the scanning SP and the program's frames, and their never-written slots
 * hold stale words from earlier, deeper calls (a pointer the program dropped
 * long ago, pushed by some callee). Scanning them turns lost blocks into
 * "reachable". rt_exitframe_find() unwinds (libgcc's DWARF unwinder: glibc
 * has no frame pointers) to the frame that called exit() and gives its CFA,
 * from where the stack is scanned, plus the caller's callee-saved registers
 * as they were at the call (they are saved in the skipped frames).
 */
#ifndef RT_EXITFRAME_H
#define RT_EXITFRAME_H

#include <stdint.h>

#define RT_EXITFRAME_NREGS 6 /* rbx, rbp, r12, r13, r14, r15 */

/*! rt_exitframe_find() : from inside exit(), the CFA of exit()'s frame (the
 *  caller's stack pointer at the call: everything the program still has on
 *  the stack is at or above it) into *@cfa and the caller's callee-saved
 *  registers into @regs. @return 1 found; 0 when no frame of exit() is on the
 *  stack or it cannot be identified (static executable: dladdr knows no
 *  names), the caller then keeps scanning from its own SP. No malloc. */
int rt_exitframe_find(uintptr_t *cfa, uint64_t regs[RT_EXITFRAME_NREGS]);

#endif /* RT_EXITFRAME_H */
