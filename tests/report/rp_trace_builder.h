/*
 * rp_trace_builder.h - a small helper that writes synthetic .ms traces with
 * ms_writer_* for the report tests: declare sites and stacks, append events
 * per thread, optionally a leak scan, then close (complete file), abandon
 * (no index/trailer) or cut the file short.
 */
#ifndef RP_TRACE_BUILDER_H
#define RP_TRACE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"

typedef struct tb tb;

/*! tb_open() : start a trace at @path with header @flags (MS_HDR_F_*).
 *  @events_per_chunk: events of one thread per EVENTS chunk (0 = 4096). */
tb *tb_open(const char *path, uint32_t flags, size_t events_per_chunk);
/*! tb_site() : declare a site; strings may be NULL ("" / "?"). */
void tb_site(tb *t, uint64_t id, uint32_t kind, const char *file, uint32_t line,
             const char *func, const char *type, const char *var, const char *callee);
void tb_site_flags(tb *t, uint64_t id, uint32_t flags);
void tb_stack(tb *t, uint32_t id, size_t depth, const uint64_t *frames);
void tb_thread(tb *t, uint32_t tid, const char *name);
void tb_string(tb *t, uint64_t id, const char *s);
void tb_module(tb *t, uint64_t base, uint64_t size, const char *path);
/*! tb_module_build_id() : give the last declared module a build id (kept by pointer). */
void tb_module_build_id(tb *t, const uint8_t *id, uint32_t len);
/*! tb_ev() : append one event of thread @tid (times must not decrease per thread). */
void tb_ev(tb *t, uint32_t tid, uint64_t time, uint8_t kind, uint64_t addr, uint64_t aux,
           uint64_t size, uint64_t site, uint32_t stack, uint8_t flags);
void tb_leak(tb *t, uint64_t addr, uint64_t size, uint32_t kind);
/*! tb_summary() : one SUMMARY entry (@s NULL: integer @u), written at close. */
void tb_summary(tb *t, const char *key, uint64_t u, const char *s);
/*! tb_flush_events() : write every buffered event chunk now. */
void tb_flush_events(tb *t);
/*! tb_close() : write metadata, events, leaks, index and trailer.
 *  @return 0 on success. */
int tb_close(tb *t);
/*! tb_abandon() : write what is buffered, then stop without index/trailer. */
int tb_abandon(tb *t);
/*! tb_cut() : truncate @path to @keep bytes (or to size - @drop if keep == 0). */
int tb_cut(const char *path, uint64_t keep, uint64_t drop);

#endif
