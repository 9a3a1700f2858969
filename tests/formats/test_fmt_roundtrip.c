/*
 * test_fmt_roundtrip.c - every chunk type through every codec, for empty,
 * tiny, medium and large (> 64 MiB raw) files, through the mmap reader and
 * the streaming reader; writer options and the name tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt_fixture.h"
#include "msformat.h"

static const ms_codec k_codecs[] = {MS_CODEC_NONE, MS_CODEC_ZSTD, MS_CODEC_LZ4, MS_CODEC_BROTLI};

/* Open @path both ways and check every chunk against @specs. */
static void check_file(const char *path, const fx_spec *specs, size_t n, ms_codec codec)
{
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    const ms_recovery *rec = ms_reader_recovery(r);
    assert_int_equal(rec->complete, 1);
    assert_int_equal(rec->lost_bytes, 0);
    assert_string_equal(ms_reader_message(r), "");
    const ms_header_info *h = ms_reader_header(r);
    assert_int_equal(h->version, MS_FORMAT_VERSION);
    assert_int_equal(h->pid, 4242);
    assert_int_equal(h->flags, MS_HDR_F_WHOLE_HEAP);
    assert_int_equal(h->codec, codec);
    assert_string_equal(h->exe, "/usr/bin/fixture");
    assert_true(h->created_unix_ns == 1700000000000000000ULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* events beyond one chunk's capacity are split by the writer
         * (checked separately in test_split_events) */
        size_t left = specs[i].n;
        do {
            const ms_chunk_info *c = ms_reader_chunk(r, k);
            assert_non_null(c);
            assert_int_equal(c->type, specs[i].type);
            assert_true(c->codec == (uint32_t)codec || c->codec == MS_CODEC_NONE);
            ms_decoded *d;
            assert_int_equal(ms_reader_load(r, k, &d), MS_OK);
            if (c->items == specs[i].n)
                assert_true(fx_check(&specs[i], d));
            left -= c->items < left ? c->items : left;
            ms_decoded_free(d);
            k++;
        } while (left);
    }
    assert_int_equal(ms_reader_chunk_count(r), k);
    assert_null(ms_reader_chunk(r, k));
    ms_decoded *d;
    assert_int_equal(ms_reader_load(r, k, &d), MS_ERR_NOT_FOUND);
    ms_reader_close(r);

    ms_stream *s;
    assert_int_equal(ms_stream_open(path, &s), MS_OK);
    assert_string_equal(ms_stream_header(s)->exe, "/usr/bin/fixture");
    ms_chunk_info info;
    size_t got = 0;
    ms_error e;
    while ((e = ms_stream_next(s, &info, &d)) == MS_OK) {
        ms_decoded_free(d);
        got++;
    }
    assert_int_equal(e, MS_ERR_END);
    assert_int_equal(got, k);
    assert_int_equal(ms_stream_recovery(s)->complete, 1);
    assert_int_equal(ms_stream_next(s, &info, &d), MS_ERR_END);
    ms_stream_close(s);
}

static void roundtrip(size_t n, int with_empty)
{
    char path[256];
    fx_tmp_path(path, sizeof path, "rt");
    fx_spec specs[32];
    size_t ns = fx_all_types(specs, n, 11);
    if (with_empty)
        ns += fx_all_types(specs + ns, 0, 21);
    for (size_t c = 0; c < sizeof k_codecs / sizeof k_codecs[0]; c++) {
        assert_int_equal(fx_write_file(path, k_codecs[c], 0, specs, ns, 0), MS_OK);
        check_file(path, specs, ns, k_codecs[c]);
    }
    unlink(path);
}

static void test_tiny_all_types_all_codecs(void **state)
{
    (void)state;
    roundtrip(3, 1);
}

static void test_medium_all_types_all_codecs(void **state)
{
    (void)state;
    roundtrip(2000, 0);
}

static void test_empty_file(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "empty");
    for (size_t c = 0; c < sizeof k_codecs / sizeof k_codecs[0]; c++) {
        assert_int_equal(fx_write_file(path, k_codecs[c], 0, NULL, 0, 0), MS_OK);
        check_file(path, NULL, 0, k_codecs[c]);
    }
    unlink(path);
}

