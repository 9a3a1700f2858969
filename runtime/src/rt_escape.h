/*
 * rt_escape.h - per-thread memory of escaped local addresses, so that the end
 * of an escaped local's lifetime is reported only while some non-local slot
 * still points into it.
 *
 * Code often publishes a local's address and withdraws it before returning
 * (Lua's `L->errorJmp = &lj; ... L->errorJmp = lj.previous;`, intrusive wait
 * lists). The pass sees the store of the address, not the later overwrite.
 * At the local's lifetime end the runtime re-reads each slot it saw the local
 * escape into; a slot that no longer points into the local is no dangling
 * pointer. The read goes through process_vm_readv(2), so a slot inside memory
 * that has since been unmapped cannot fault.
 */
#ifndef RT_ESCAPE_H
#define RT_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Capacity of the per-thread table; older entries are overwritten. */
#define RT_ESCAPE_SLOTS 32

/*! rt_escape_note() : remember that the address @local was stored at @slot
 *  by the calling thread. No allocation, no lock. */
void rt_escape_note(uintptr_t local, uintptr_t slot);

/*! rt_escape_still_dangling() : forget every noted escape of [local,
 *  local+size) and tell whether any of their slots still holds a pointer into
 *  it. @return 1 when some slot still points into the local, or when it cannot
 *  be told (no noted escape left in the table, slot unreadable for a reason
 *  other than being unmapped); 0 when every noted slot was overwritten or its
 *  memory is gone. */
int rt_escape_still_dangling(uintptr_t local, size_t size);

#endif /* RT_ESCAPE_H */
