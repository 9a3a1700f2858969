/*
 * rt_livemap.h - the live-block map: block address -> {size, site, stack}.
 *
 * The writer thread keeps it up to date from the event stream (it is what
 * the leak scan and a forked child's "inherited blocks" walk over).
 * Open addressing with linear probing and backward-shift deletion, in
 * mmap'ed memory only: never malloc, never .data/.bss, so the leak scan never
 * sees the map's own copies of block addresses as roots.
 *
 * Time-ordered application (rt_livemap_apply_alloc / _apply_free): the
 * writer receives each thread's buffer whenever it is handed over, so a
 * consumer thread's FREE of a block can arrive before the producer's ALLOC of
 * it. Each address keeps only its latest event by time: an ALLOC makes a live
 * entry, a FREE a "freed" entry (a tombstone: not a live block, not counted,
 * not walked) carrying the free's time. An event older than the address's
 * entry is stale and ignored. The final state is therefore the one of the
 * time-ordered merge whatever the arrival order ("latest wins" is order
 * independent). Freed entries are dropped by rt_livemap_purge() once no older
 * event can still arrive.
 *
 * Single-threaded: one thread (the writer) owns a map; no locking inside.
 */
#ifndef RT_LIVEMAP_H
#define RT_LIVEMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_livemap rt_livemap;

/* One live block, as rt_livemap_get / rt_livemap_foreach_entry show it. */
typedef struct {
    uint64_t addr;     /* never 0 */
    uint64_t size;     /* requested size */
    uint64_t site;     /* site id, 0 none */
    uint64_t time;     /* time (ticks) of the event that set the entry; 0 for
                          rt_livemap_insert */
    uint32_t stack;    /* stack id, 0 none */
    uint32_t freed;    /* internal: 1 = freed entry (never shown to callers) */
} rt_live_entry;

/*! rt_livemap_create() : an empty map (a few KiB mapped; grows by
 *  doubling). @return the map, or NULL if mmap failed. */
rt_livemap *rt_livemap_create(void);

/*! rt_livemap_destroy() : unmap everything. Safe on NULL. */
void rt_livemap_destroy(rt_livemap *m);

/*! rt_livemap_insert() : record block @addr (!= 0) unconditionally (time 0).
 *  @return 1 if the address was new; 0 if it was already present (its
 *  entry is replaced: the byte total follows the new size); -1 if @addr is
 *  0 or the map could not grow (mmap failed; the map is unchanged). */
int rt_livemap_insert(rt_livemap *m, uint64_t addr, uint64_t size,
                      uint64_t site, uint32_t stack);

/*! rt_livemap_remove() : forget block @addr (live; a freed entry is dropped
 *  too but does not count as found); its size goes to *@size_out
 *  when found (and @size_out is not NULL).
 *  @return 1 found and removed, 0 not present. */
int rt_livemap_remove(rt_livemap *m, uint64_t addr, uint64_t *size_out);

/*! rt_livemap_apply_alloc() : an allocation of @addr stamped @time.
 *  @return 1 applied (the block is live now; a freed entry or an older live
 *  entry of the address is replaced), 0 stale (the address has an entry
 *  with a later time: a free or reuse of this block was already applied),
 *  -1 @addr is 0 or the map could not grow. Equal times: the later call wins. */
int rt_livemap_apply_alloc(rt_livemap *m, uint64_t addr, uint64_t size,
                           uint64_t site, uint32_t stack, uint64_t time);

/*! rt_livemap_apply_free() : a free of @addr stamped @time. The address
 *  becomes a freed entry stamped @time unless it has an entry with a later
 *  time. @return 1 a live block was freed (its size in *@size_out when not
 *  NULL), 0 no live block was freed (unknown address: the freed entry waits
 *  for a late ALLOC; or stale), -1 @addr is 0 or the map could not grow. */
int rt_livemap_apply_free(rt_livemap *m, uint64_t addr, uint64_t time,
                          uint64_t *size_out);

/*! rt_livemap_purge() : drop the freed entries stamped before @before
 *  (every event stamped before it has been applied).
 *  @return how many were dropped. */
size_t rt_livemap_purge(rt_livemap *m, uint64_t before);

/*! rt_livemap_freed() : freed entries currently kept. 0 on NULL. */
size_t rt_livemap_freed(const rt_livemap *m);

/*! rt_livemap_get() : copy the live entry of @addr into *@out.
 *  @return 1 found, 0 not present (or freed). */
int rt_livemap_get(const rt_livemap *m, uint64_t addr, rt_live_entry *out);

/*! rt_livemap_prefetch() : start loading the slot where @addr's entry is
 *  or would go, for a later insert/apply/get of @addr (the writer calls it a
 *  few events ahead: the map is far larger than the CPU caches). A hint only:
 *  no effect on the map's contents; NULL @m or @addr 0 do nothing. */
void rt_livemap_prefetch(const rt_livemap *m, uint64_t addr);

/*! rt_livemap_count() : live blocks. rt_livemap_bytes() : sum of their
 *  sizes. Both 0 on NULL. */
size_t rt_livemap_count(const rt_livemap *m);
uint64_t rt_livemap_bytes(const rt_livemap *m);

/*! rt_livemap_foreach() : call @cb for every live block (never a freed
 *  entry), in no particular
 *  order. The map must not be modified during the walk. */
void rt_livemap_foreach(const rt_livemap *m,
                        void (*cb)(void *u, uint64_t addr, uint64_t size),
                        void *u);

/*! rt_livemap_foreach_entry() : the same with the whole entry (site and
 *  stack too), e.g. to re-emit inherited blocks in a forked child. */
void rt_livemap_foreach_entry(const rt_livemap *m,
                              void (*cb)(void *u, const rt_live_entry *e),
                              void *u);

/*! rt_livemap_clear() : forget every block, keep the memory. */
void rt_livemap_clear(rt_livemap *m);

#ifdef __cplusplus
}
#endif
#endif /* RT_LIVEMAP_H */