/* Large: > 64 MiB of raw payload per codec, read back chunk by chunk. */
static void test_large_all_codecs(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "large");
    fx_spec specs[40];
    size_t ns = 0;
    /* 262144 events is the most the writer puts in one chunk */
    for (int i = 0; i < 34; i++)
        specs[ns++] = (fx_spec){MS_CHUNK_EVENTS, (uint32_t)i % 5, 1u << 18, 100u + (uint32_t)i};
    specs[ns++] = (fx_spec){MS_CHUNK_SITES, 0, 20000, 5};
    specs[ns++] = (fx_spec){MS_CHUNK_STACKS, 0, 20000, 6};
    for (size_t c = 0; c < sizeof k_codecs / sizeof k_codecs[0]; c++) {
        assert_int_equal(fx_write_file(path, k_codecs[c], 1, specs, ns, 0), MS_OK);
        ms_reader *r;
        assert_int_equal(ms_reader_open(path, &r), MS_OK);
        uint64_t raw = 0, stored = 0;
        for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
            raw += ms_reader_chunk(r, i)->raw_size;
            stored += ms_reader_chunk(r, i)->stored_size;
        }
        assert_true(raw > (64u << 20));
        assert_int_equal(ms_reader_chunk_count(r), ns);
        if (k_codecs[c] != MS_CODEC_NONE)
            assert_true(stored < raw);
        ms_reader_close(r);
        check_file(path, specs, ns, k_codecs[c]);
    }
    unlink(path);
}

/* Extreme values: escapes, wrap-around deltas, times going backwards,
 * repeated and self-referencing addresses, every kind/flags byte. */
static void test_extreme_events(void **state)
{
    (void)state;
    static const uint64_t v[] = {0, 1, UINT64_MAX, UINT64_MAX - 1, 1ULL << 63, (1ULL << 63) - 1,
                                 (1ULL << 62) + 5, 0x5555555a0000ULL, 0x7fffffffe000ULL, 42};
    enum { N = 4000 };
    ms_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    uint64_t x = 7;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ev[i].time_ns = v[(x >> 10) % 10] + (x >> 60);
        ev[i].addr = (x >> 20) % 3 == 0 && i ? ev[i - 1 - (x >> 30) % (i < 50 ? i : 50)].addr
                                             : v[(x >> 14) % 10];
        ev[i].aux = (x >> 24) % 2 && i ? ev[(x >> 32) % i].addr : v[(x >> 18) % 10];
        ev[i].size = v[(x >> 22) % 10];
        ev[i].site = v[(x >> 26) % 10] ^ ((x >> 40) & 3);
        ev[i].stack = (uint32_t)(x >> 29) | ((x >> 7) % 5 == 0 ? 0xffffffffu : 0);
        ev[i].kind = (uint8_t)(x >> 33);
        ev[i].flags = (uint8_t)(x >> 41);
    }
    char path[256];
    fx_tmp_path(path, sizeof path, "extreme");
    for (int c = 0; c < MS_CODEC_MAX_; c++) {
        ms_writer_options o;
        ms_writer_options_init(&o);
        o.codec = (ms_codec)c;
        ms_writer *w;
        assert_int_equal(ms_writer_open_path(path, &o, &w), MS_OK);
        for (size_t k = 1; k <= 64 && k < N; k *= 2) /* tiny batches too */
            assert_int_equal(ms_writer_add_events(w, 1, ev, k), MS_OK);
        assert_int_equal(ms_writer_add_events(w, 2, ev, N), MS_OK);
        assert_int_equal(ms_writer_close(w), MS_OK);
        ms_reader *r;
        assert_int_equal(ms_reader_open(path, &r), MS_OK);
        size_t nc = ms_reader_chunk_count(r);
        for (size_t i = 0; i < nc; i++) {
            ms_decoded *d;
            assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
            assert_memory_equal(d->u.events, ev, d->count * sizeof *ev);
            uint64_t lo = UINT64_MAX, hi = 0;
            for (size_t k = 0; k < d->count; k++) {
                lo = ev[k].time_ns < lo ? ev[k].time_ns : lo;
                hi = ev[k].time_ns > hi ? ev[k].time_ns : hi;
            }
            assert_true(ms_reader_chunk(r, i)->t_first == lo);
            assert_true(ms_reader_chunk(r, i)->t_last == hi);
            ms_decoded_free(d);
        }
        assert_int_equal(ms_reader_chunk(r, nc - 1)->items, N);
        ms_reader_close(r);
    }
    free(ev);
    unlink(path);
}

/* Values at every varint length boundary (the encoder writes lengths 1-3
 * without branches and longer ones on a slow path), thousands of distinct
 * sites (the site table grows mid-chunk) and far back references. The same
 * batch written twice must give byte-identical payloads: nothing of one
 * chunk may leak into the next (tables are reused across chunks). */
