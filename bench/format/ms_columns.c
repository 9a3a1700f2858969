/*
 * ms_columns.c - where the bytes of a trace's events go, column by column.
 *
 *   ms_columns [-l level] trace.ms...
 *   ms_columns -w out.ms [-c codec:level] trace.ms
 *
 * For every events chunk of each trace: the raw payload (libmsformat's
 * ms_reader_raw) is split into its columns (docs/FORMAT.md "Events"), and
 * each column is compressed alone with zstd at @level (default 1, the
 * writer's default), once per chunk as the writer would. Printed per
 * column: raw bytes/event, compressed-alone bytes/event, and the share of
 * the sum; then the chunks' real stored bytes/event (the whole payload
 * compressed together). Reading goes through the public API only; the
 * column split parses the MessagePack array header itself.
 *
 * With -w, the trace is rewritten by the current writer instead: events
 * chunks re-encoded (ms_writer_add_events, same chunk boundaries and
 * threads), every other chunk copied as its raw payload, with the given
 * codec (default zstd:0). Printed: the CPU time of the events appends
 * (encode + compress + write) per event and the new bytes/event. The
 * result must read to the same events (memscope-report output is unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "msformat.h"

#define MAX_COLS 16

static const char *const col_names[3][MAX_COLS] = {
    {0},
    {"time", "addr", "aux", "size", "site_dict", "site_idx", "stack", "kind", "flags"},
    {"time", "addr", "aux", "size", "site_dict", "site_idx", "stack", "kind", "flags"},
};

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
} cur;

static int get_uint(cur *c, unsigned long long *v)
{
    if (c->p >= c->end)
        return 0;
    unsigned b = *c->p++;
    if (b < 0x80) {
        *v = b;
        return 1;
    }
    int w = b == 0xcc ? 1 : b == 0xcd ? 2 : b == 0xce ? 4 : b == 0xcf ? 8 : 0;
    if (!w || c->end - c->p < w)
        return 0;
    unsigned long long x = 0;
    for (int i = 0; i < w; i++)
        x = x << 8 | *c->p++;
    *v = x;
    return 1;
}

static int get_bin(cur *c, const unsigned char **b, size_t *len)
{
    if (c->p >= c->end)
        return 0;
    unsigned t = *c->p++;
    int w = t == 0xc4 ? 1 : t == 0xc5 ? 2 : t == 0xc6 ? 4 : 0;
    if (!w || c->end - c->p < w)
        return 0;
    size_t n = 0;
    for (int i = 0; i < w; i++)
        n = n << 8 | *c->p++;
    if ((size_t)(c->end - c->p) < n)
        return 0;
    *b = c->p;
    *len = n;
    c->p += n;
    return 1;
}

typedef struct {
    unsigned long long raw[MAX_COLS];
    unsigned long long packed[MAX_COLS];
    unsigned long long events, stored, chunks;
    unsigned ncols;
    unsigned encoding;
} totals;

static int one_chunk(ms_reader *r, size_t i, ZSTD_CCtx *z, void **zbuf, size_t *zcap,
                     totals *t)
{
    void *raw;
    size_t len;
    if (ms_reader_raw(r, i, &raw, &len) != MS_OK)
        return 0;
    cur c = {raw, (const unsigned char *)raw + len};
    unsigned long long enc, n;
    int ok = c.p < c.end && (*c.p & 0xf0) == 0x90;
    unsigned ncols = ok ? (*c.p++ & 0x0f) - 2u : 0;
    ok = ok && ncols <= MAX_COLS && get_uint(&c, &enc) && get_uint(&c, &n) && enc >= 1 &&
         enc <= 2;
    for (unsigned k = 0; ok && k < ncols; k++) {
        const unsigned char *b;
        size_t bl;
        ok = get_bin(&c, &b, &bl);
        if (!ok)
            break;
        size_t need = ZSTD_compressBound(bl);
        if (need > *zcap) {
            free(*zbuf);
            *zbuf = malloc(need);
            *zcap = *zbuf ? need : 0;
            ok = *zbuf != NULL;
            if (!ok)
                break;
        }
        size_t zl = ZSTD_compress2(z, *zbuf, *zcap, b, bl);
        ok = !ZSTD_isError(zl);
        t->raw[k] += bl;
        t->packed[k] += zl < bl ? zl : bl;
    }
    if (ok) {
        t->events += n;
        t->stored += ms_reader_chunk(r, i)->stored_size;
        t->chunks++;
        t->ncols = ncols;
        t->encoding = (unsigned)enc;
    }
    free(raw);
    return ok;
}

static int report(const char *path, int level)
{
    ms_reader *r;
    ms_error e = ms_reader_open(path, &r);
    if (e != MS_OK) {
        fprintf(stderr, "ms_columns: %s: %s\n", path, ms_error_string(e));
        return 1;
    }
    ZSTD_CCtx *z = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level);
    totals t;
    memset(&t, 0, sizeof t);
    void *zbuf = NULL;
    size_t zcap = 0;
    int bad = 0;
    for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
        if (ms_reader_chunk(r, i)->type != MS_CHUNK_EVENTS)
            continue;
        if (!one_chunk(r, i, z, &zbuf, &zcap, &t))
            bad++;
    }
    free(zbuf);
    ZSTD_freeCCtx(z);
    ms_reader_close(r);
    double ev = t.events ? (double)t.events : 1.0;
    unsigned long long sum = 0;
    for (unsigned k = 0; k < t.ncols; k++)
        sum += t.packed[k];
    printf("%s: %llu events in %llu chunks (encoding %u), stored %.3f bytes/event%s\n", path,
           t.events, t.chunks, t.encoding, (double)t.stored / ev, bad ? " (some chunks unreadable)" : "");
    printf("  %-10s %10s %12s %7s\n", "column", "raw B/ev", "zstd B/ev", "share");
    for (unsigned k = 0; k < t.ncols; k++) {
        const char *name = t.encoding < 3 && col_names[t.encoding][k] ? col_names[t.encoding][k] : "?";
        printf("  %-10s %10.3f %12.3f %6.1f%%\n", name, (double)t.raw[k] / ev,
               (double)t.packed[k] / ev, sum ? 100.0 * (double)t.packed[k] / (double)sum : 0.0);
    }
    printf("  %-10s %10s %12.3f  (columns compressed alone, zstd %d)\n", "sum", "",
           (double)sum / ev, level);
    return bad != 0;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int parse_codec(const char *spec, ms_codec *codec, int *level)
{
    static const struct {
        const char *name;
        ms_codec codec;
    } names[] = {{"none", MS_CODEC_NONE}, {"zstd", MS_CODEC_ZSTD}, {"lz4", MS_CODEC_LZ4},
                 {"brotli", MS_CODEC_BROTLI}};
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == len && strncmp(spec, names[i].name, len) == 0) {
            *codec = names[i].codec;
            *level = colon ? atoi(colon + 1) : 0;
            return 1;
        }
    }
    return 0;
}

static int rewrite(const char *in, const char *out, ms_codec codec, int level)
{
    ms_reader *r;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK) {
        fprintf(stderr, "ms_columns: %s: %s\n", in, ms_error_string(e));
        return 1;
    }
    const ms_header_info *h = ms_reader_header(r);
    ms_writer_options o;
    ms_writer_options_init(&o);
    o.codec = codec;
    o.level = level;
    o.pid = h->pid;
    o.flags = h->flags;
    o.created_unix_ns = h->created_unix_ns;
    o.exe = h->exe;
    ms_writer *w;
    if ((e = ms_writer_open_path(out, &o, &w)) != MS_OK) {
        fprintf(stderr, "ms_columns: %s: %s\n", out, ms_error_string(e));
        ms_reader_close(r);
        return 1;
    }
    double cpu = 0;
    unsigned long long events = 0, stored = 0;
    for (size_t i = 0; e == MS_OK && i < ms_reader_chunk_count(r); i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        if (c->type == MS_CHUNK_EVENTS) {
            ms_decoded *d;
            if ((e = ms_reader_load(r, i, &d)) != MS_OK)
                break;
            double t0 = cpu_now();
            e = ms_writer_add_events(w, c->thread, d->u.events, d->count);
            cpu += cpu_now() - t0;
            events += d->count;
            ms_decoded_free(d);
        } else {
            void *raw;
            size_t len;
            if ((e = ms_reader_raw(r, i, &raw, &len)) != MS_OK)
                break;
            e = ms_writer_add_raw(w, c->type, c->thread, raw, len, c->items, c->t_first,
                                  c->t_last);
            free(raw);
        }
    }
    ms_error ec = ms_writer_close(w);
    e = e != MS_OK ? e : ec;
    ms_reader_close(r);
    if (e != MS_OK) {
        fprintf(stderr, "ms_columns: rewriting %s: %s\n", in, ms_error_string(e));
        return 1;
    }
    if (ms_reader_open(out, &r) == MS_OK) {
        for (size_t i = 0; i < ms_reader_chunk_count(r); i++)
            if (ms_reader_chunk(r, i)->type == MS_CHUNK_EVENTS)
                stored += ms_reader_chunk(r, i)->stored_size;
        ms_reader_close(r);
    }
    double ev = events ? (double)events : 1.0;
    printf("%s -> %s: %llu events, events chunks %.3f bytes/event, "
           "add_events %.1f ns/event (cpu)\n",
           in, out, events, (double)stored / ev, 1e9 * cpu / ev);
    return 0;
}

int main(int argc, char **argv)
{
    int level = 1, i = 1, rc = 0, wlevel = 0;
    const char *out = NULL;
    ms_codec codec = MS_CODEC_ZSTD;
    while (i + 1 < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-l") == 0) {
            level = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "-w") == 0) {
            out = argv[i + 1];
        } else if (strcmp(argv[i], "-c") == 0 && parse_codec(argv[i + 1], &codec, &wlevel)) {
        } else {
            break;
        }
        i += 2;
    }
    if (i >= argc || (out && i + 1 != argc)) {
        fprintf(stderr, "usage: ms_columns [-l zstd-level] trace.ms...\n"
                        "       ms_columns -w out.ms [-c codec:level] trace.ms\n");
        return 2;
    }
    if (out)
        return rewrite(argv[i], out, codec, wlevel);
    for (; i < argc; i++)
        rc |= report(argv[i], level);
    return rc;
}
