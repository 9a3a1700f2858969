/*
 * test_fmt_recovery.c - damaged files: a real multi-chunk file cut at every
 * byte offset (and a dense sample of a large one) reads back exactly its
 * complete chunks and reports the loss; every single-bit flip in a small
 * file is detected, never a crash, never silently wrong data. Both the
 * mmap reader and the streaming reader are checked.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt_fixture.h"
#include "msformat.h"

typedef struct {
    uint8_t *buf;
    size_t len;
    fx_spec specs[32];
    size_t nspecs;
    uint64_t ends[64];    /* end offset of each data chunk */
    uint64_t index_end;   /* end of the index chunk (trailer offset) */
    uint64_t hdr_size;
} sample;

static void make_sample(sample *s, ms_codec codec, size_t n, int events_chunks, size_t nev)
{
    char path[256];
    fx_tmp_path(path, sizeof path, "rec");
    s->nspecs = fx_all_types(s->specs, n, 3);
    for (int i = 0; i < events_chunks; i++)
        s->specs[s->nspecs++] = (fx_spec){MS_CHUNK_EVENTS, 1u + (uint32_t)i, nev, 40u + (uint32_t)i};
    assert_int_equal(fx_write_file(path, codec, 0, s->specs, s->nspecs, 0), MS_OK);
    s->buf = fx_read_file(path, &s->len);
    assert_non_null(s->buf);
    unlink(path);
    ms_reader *r;
    assert_int_equal(ms_reader_open_mem(s->buf, s->len, &r), MS_OK);
    assert_int_equal(ms_reader_chunk_count(r), s->nspecs);
    for (size_t i = 0; i < s->nspecs; i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        s->ends[i] = c->offset + 72 + c->stored_size;
    }
    s->hdr_size = ms_reader_chunk(r, 0)->offset;
    s->index_end = s->len - 32;
    ms_reader_close(r);
}

