/*
 * rt_unwind.h - frame-pointer stack walking bounded by the thread's stack,
 * and a malloc-free reader of /proc/self/maps.
 *
 * Everything here runs inside the process's malloc and in signal and exit
 * paths: no malloc/free, no stdio, no locks. The only system calls are
 * open/read/close (and getrlimit/gettid) in rt_stack_bounds() and
 * rt_maps_foreach(); rt_unwind_fp() makes none.
 *
 * Frame layout assumed (x86-64 and AArch64 with frame pointers):
 *     fp[0] = caller's frame pointer, fp[1] = return address.
 * The program and the runtime are compiled with -fno-omit-frame-pointer
 * (memscope-cc adds it); frames of code built without it end the walk early
 * or are skipped, but can never make the walk read outside [lo, hi).
 */
#ifndef RT_UNWIND_H
#define RT_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*! rt_stack_bounds() : the calling thread's stack as [*lo, *hi).
 *  Found from /proc/self/maps: the mapping that contains the current stack
 *  pointer gives *hi (its end). For the main thread (tid == pid), whose
 *  stack grows on demand, *lo is the lower of (hi - RLIMIT_STACK) and the
 *  current SP's mapping start, clamped above the previous mapping's end; for
 *  other threads *lo is the start of the mapping (the thread's whole stack,
 *  below which sits its guard page). Call once per thread and cache the
 *  result: it costs one read of /proc/self/maps.
 *  Never allocates (does not use pthread_getattr_np, which calls realloc).
 *  Without /proc: the main thread gets [page of SP, __libc_stack_end), other
 *  threads [page of SP, end of that page): a short but safe window.
 *  *lo < *hi always holds.
 *  A signal handler running on a sigaltstack is outside these bounds: a walk
 *  from there returns 0 frames. */
void rt_stack_bounds(uintptr_t *lo, uintptr_t *hi);

/*! rt_unwind_fp() : walk the frame-pointer chain starting at the caller of
 *  rt_unwind_fp(). out[0] is the return address into the function that
 *  called rt_unwind_fp() (a pc inside that caller), out[1] the return address
 *  into its caller, and so on: innermost first.
 *  @skip : that many leading addresses are dropped before storing.
 *  @lo, @hi : the thread's stack (rt_stack_bounds). The walk stops before
 *  reading a frame whose pointer is outside [lo, hi - 16], not 8-byte
 *  aligned, or not strictly greater than the previous one, and at a zero
 *  return address. It therefore never reads outside [lo, hi).
 *  @return the number of addresses stored in out (<= max).
 *  No allocation, no system call, no lock: async-signal-safe. Not inlined:
 *  its own frame is the anchor of the walk. */
size_t rt_unwind_fp(uint64_t *out, size_t max, size_t skip, uintptr_t lo,
                    uintptr_t hi);

/* ------------------------------------------------------------------------
 * /proc/self/maps, without malloc (shared with rt_leakscan).
 * ---------------------------------------------------------------------- */

enum {
    RT_MAP_R = 1u << 0,
    RT_MAP_W = 1u << 1,
    RT_MAP_X = 1u << 2,
    RT_MAP_SHARED = 1u << 3,
};

/* One line of /proc/self/maps. @path points into a scratch buffer that is
 * valid only during the callback ("" for anonymous mappings; "[stack]",
 * "[heap]", "[vvar]", ... as the kernel prints them; truncated to 255
 * bytes). */
typedef struct {
    uintptr_t lo, hi;
    uint32_t prot; /* RT_MAP_* */
    const char *path;
} rt_map;

/*! rt_maps_foreach() : call @cb for each mapping of the process, in address
 *  order, reading /proc/self/maps with open/read/close through a 4 KiB stack
 *  buffer. A non-zero return from @cb stops the walk.
 *  @return the number of mappings visited, or -1 if /proc/self/maps cannot
 *  be opened or read. Thread-safe; not async-signal-safe only in that
 *  another thread's mmap may race with the read (the kernel's usual caveat).
 */
long rt_maps_foreach(int (*cb)(void *user, const rt_map *m), void *user);

#ifdef __cplusplus
}
#endif
#endif /* RT_UNWIND_H */
