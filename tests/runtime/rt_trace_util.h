/*
 * rt_trace_util.h - test helper: load a whole .ms trace with libmsformat into
 * flat arrays the runtime tests count over. Test code only.
 */
#ifndef RT_TRACE_UTIL_H
#define RT_TRACE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"

typedef struct {
    ms_event ev;
    uint32_t thread; /* from the chunk header */
} rt_tev;

typedef struct {
    ms_error open_err;
    int complete;            /* index + trailer valid */
    ms_header_info hdr;
    rt_tev *ev;
    size_t n_ev;
    ms_thread *threads;      /* names not kept */
    size_t n_threads;
    ms_leak *leaks;
    size_t n_leaks;
    size_t n_stacks, n_sites, n_modules, n_strings, n_counters;
    char **module_paths;
    char **strings;          /* by id (1-based), n_strings + 1 entries */
    uint64_t *string_ids;
    char *summary_keys[64];
    char *summary_str[64];
    uint64_t summary_u[64];
    size_t n_summary;
    ms_site *sites;          /* strings not kept */
} rt_trace;

/*! rt_trace_load() : read @path; @return 0 when the file opened (even if
 *  incomplete), -1 otherwise (t->open_err says why). */
int rt_trace_load(const char *path, rt_trace *t);
void rt_trace_free(rt_trace *t);

/*! rt_trace_count() : events with @kind (0 = any) and, when non-zero, the
 *  given @site, @size, and flags containing @flags_all. */
size_t rt_trace_count(const rt_trace *t, int kind, uint64_t site, uint64_t size,
                      unsigned flags_all);
/*! rt_trace_summary() : integer value of summary key @k, or @dflt. */
uint64_t rt_trace_summary(const rt_trace *t, const char *k, uint64_t dflt);
/*! rt_trace_summary_str() : string value of summary key @k, or NULL. */
const char *rt_trace_summary_str(const rt_trace *t, const char *k);
/*! rt_trace_string() : interned string with id @id, or NULL. */
const char *rt_trace_string(const rt_trace *t, uint64_t id);
/*! rt_trace_has_module() : some module path contains @needle. */
int rt_trace_has_module(const rt_trace *t, const char *needle);

/*! rt_test_mkdtemp() : create a fresh directory /tmp/<prefix>XXXXXX into
 *  @dir (@len bytes). @return 0, or -1 when it could not be made. */
int rt_test_mkdtemp(char *dir, size_t len, const char *prefix);
/*! rt_test_rmtree() : remove @dir and everything in it, unless the
 *  environment sets RT_KEEP (to look at the traces). @return 0 on success. */
int rt_test_rmtree(const char *dir);

#endif
