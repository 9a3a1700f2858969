/*
 * rt_leakscan.h - exit-time reachability scan of the live blocks, as
 * LeakSanitizer and memcheck do it: a conservative pointer scan from the
 * roots through the blocks.
 *
 * Classification of every live block (memcheck's definitions):
 *   REACHABLE  a chain of pointers to block starts leads to it from a root.
 *   POSSIBLE   some chain from a root reaches it, but only through at least
 *              one pointer into a block's interior.
 *   INDIRECT   not reached from the roots, but pointed to (start or
 *              interior) by another unreached block: it is lost because
 *              the block that owns it is.
 *   DEFINITE   not reached from the roots nor from any other lost block:
 *              the head of what was lost. In a cycle of lost blocks with no
 *              other pointer in, the first block (lowest address) is
 *              DEFINITE and the rest INDIRECT.
 *
 * Roots: the writable PT_LOAD segments of every loaded object (their .data,
 * .bss, GOT: found with dl_iterate_phdr), the calling thread's TLS block of
 * every object with a PT_TLS segment (dlpi_tls_data), plus the caller's
 * extra ranges (stacks from their current SP up, registers spilled into a
 * jmp_buf, other threads' stacks; glibc places a thread's static TLS at the
 * top of its stack mapping, which rt_stack_bounds' range includes). Words are read 8-byte aligned; a word is a pointer candidate if
 * it points into [start, start + size) of a live block (exactly start for
 * size 0 blocks).
 *
 * Nested blocks (pool sub-blocks recorded inside the malloc'ed pool) are
 * allowed: a pointer counts for the innermost block that contains it.
 *
 * glibc heuristic: a word equal to the address of the malloc chunk header
 * that follows a block (block + chunksize - 16, the value glibc's own bins
 * and top pointer hold) is not counted as an interior pointer into that
 * block. Without it every leaked block adjacent to a free chunk would show
 * as POSSIBLE instead of DEFINITE.
 *
 * Safety: memory is read only where /proc/self/maps says it is readable
 * ([vvar], [vsyscall] and /dev mappings excluded), so stale blocks, unmapped
 * roots and guard pages are skipped, never faulted on. No malloc: scratch
 * memory is one mmap'ed region, unmapped before returning. Other threads
 * are not stopped: run it when they are quiescent (at exit), or accept that
 * blocks changing during the scan may be misclassified.
 */
#ifndef RT_LEAKSCAN_H
#define RT_LEAKSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"
#include "rt_livemap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A root range [lo, hi). Unreadable parts are skipped. */
typedef struct {
    uintptr_t lo, hi;
} rt_range;

/*! rt_leakscan() : classify every block of @live (see above) and write one
 *  ms_leak {addr, size, kind} per block into @out, in address order.
 *  @extra_roots/@n_extra : more roots (may be NULL/0).
 *  @max : capacity of @out; size it with rt_livemap_count(@live). If it is
 *  smaller, only the first @max blocks (by address) are written.
 *  @return the number of ms_leak written; 0 if @live is empty or NULL, or if
 *  the scratch memory (about 45 bytes per block + 512 KiB) cannot be
 *  mapped. */
size_t rt_leakscan(const rt_livemap *live, const rt_range *extra_roots,
                   size_t n_extra, ms_leak *out, size_t max);

/*! rt_leakscan_roots() : rt_leakscan() where the live blocks whose
 *  addresses are listed in @root_blocks (@n_root_blocks, any order; unknown
 *  addresses ignored) are roots themselves: REACHABLE, and scanned like any
 *  root. LeakSanitizer's use_ld_allocations: the dynamic loader's blocks
 *  (DTVs, dynamic TLS blocks) are referenced from places no scan sees. */
size_t rt_leakscan_roots(const rt_livemap *live, const rt_range *extra_roots,
                         size_t n_extra, const uint64_t *root_blocks,
                         size_t n_root_blocks, ms_leak *out, size_t max);

#ifdef __cplusplus
}
#endif
#endif /* RT_LEAKSCAN_H */