static int stream_mem(const uint8_t *p, size_t len, ms_stream **out)
{
    int fd = memfd_create("msfmt", 0);
    assert_true(fd >= 0);
    assert_true(write(fd, p, len) == (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    ms_error e = ms_stream_open_fd(fd, out);
    if (e != MS_OK) {
        close(fd);
        return e;
    }
    return fd;
}

/* The file cut to @cut bytes: exactly the complete chunks, loss reported. */
/* @deep: also load and compare every chunk, and run the stream reader. */
static void check_cut(const sample *s, size_t cut, int deep)
{
    ms_reader *r;
    ms_error e = ms_reader_open_mem(s->buf, cut, &r);
    if (cut < s->hdr_size) {
        assert_int_equal(e, MS_ERR_TRUNCATED);
        return;
    }
    assert_int_equal(e, MS_OK);
    size_t expect = 0;
    while (expect < s->nspecs && s->ends[expect] <= cut)
        expect++;
    uint64_t valid = expect ? s->ends[expect - 1] : s->hdr_size;
    if (cut >= s->index_end)
        valid = s->index_end; /* the index chunk itself is whole */
    const ms_recovery *rec = ms_reader_recovery(r);
    assert_int_equal(ms_reader_chunk_count(r), expect);
    assert_int_equal(rec->file_size, cut);
    if (cut == s->len) {
        assert_int_equal(rec->complete, 1);
        assert_int_equal(rec->stop_reason, MS_OK);
        assert_int_equal(rec->valid_bytes, s->len);
    } else {
        assert_int_equal(rec->complete, 0);
        assert_int_equal(rec->stop_reason, MS_ERR_TRUNCATED);
        assert_int_equal(rec->valid_bytes, valid);
        assert_int_equal(rec->lost_bytes, cut - valid);
        assert_int_equal(rec->stop_offset, valid);
        const char *msg = ms_reader_message(r);
        assert_non_null(strstr(msg, "offset"));
        char off[32];
        snprintf(off, sizeof off, "%llu", (unsigned long long)valid);
        assert_non_null(strstr(msg, off));
    }
    for (size_t i = 0; deep && i < expect; i++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
        assert_true(fx_check(&s->specs[i], d));
        ms_decoded_free(d);
    }
    ms_reader_close(r);
    if (!deep)
        return;
    ms_stream *st;
    int fd = stream_mem(s->buf, cut, &st);
    assert_true(fd >= 0);
    ms_decoded *d;
    ms_chunk_info info;
    size_t got = 0;
    while ((e = ms_stream_next(st, &info, &d)) == MS_OK) {
        assert_true(fx_check(&s->specs[got], d));
        ms_decoded_free(d);
        got++;
    }
    assert_int_equal(got, expect);
    assert_int_equal(e, cut == s->len ? MS_ERR_END : MS_ERR_TRUNCATED);
    assert_int_equal(ms_stream_recovery(st)->valid_bytes, cut == s->len ? s->len : valid);
    ms_stream_close(st);
    close(fd);
}

static void test_truncation_every_offset(void **state)
{
    (void)state;
    sample s;
    make_sample(&s, MS_CODEC_ZSTD, 4, 2, 200);
    for (size_t cut = 0; cut <= s.len; cut++)
        check_cut(&s, cut, 1);
    free(s.buf);
}

static void test_truncation_large_dense(void **state)
{
    (void)state;
    sample s;
    make_sample(&s, MS_CODEC_LZ4, 300, 12, 20000);
    assert_true(s.len > 1000000);
    /* around every boundary, then a dense stride over the rest */
    for (size_t i = 0; i < s.nspecs; i++)
        for (int dlt = -2; dlt <= 2; dlt++) {
            check_cut(&s, (size_t)((int64_t)s.ends[i] + dlt), dlt == 0);
            check_cut(&s, (size_t)((int64_t)s.ends[i] + 72 + dlt), 0);
        }
    for (size_t cut = 0; cut <= s.len; cut += 997)
        check_cut(&s, cut, cut % (997 * 100) == 0);
    for (size_t cut = s.len - 200; cut <= s.len; cut++)
        check_cut(&s, cut, cut + 33 >= s.len);
    free(s.buf);
}

/* Flip every bit: the damage must be reported somewhere, and whatever is
 * delivered as good must be exactly right. */
static void flip_sweep(ms_codec codec)
{
    sample s;
    make_sample(&s, codec, 2, 1, 20);
    uint8_t *copy = malloc(s.len);
    size_t detected_at_open = 0, detected_at_load = 0;
    for (size_t bit = 0; bit < s.len * 8; bit++) {
        memcpy(copy, s.buf, s.len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int detected = 0;
        ms_reader *r;
        ms_error e = ms_reader_open_mem(copy, s.len, &r);
        if (e != MS_OK) {
            detected = 1;
            detected_at_open++;
        } else {
            const ms_recovery *rec = ms_reader_recovery(r);
            if (!rec->complete) {
                detected = 1;
                assert_int_not_equal(rec->stop_reason, MS_OK);
                assert_true(ms_reader_message(r)[0] != '\0');
            }
            for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
                const ms_chunk_info *c = ms_reader_chunk(r, i);
                size_t k = 0;
                while (k < s.nspecs && s.ends[k] != c->offset + 72 + c->stored_size)
                    k++;
                ms_decoded *d;
                if (ms_reader_load(r, i, &d) != MS_OK) {
                    detected = 1;
                    detected_at_load++;
                    continue;
                }
                assert_true(k < s.nspecs);
                assert_true(fx_check(&s.specs[k], d));
                ms_decoded_free(d);
            }
            if (ms_reader_header(r)->pid != 4242 || ms_reader_chunk_count(r) != s.nspecs)
                assert_true(detected);
            ms_reader_close(r);
        }
        if (!detected)
            fail_msg("bit %zu (byte %zu) flipped without detection", bit, bit / 8);
        /* the stream must stop with an error, never deliver a wrong chunk */
        ms_stream *st;
        int fd = stream_mem(copy, s.len, &st);
        if (fd >= 0) {
            ms_decoded *d;
            ms_chunk_info info;
            size_t got = 0;
            while ((e = ms_stream_next(st, &info, &d)) == MS_OK) {
                assert_true(got < s.nspecs);
                assert_true(fx_check(&s.specs[got], d));
                ms_decoded_free(d);
                got++;
            }
            assert_int_not_equal(e, MS_ERR_END);
            ms_stream_close(st);
            close(fd);
        }
    }
    assert_true(detected_at_open > 0);
    assert_true(detected_at_load > 0);
    free(copy);
    free(s.buf);
}

static void test_bitflip_zstd(void **state)
{
    (void)state;
    flip_sweep(MS_CODEC_ZSTD);
}

static void test_bitflip_none(void **state)
{
    (void)state;
    flip_sweep(MS_CODEC_NONE);
}

static void test_bitflip_lz4_brotli(void **state)
{
    (void)state;
    flip_sweep(MS_CODEC_LZ4);
    flip_sweep(MS_CODEC_BROTLI);
}

/* A writer that dies (no close) leaves every flushed chunk readable. */
static void test_abandoned_writer(void **state)
{
    (void)state;
    char path[256];
    fx_tmp_path(path, sizeof path, "abandon");
    fx_spec specs[16];
    size_t n = fx_all_types(specs, 10, 9);
    assert_int_equal(fx_write_file(path, MS_CODEC_ZSTD, 0, specs, n, 1), MS_OK);
    ms_reader *r;
    assert_int_equal(ms_reader_open(path, &r), MS_OK);
    const ms_recovery *rec = ms_reader_recovery(r);
    assert_int_equal(rec->complete, 0);
    assert_int_equal(rec->stop_reason, MS_ERR_TRUNCATED);
    assert_int_equal(rec->lost_bytes, 0);
    assert_int_equal(ms_reader_chunk_count(r), n);
    assert_non_null(strstr(ms_reader_message(r), "without index"));
    for (size_t i = 0; i < n; i++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
        assert_true(fx_check(&specs[i], d));
        ms_decoded_free(d);
    }
    ms_reader_close(r);
    unlink(path);
}

/* Not a trace at all, or a damaged header. */
static void test_bad_headers(void **state)
{
    (void)state;
    ms_reader *r;
    assert_int_equal(ms_reader_open_mem("hello world, not a trace at all....", 35, &r),
                     MS_ERR_BAD_MAGIC);
    assert_int_equal(ms_reader_open_mem("MEMS", 4, &r), MS_ERR_TRUNCATED);
    assert_int_equal(ms_reader_open_mem("", 0, &r), MS_ERR_TRUNCATED);
    assert_int_equal(ms_reader_open("/nonexistent/dir/x.ms", &r), MS_ERR_IO);
    sample s;
    make_sample(&s, MS_CODEC_ZSTD, 1, 0, 0);
    s.buf[8] = 99; /* version */
    assert_int_equal(ms_reader_open_mem(s.buf, s.len, &r), MS_ERR_VERSION);
    s.buf[8] = 1;
    s.buf[20] ^= 1; /* pid */
    assert_int_equal(ms_reader_open_mem(s.buf, s.len, &r), MS_ERR_HEADER_CHECKSUM);
    s.buf[20] ^= 1;
    s.buf[36] = 0xff; s.buf[37] = 0xff; s.buf[38] = 0xff; /* exe_len */
    assert_int_equal(ms_reader_open_mem(s.buf, s.len, &r), MS_ERR_TOO_LARGE);
    free(s.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_abandoned_writer),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_truncation_large_dense),
        cmocka_unit_test(test_bitflip_zstd),
        cmocka_unit_test(test_bitflip_none),
        cmocka_unit_test(test_bitflip_lz4_brotli),
    };
    if (getenv("MS_TEST_FILTER"))
        cmocka_set_test_filter(getenv("MS_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
