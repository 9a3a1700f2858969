/*
 * rt_tables.h - the two small registries the writer drains: site ranges
 * registered by instrumented modules (__memscope_init_v1) and strings
 * interned for memscope_name()/memscope_phase(). Thread-safe, never call
 * malloc (mmap'ed storage); the writer hands out what is new since its last
 * drain.
 */
#ifndef RT_TABLES_H
#define RT_TABLES_H

#include "rt_core.h"

/*! rt_sites_register() : remember [start, stop) (idempotent per range;
 *  NULL/empty ranges ignored). @return 0, or -1 when the table is full. */
RT_HIDDEN int rt_sites_register(const memscope_site *start, const memscope_site *stop);
/*! rt_sites_drain() : writer: convert every site of the ranges registered
 *  since the last drain into ms_site (id = record address; records whose
 *  magic is wrong are skipped) and hand them to @cb in batches. @return the
 *  number of sites. */
RT_HIDDEN size_t rt_sites_drain(void (*cb)(void *u, const ms_site *s, size_t n), void *u);
/*! rt_sites_reset_written() : fork child: everything is new again. */
RT_HIDDEN void rt_sites_reset_written(void);

/*! rt_strings_intern() : copy @s (at most 4095 bytes kept), @return its id
 *  (>= 1; equal strings get equal ids), 0 when out of memory. */
RT_HIDDEN uint64_t rt_strings_intern(const char *s);
/*! rt_strings_drain() : writer: strings interned since the last drain. */
RT_HIDDEN size_t rt_strings_drain(void (*cb)(void *u, const ms_string *s, size_t n), void *u);
RT_HIDDEN void rt_strings_reset_written(void);

/* Fork: take the registries' locks in prepare, release in the parent,
 * re-initialise them in the child. */
RT_HIDDEN void rt_tables_fork_prepare(void);
RT_HIDDEN void rt_tables_fork_parent(void);
RT_HIDDEN void rt_tables_fork_child(void);

#endif
