/*
 * rt_ldroots.h - the dynamic loader's blocks as leak-scan roots
 * (LeakSanitizer's use_ld_allocations).
 *
 * ld.so allocates through the process's malloc once it is relocated (so
 * through the runtime's interposed family): each thread's DTV
 * (allocate_dtv), dynamic TLS blocks (__tls_get_addr), link maps of dlopen'ed
 * objects. The pointers to them live where no scan looks (glibc's cached
 * thread descriptors in cached stacks, the TCB), so the scan would call them
 * lost while they are the loader's live bookkeeping. A block whose recorded
 * stack starts in ld.so's text (the allocation function's caller) is a root.
 */
#ifndef RT_LDROOTS_H
#define RT_LDROOTS_H

#include <stddef.h>
#include <stdint.h>

#include "rt_livemap.h"

/*! rt_ldroots_range() : the executable range [*lo, *hi) of the dynamic
 *  loader (the object loaded at AT_BASE). @return 1 found, 0 none (static
 *  executable). Reads the program headers with dl_iterate_phdr: no malloc. */
int rt_ldroots_range(uintptr_t *lo, uintptr_t *hi);

/*! rt_ldroots_collect() : addresses of the live blocks of @live allocated
 *  directly by code in [lo, hi) (first frame of their stack, from
 *  rt_stacktab) into @out (capacity @max). @return how many were written. */
size_t rt_ldroots_collect(const rt_livemap *live, uintptr_t lo, uintptr_t hi, uint64_t *out,
                          size_t max);

#endif /* RT_LDROOTS_H */