static void test_varint_boundaries_many_sites(void **state)
{
    (void)state;
    enum { N = 20000 };
    ms_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    uint64_t x = 99, t = 1000;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned k = (unsigned)(x >> 58) % 10;          /* 7*k bits */
        uint64_t edge = k ? (1ULL << (7 * k)) : 0;
        uint64_t val = edge + ((x >> 40) % 3) - 1;      /* edge - 1, edge, edge + 1 */
        t += (x >> 20) % 2 ? val : (x >> 44) % 200;
        ev[i].time_ns = t;
        ev[i].addr = (x >> 30) % 4 == 0 && i ? ev[i - 1 - (x >> 32) % i].addr
                                             : 0x10000 + val * 16;
        ev[i].aux = (x >> 34) % 5 == 0 ? val : 0;
        ev[i].size = (x >> 36) % 2 ? val : 64;
        ev[i].site = 0x400000 + 0x40 * ((x >> 8) % 3000);
        ev[i].stack = (uint32_t)((x >> 38) % 2 ? val : 3);
        ev[i].kind = (uint8_t)(1 + (x >> 12) % 12);
        ev[i].flags = (uint8_t)((x >> 16) & 31);
    }
    char path[256];
    fx_tmp_path(path, sizeof path, "varint");
    for (int c = 0; c < MS_CODEC_MAX_; c++) {
        ms_writer_options o;
        ms_writer_options_init(&o);
        o.codec = (ms_codec)c;
        ms_writer *w;
        assert_int_equal(ms_writer_open_path(path, &o, &w), MS_OK);
        assert_int_equal(ms_writer_add_events(w, 1, ev, N), MS_OK);
        assert_int_equal(ms_writer_add_events(w, 1, ev + 5, 300), MS_OK);
        assert_int_equal(ms_writer_add_events(w, 1, ev, N), MS_OK);
        assert_int_equal(ms_writer_close(w), MS_OK);
        ms_reader *r;
        assert_int_equal(ms_reader_open(path, &r), MS_OK);
        assert_int_equal(ms_reader_chunk_count(r), 3);
        for (size_t i = 0; i < 3; i++) {
            ms_decoded *d;
            assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
            assert_int_equal(d->count, i == 1 ? 300 : N);
            assert_memory_equal(d->u.events, ev + (i == 1 ? 5 : 0), d->count * sizeof *ev);
            ms_decoded_free(d);
        }
        void *raw0, *raw2;
        size_t len0, len2;
        assert_int_equal(ms_reader_raw(r, 0, &raw0, &len0), MS_OK);
        assert_int_equal(ms_reader_raw(r, 2, &raw2, &len2), MS_OK);
        assert_int_equal(len0, len2);
        assert_memory_equal(raw0, raw2, len0);
        free(raw0);
        free(raw2);
        ms_reader_close(r);
    }
    free(ev);
    unlink(path);
}

/* Events encoding 2's model on the stream that reaches each of its codes
 * (fmt_fixture.h): lossless for batches of every size, written as encoding
 * 2, and kinds predicted per site (the kind column is mostly zeros). */
static void test_coded_events(void **state)
{
    (void)state;
    enum { N = 6000 };
    ms_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    fx_events_coded(ev, N, 11);
    static const size_t batch[] = {1, 2, 3, 100, 5000};
    char path[256];
    fx_tmp_path(path, sizeof path, "coded");
    ms_writer *w;
    assert_int_equal(ms_writer_open_path(path, NULL, &w), MS_OK);
    size_t at = 0;
    for (size_t b = 0; b < sizeof batch / sizeof batch[0]; b++) {
        assert_int_equal(ms_writer_add_events(w, 1, ev + at, batch[b]), MS_OK);
        at += batch[b];
    }
    assert_int_equal(ms_writer_close(w), MS_OK);
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    assert_int_equal(ms_reader_chunk_count(r), sizeof batch / sizeof batch[0]);
    at = 0;
    for (size_t b = 0; b < sizeof batch / sizeof batch[0]; b++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, b, &d), MS_OK);
        assert_int_equal(d->count, batch[b]);
        assert_memory_equal(d->u.events, ev + at, batch[b] * sizeof *ev);
        ms_decoded_free(d);
        void *raw;
        size_t len;
        assert_int_equal(ms_reader_raw(r, b, &raw, &len), MS_OK);
        const uint8_t *p = raw;
        assert_int_equal(p[0], 0x9b); /* [2, n, 9 columns] */
        assert_int_equal(p[1], 2);
        if (batch[b] == 5000) {
            /* the last two columns: kind and flags, n bytes each (bin 16) */
            const uint8_t *kind = p + len - 2 * (3 + batch[b]) + 3;
            assert_int_equal(kind[-3], 0xc5);
            size_t nonzero = 0;
            for (size_t i = 0; i < batch[b]; i++)
                nonzero += kind[i] != 0;
            assert_true(nonzero < batch[b] / 10);
        }
        free(raw);
        at += batch[b];
    }
    ms_reader_close(r);
    free(ev);
    unlink(path);
}

