/*
 * fmt_fixture.h - deterministic test content for every chunk type, shared
 * by the libmsformat tests, the fuzz seed generator and the golden file.
 * A chunk is described by an fx_spec; the same spec always generates the
 * same records, so a test can write a file and later check any chunk.
 */
#ifndef FMT_FIXTURE_H
#define FMT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "msformat.h"

typedef struct {
    uint32_t type;    /* ms_chunk_type */
    uint32_t thread;  /* events only */
    size_t n;         /* records */
    uint32_t seed;
} fx_spec;

/*! fx_events() : a realistic stream: rising times, clustered addresses,
 *  sizes skewed small, ~300 sites, frees of earlier blocks. A seed with
 *  FX_SEED_CODED set gives the structured stream of fx_events_coded(). */
void fx_events(ms_event *ev, size_t n, uint32_t seed);

#define FX_SEED_CODED 0x80000000u
/*! fx_events_coded() : a stream that reaches every code of events
 *  encoding 2 (docs/FORMAT.md 7.10): three sites, stacks in three
 *  interleaved runs of consecutive ids plus repeats, 2^32-1 followed by 0,
 *  sizes repeated and not, 16-aligned and unaligned addresses, frees and
 *  reallocs of recent blocks, kinds and flags changing per site now and
 *  then, rare escapes (a far unaligned address, sizes >= 2^63), and a clock
 *  in ~10.04 ns steps (as the TSC converted to ns reads on the reference
 *  VM). */
void fx_events_coded(ms_event *ev, size_t n, uint32_t seed);

/*! fx_add() : generate the records of @s and append them as one chunk. */
ms_error fx_add(ms_writer *w, const fx_spec *s);

/*! fx_check() : 1 when @d holds exactly the records of @s (and its type,
 *  count, thread), else 0 with a line on stderr. */
int fx_check(const fx_spec *s, const ms_decoded *d);

/*! fx_all_types() : one spec of every data type (n records each, events
 *  for thread 7), into @out (at least 9 entries). @return how many. */
size_t fx_all_types(fx_spec *out, size_t n, uint32_t seed);

/*! fx_write_file() : write @specs to @path with @codec/@level, closed
 *  properly unless @no_close (then abandoned: no index/trailer). */
ms_error fx_write_file(const char *path, ms_codec codec, int level, const fx_spec *specs,
                       size_t nspecs, int no_close);

/*! fx_read_file() : malloc'ed contents of @path, *len set; NULL on error. */
uint8_t *fx_read_file(const char *path, size_t *len);
/*! fx_tmp_path() : a fresh path under $TMPDIR (or /tmp) for @tag. */
void fx_tmp_path(char *buf, size_t len, const char *tag);

#endif
