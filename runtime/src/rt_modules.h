/*
 * rt_modules.h - the module map: every loaded ELF object with its path,
 * load bias, extent and GNU build id, so the report can symbolize return
 * addresses offline; and a cheap "did dlopen/dlclose change it?" check.
 *
 * Built on glibc's dl_iterate_phdr (which takes the loader's lock, never
 * allocates). No malloc, no stdio: strings and build ids are copied into a
 * caller buffer; the main program's path comes from readlink(2) of
 * /proc/self/exe.
 */
#ifndef RT_MODULES_H
#define RT_MODULES_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizing hints for callers: typical programs load < 64 objects, and a
 * path plus build id takes < 300 bytes. */
#define RT_MODULES_MAX_HINT 1024u
#define RT_MODULES_STRBUF_HINT (256u * 1024u)

/*! rt_modules_changed() : 1 if objects were loaded or unloaded since the
 *  last rt_modules_snapshot() (glibc's dlpi_adds / dlpi_subs counters
 *  differ), or if no snapshot was taken yet; 0 otherwise. Costs one
 *  dl_iterate_phdr callback. Thread-safe. */
int rt_modules_changed(void);

/*! rt_modules_snapshot() : describe every loaded object, in the loader's
 *  order (main program first, then the vDSO and shared objects).
 *  For each: path (main program: /proc/self/exe resolved; the vDSO keeps
 *  its soname, e.g. "linux-vdso.so.1"), base = load bias (dlpi_addr),
 *  size = end of the highest PT_LOAD segment relative to the bias (so
 *  every address of the object lies in [base, base + size); equal to the
 *  PT_LOAD extent for shared objects and PIEs, whose first segment is at
 *  0), build id from the first NT_GNU_BUILD_ID note of a PT_NOTE segment
 *  (build_id_len 0 if none), loaded = 1, time_ns = @now_ns.
 *  Paths (NUL-terminated) and build ids are copied into @strbuf; out[i]'s
 *  pointers point there.
 *  @return the number of entries filled. Objects that do not fit in @max
 *  entries or in @strbuf are left out (size them with the *_HINT values);
 *  rt_modules_changed() then keeps reporting 1 so the caller notices.
 *  Thread-safe (callers provide the buffers). */
size_t rt_modules_snapshot(ms_module *out, size_t max, char *strbuf,
                           size_t strbuf_len, uint64_t now_ns);

#ifdef __cplusplus
}
#endif
#endif /* RT_MODULES_H */