/* A batch larger than one chunk is split, in order, losslessly. */
static void test_split_events(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "split");
    size_t n = (1u << 18) * 2 + 1000;
    ms_event *ev = malloc(n * sizeof *ev);
    assert_non_null(ev);
    fx_events(ev, n, 5);
    ms_writer *w;
    assert_int_equal(ms_writer_open_path(path, NULL, &w), MS_OK);
    assert_int_equal(ms_writer_add_events(w, 3, ev, n), MS_OK);
    assert_int_equal(ms_writer_close(w), MS_OK);
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    assert_int_equal(ms_reader_chunk_count(r), 3);
    size_t at = 0;
    for (size_t i = 0; i < 3; i++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
        assert_int_equal(d->thread, 3);
        assert_int_equal(ms_reader_chunk(r, i)->t_first, ev[at].time_ns);
        assert_int_equal(ms_reader_chunk(r, i)->t_last, ev[at + d->count - 1].time_ns);
        assert_memory_equal(d->u.events, ev + at, d->count * sizeof *ev);
        at += d->count;
        ms_decoded_free(d);
    }
    assert_int_equal(at, n);
    ms_reader_close(r);
    free(ev);
    unlink(path);
}

/* A payload compression cannot shrink is stored with codec "none". */
static void test_incompressible_stored_raw(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "incomp");
    enum { N = 64, L = 4096 };
    static char bufs[N][L + 1];
    ms_string strs[N];
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < L; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            bufs[i][k] = (char)(1 + (x >> 33) % 255);
        }
        bufs[i][L] = 0;
        strs[i].id = (uint64_t)i;
        strs[i].str = bufs[i];
    }
    for (size_t c = 1; c < sizeof k_codecs / sizeof k_codecs[0]; c++) {
        ms_writer_options o;
        ms_writer_options_init(&o);
        o.codec = k_codecs[c];
        ms_writer *w;
        assert_int_equal(ms_writer_open_path(path, &o, &w), MS_OK);
        assert_int_equal(ms_writer_add_strings(w, strs, N), MS_OK);
        assert_int_equal(ms_writer_close(w), MS_OK);
        ms_reader *r;
        assert_int_equal(ms_reader_open(path, &r), MS_OK);
        const ms_chunk_info *ci = ms_reader_chunk(r, 0);
        assert_int_equal(ci->codec, MS_CODEC_NONE);
        assert_int_equal(ci->stored_size, ci->raw_size);
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, 0, &d), MS_OK);
        assert_int_equal(d->count, N);
        for (int i = 0; i < N; i++)
            assert_string_equal(d->u.strings[i].str, bufs[i]);
        ms_decoded_free(d);
        ms_reader_close(r);
    }
    unlink(path);
}

static void test_levels_and_options(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "opts");
    ms_writer_options o;
    ms_writer_options_init(&o);
    assert_int_equal(o.codec, MS_CODEC_ZSTD);
    assert_int_equal(o.level, 0);
    ms_writer *w = NULL;
    o.level = 99;
    assert_int_equal(ms_writer_open_path(path, &o, &w), MS_ERR_INVALID_ARG);
    o.codec = MS_CODEC_BROTLI;
    o.level = 12;
    assert_int_equal(ms_writer_open_path(path, &o, &w), MS_ERR_INVALID_ARG);
    o.codec = (ms_codec)9;
    o.level = 0;
    assert_int_equal(ms_writer_open_path(path, &o, &w), MS_ERR_INVALID_ARG);
    assert_null(w);
    /* every legal level of every codec writes a readable file */
    static const int lv[][3] = {{0, 0, 0}, {1, 19, -3}, {1, 2, 9}, {0, 1, 11}};
    fx_spec specs[16];
    size_t ns = fx_all_types(specs, 50, 3);
    for (size_t c = 0; c < 4; c++)
        for (int k = 0; k < 3; k++) {
            assert_int_equal(fx_write_file(path, k_codecs[c], lv[c][k], specs, ns, 0), MS_OK);
            check_file(path, specs, ns, k_codecs[c]);
        }
    /* fd ownership: a borrowed fd stays open after close */
    FILE *f = tmpfile();
    assert_non_null(f);
    ms_writer_options_init(&o);
    assert_int_equal(ms_writer_open_fd(fileno(f), 0, &o, &w), MS_OK);
    assert_true(ms_writer_bytes(w) > 0);
    assert_int_equal(ms_writer_flush(w, 1), MS_OK);
    assert_int_equal(ms_writer_close(w), MS_OK);
    assert_int_equal(fflush(f), 0);
    assert_true(fcntl(fileno(f), F_GETFD) >= 0); /* still open */
    assert_true(write(fileno(f), "", 0) == 0);
    fclose(f);
    /* misuse */
    assert_int_equal(ms_writer_open_path(path, NULL, &w), MS_OK);
    assert_int_equal(ms_writer_add_raw(w, MS_CHUNK_INDEX, 0, "\x90", 1, 0, 0, 0),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_writer_add_raw(w, MS_CHUNK_SITES, 0, "\x90", 1, 0, 5, 4),
                     MS_ERR_INVALID_ARG);
    ms_stack bad = {0, 0, NULL};
    assert_int_equal(ms_writer_add_stacks(w, &bad, 1), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_writer_add_raw(w, MS_CHUNK_SITES, 0, "\x90", 1, 0, 0, 0), MS_OK);
    assert_int_equal(ms_writer_close(w), MS_OK);
    assert_int_equal(ms_writer_close(NULL), MS_OK);
    unlink(path);
}

