/*
 * test_fmt_golden.c - format stability: golden/v1-small.ms was written by
 * format version 1 with events encoding 1 (zstd, every chunk type), and
 * golden/v1-events2.ms by the same version with events encoding 2 (plus a
 * chunk that reaches every code of encoding 2). Both must keep reading to
 * the same content, through both readers. Regenerate only for a new format
 * version or events encoding (as a new file), never to make this test pass:
 *     test_fmt_golden --write tests/formats/golden/v1-events2.ms
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fmt_fixture.h"
#include "msformat.h"

#ifndef MS_GOLDEN_DIR
#error "MS_GOLDEN_DIR must point at tests/formats/golden"
#endif

static size_t golden_specs(fx_spec *s)
{
    size_t n = fx_all_types(s, 4, 2024);
    s[n++] = (fx_spec){MS_CHUNK_EVENTS, 2, 64, 9};
    return n;
}

/* The events encoding of every events chunk of @path must be @enc. */
static void check_events_encoding(const char *path, unsigned enc)
{
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    size_t seen = 0;
    for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
        if (ms_reader_chunk(r, i)->type != MS_CHUNK_EVENTS)
            continue;
        void *raw;
        size_t len;
        assert_int_equal(ms_reader_raw(r, i, &raw, &len), MS_OK);
        assert_true(len > 2);
        assert_int_equal(((const uint8_t *)raw)[1], enc); /* [encoding, ...] */
        free(raw);
        seen++;
    }
    assert_true(seen > 0);
    ms_reader_close(r);
}

/* Encoding 2's golden: the v1 specs plus a stream reaching every code. */
static size_t golden2_specs(fx_spec *s)
{
    size_t n = golden_specs(s);
    s[n++] = (fx_spec){MS_CHUNK_EVENTS, 3, 3000, FX_SEED_CODED | 5};
    return n;
}

static void check_golden(const char *path, const fx_spec *specs, size_t n);

static void test_golden_v1(void **state)
{
    (void)state;
    fx_spec specs[16];
    size_t n = golden_specs(specs);
    check_golden(MS_GOLDEN_DIR "/v1-small.ms", specs, n);
    check_events_encoding(MS_GOLDEN_DIR "/v1-small.ms", 1);
}

static void test_golden_events2(void **state)
{
    (void)state;
    fx_spec specs[16];
    size_t n = golden2_specs(specs);
    check_golden(MS_GOLDEN_DIR "/v1-events2.ms", specs, n);
    check_events_encoding(MS_GOLDEN_DIR "/v1-events2.ms", 2);
}

static void check_golden(const char *path, const fx_spec *specs, size_t n)
{
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    const ms_header_info *h = ms_reader_header(r);
    assert_int_equal(h->version, 1);
    assert_int_equal(h->pid, 4242);
    assert_int_equal(h->codec, MS_CODEC_ZSTD);
    assert_int_equal(h->flags, MS_HDR_F_WHOLE_HEAP);
    assert_true(h->created_unix_ns == 1700000000000000000ULL);
    assert_string_equal(h->exe, "/usr/bin/fixture");
    assert_int_equal(ms_reader_recovery(r)->complete, 1);
    assert_int_equal(ms_reader_chunk_count(r), n);
    for (size_t i = 0; i < n; i++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
        assert_true(fx_check(&specs[i], d));
        ms_decoded_free(d);
    }
    /* spot values, independent of the fixture code */
    ms_decoded *d;
    assert_int_equal(ms_reader_load(r, 0, &d), MS_OK);
    assert_int_equal(d->type, MS_CHUNK_SITES);
    assert_string_equal(d->u.sites[1].function, "fn_1_2024");
    assert_string_equal(d->u.sites[1].file, "src/file_1_2024.c");
    ms_decoded_free(d);
    ms_reader_close(r);

    ms_stream *s;
    assert_int_equal(ms_stream_open(path, &s), MS_OK);
    ms_chunk_info info;
    size_t k = 0;
    ms_error e;
    while ((e = ms_stream_next(s, &info, &d)) == MS_OK) {
        assert_true(fx_check(&specs[k++], d));
        ms_decoded_free(d);
    }
    assert_int_equal(e, MS_ERR_END);
    assert_int_equal(k, n);
    ms_stream_close(s);
}

/* Recovery messages are part of the interface: exact text on the golden. */
static void test_golden_damaged(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = fx_read_file(MS_GOLDEN_DIR "/v1-small.ms", &len);
    assert_non_null(buf);
    ms_reader *r;
    assert_int_equal(ms_reader_open_mem(buf, len, &r), MS_OK);
    ms_chunk_info c2 = *ms_reader_chunk(r, 2), c4 = *ms_reader_chunk(r, 4);
    ms_reader_close(r);
    char want[160];

    assert_int_equal(ms_reader_open_mem(buf, c4.offset + 10, &r), MS_OK);
    snprintf(want, sizeof want, "chunk 4 at offset %llu: header truncated (10 of 72 bytes)",
             (unsigned long long)c4.offset);
    assert_string_equal(ms_reader_message(r), want);
    assert_int_equal(ms_reader_recovery(r)->stop_reason, MS_ERR_TRUNCATED);
    assert_int_equal(ms_reader_recovery(r)->lost_bytes, 10);
    ms_reader_close(r);

    buf[c2.offset + 72 + 3] ^= 0x40;
    assert_int_equal(ms_reader_open_mem(buf, len - 1, &r), MS_OK);
    snprintf(want, sizeof want, "chunk 2 at offset %llu: payload checksum mismatch",
             (unsigned long long)c2.offset);
    assert_string_equal(ms_reader_message(r), want);
    assert_int_equal(ms_reader_chunk_count(r), 2);
    assert_int_equal(ms_reader_recovery(r)->stop_reason, MS_ERR_CHUNK_CHECKSUM);
    assert_int_equal(ms_reader_recovery(r)->valid_bytes, c2.offset);
    ms_reader_close(r);

    /* with the trailer intact the index is used; the damage shows on load */
    assert_int_equal(ms_reader_open_mem(buf, len, &r), MS_OK);
    assert_int_equal(ms_reader_recovery(r)->complete, 1);
    ms_decoded *d;
    assert_int_equal(ms_reader_load(r, 2, &d), MS_ERR_CHUNK_CHECKSUM);
    assert_int_equal(ms_reader_load(r, 1, &d), MS_OK);
    ms_decoded_free(d);
    ms_reader_close(r);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        fx_spec specs[16];
        size_t n = golden2_specs(specs);
        ms_error e = fx_write_file(argv[2], MS_CODEC_ZSTD, 0, specs, n, 0);
        fprintf(stderr, "%s: %s\n", argv[2], ms_error_name(e));
        return e == MS_OK ? 0 : 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_v1),
        cmocka_unit_test(test_golden_events2),
        cmocka_unit_test(test_golden_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