/* Write failures: the first error sticks, later calls say MS_ERR_STATE. */
static void test_write_errors(void **state)
{
    (void)state;
    ms_writer *w;
    int fd = open("/dev/full", O_WRONLY);
    if (fd >= 0) {
        assert_int_equal(ms_writer_open_fd(fd, 0, NULL, &w), MS_ERR_IO);
        close(fd);
    }
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ms_writer_open_fd(p[1], 1, NULL, &w), MS_OK); /* pipes accepted */
    close(p[0]);
    ms_leak l = {1, 2, 3, 0};
    assert_int_equal(ms_writer_add_leaks(w, &l, 1), MS_ERR_IO);
    assert_int_equal(ms_writer_add_leaks(w, &l, 1), MS_ERR_STATE);
    assert_int_equal(ms_writer_flush(w, 0), MS_ERR_STATE);
    assert_int_equal(ms_writer_close(w), MS_ERR_IO);
    /* a seekable fd not at offset 0 is refused */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(write(fileno(f), "x", 1), 1);
    assert_int_equal(ms_writer_open_fd(fileno(f), 0, NULL, &w), MS_ERR_INVALID_ARG);
    fclose(f);
}

static void test_names(void **state)
{
    (void)state;
    for (int e = 0; e < MS_ERR_MAX_; e++) {
        assert_non_null(ms_error_name((ms_error)e));
        assert_non_null(ms_error_string((ms_error)e));
        assert_int_equal(strncmp(ms_error_name((ms_error)e), "MS_", 3), 0);
    }
    assert_string_equal(ms_error_name(MS_ERR_CHUNK_CHECKSUM), "MS_ERR_CHUNK_CHECKSUM");
    assert_string_equal(ms_error_name((ms_error)999), "MS_ERR_UNKNOWN");
    ms_codec c;
    for (int i = 0; i < MS_CODEC_MAX_; i++) {
        assert_int_equal(ms_codec_parse(ms_codec_name((ms_codec)i), &c), MS_OK);
        assert_int_equal(c, i);
    }
    assert_int_equal(ms_codec_parse("gzip", &c), MS_ERR_INVALID_ARG);
    assert_null(ms_codec_name(MS_CODEC_MAX_));
    uint32_t t;
    for (uint32_t i = 1; i < MS_CHUNK_TYPE_MAX_; i++) {
        assert_int_equal(ms_chunk_type_parse(ms_chunk_type_name(i), &t), MS_OK);
        assert_int_equal(t, i);
    }
    assert_null(ms_chunk_type_name(0));
    assert_int_equal(ms_chunk_type_parse("bogus", &t), MS_ERR_INVALID_ARG);
    for (uint32_t i = 1; i < MS_SITE_KIND_MAX_; i++)
        assert_non_null(ms_site_kind_name(i));
    assert_string_equal(ms_site_kind_name(MS_SITE_SCOPE_EXIT), "scope_exit");
    assert_null(ms_site_kind_name(MS_SITE_KIND_MAX_));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_tiny_all_types_all_codecs),
        cmocka_unit_test(test_medium_all_types_all_codecs),
        cmocka_unit_test(test_incompressible_stored_raw),
        cmocka_unit_test(test_split_events),
        cmocka_unit_test(test_extreme_events),
        cmocka_unit_test(test_coded_events),
        cmocka_unit_test(test_levels_and_options),
        cmocka_unit_test(test_varint_boundaries_many_sites),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_large_all_codecs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
