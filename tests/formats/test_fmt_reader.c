/*
 * test_fmt_reader.c - reader modes agree: the streaming reader gives the
 * same chunks as the mmap reader (also over a pipe), ms_reader_load_type()
 * delivers in file order whatever the thread count, 16 threads reading one
 * file at once get identical results, and the LRU cache shares and evicts
 * decoded chunks safely.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt_fixture.h"
#include "msformat.h"

static char g_path[256];
static fx_spec g_specs[64];
static size_t g_nspecs;

/* A file with every type plus many event chunks from several threads. */
static int setup(void **state)
{
    (void)state;
    fx_tmp_path(g_path, sizeof g_path, "reader");
    g_nspecs = fx_all_types(g_specs, 40, 1);
    for (uint32_t i = 0; i < 40; i++)
        g_specs[g_nspecs++] = (fx_spec){MS_CHUNK_EVENTS, 100 + i % 4, 3000 + i * 10, 500 + i};
    return fx_write_file(g_path, MS_CODEC_ZSTD, 0, g_specs, g_nspecs, 0) == MS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(g_path);
    return 0;
}

static void test_stream_equals_mmap(void **state)
{
    (void)state;
    ms_reader *r;
    assert_int_equal(ms_reader_open(g_path, &r), MS_OK);
    /* over a pipe: no seeking possible */
    int p[2];
    assert_int_equal(pipe(p), 0);
    size_t len;
    uint8_t *buf = fx_read_file(g_path, &len);
    assert_non_null(buf);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(p[0]);
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(p[1], buf + off, len - off > 1000 ? 1000 : len - off);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    ms_stream *s;
    assert_int_equal(ms_stream_open_fd(p[0], &s), MS_OK);
    assert_string_equal(ms_stream_header(s)->exe, ms_reader_header(r)->exe);
    ms_chunk_info info;
    ms_decoded *d;
    size_t i = 0;
    ms_error e;
    while ((e = ms_stream_next(s, &info, &d)) == MS_OK) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        assert_non_null(c);
        assert_memory_equal(&info, c, sizeof info);
        ms_decoded *m;
        assert_int_equal(ms_reader_load(r, i, &m), MS_OK);
        assert_int_equal(m->count, d->count);
        assert_int_equal(m->thread, d->thread);
        assert_true(fx_check(&g_specs[i], d));
        if (d->type == MS_CHUNK_EVENTS)
            assert_memory_equal(m->u.events, d->u.events, d->count * sizeof(ms_event));
        ms_decoded_free(m);
        ms_decoded_free(d);
        i++;
    }
    assert_int_equal(e, MS_ERR_END);
    assert_int_equal(i, ms_reader_chunk_count(r));
    assert_int_equal(ms_stream_recovery(s)->complete, 1);
    assert_int_equal(ms_stream_recovery(s)->valid_bytes, len);
    ms_stream_close(s);
    close(p[0]);
    int status;
    waitpid(child, &status, 0);
    free(buf);
    ms_reader_close(r);
}

typedef struct {
    size_t seen[128];
    size_t n;
    size_t stop_after;
    int bad;
} order_ctx;

static int order_cb(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d)
{
    order_ctx *o = user;
    if (info->type != MS_CHUNK_EVENTS || d->type != MS_CHUNK_EVENTS ||
        d->count != info->items || !fx_check(&g_specs[index], d))
        o->bad = 1;
    o->seen[o->n++] = index;
    ms_decoded_free(d); /* the callback owns d */
    return o->stop_after && o->n == o->stop_after;
}

static void test_load_type_order(void **state)
{
    (void)state;
    ms_reader *r;
    assert_int_equal(ms_reader_open(g_path, &r), MS_OK);
    size_t expect[128], ne = 0;
    for (size_t i = 0; i < ms_reader_chunk_count(r); i++)
        if (ms_reader_chunk(r, i)->type == MS_CHUNK_EVENTS)
            expect[ne++] = i;
    static const unsigned threads[] = {0, 1, 2, 3, 8, 16};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        order_ctx o = {0};
        assert_int_equal(ms_reader_load_type(r, MS_CHUNK_EVENTS, threads[t], order_cb, &o), MS_OK);
        assert_int_equal(o.bad, 0);
        assert_int_equal(o.n, ne);
        assert_memory_equal(o.seen, expect, ne * sizeof expect[0]);
        /* stopping early */
        order_ctx s = {.stop_after = 5};
        assert_int_equal(ms_reader_load_type(r, MS_CHUNK_EVENTS, threads[t], order_cb, &s), MS_OK);
        assert_int_equal(s.n, 5);
        assert_memory_equal(s.seen, expect, 5 * sizeof expect[0]);
    }
    order_ctx none = {0};
    assert_int_equal(ms_reader_load_type(r, MS_CHUNK_LEAKS + 0, 4, order_cb, &none), MS_OK);
    assert_int_equal(none.n, 1); /* the one leaks chunk, flagged bad (not events) */
    assert_int_equal(ms_reader_load_type(r, MS_CHUNK_INDEX, 4, order_cb, &none),
                     MS_ERR_INVALID_ARG);
    ms_reader_close(r);
}

/* A damaged chunk in the middle: earlier chunks delivered, then the error. */
static void test_load_type_error(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = fx_read_file(g_path, &len);
    ms_reader *r;
    assert_int_equal(ms_reader_open_mem(buf, len, &r), MS_OK);
    size_t victim = g_nspecs - 10;
    const ms_chunk_info *c = ms_reader_chunk(r, victim);
    buf[c->offset + 72 + c->stored_size / 2] ^= 0x10;
    for (unsigned t = 1; t <= 4; t += 3) {
        order_ctx o = {0};
        assert_int_equal(ms_reader_load_type(r, MS_CHUNK_EVENTS, t, order_cb, &o),
                         MS_ERR_CHUNK_CHECKSUM);
        assert_int_equal(o.bad, 0);
        assert_int_equal(o.seen[o.n - 1], victim - 1);
    }
    void *raw;
    size_t rl;
    assert_int_equal(ms_reader_raw(r, victim, &raw, &rl), MS_ERR_CHUNK_CHECKSUM);
    assert_int_equal(ms_reader_raw(r, 0, &raw, &rl), MS_OK);
    assert_int_equal(rl, ms_reader_chunk(r, 0)->raw_size);
    ms_decoded *d;
    assert_int_equal(ms_decode_payload(ms_reader_chunk(r, 0)->type, raw, rl,
                                       ms_reader_chunk(r, 0)->items, &d), MS_OK);
    assert_true(fx_check(&g_specs[0], d));
    ms_decoded_free(d);
    free(raw);
    ms_reader_close(r);
    free(buf);
}

typedef struct {
    ms_reader *r;
    uint64_t digest;
    int errors;
    unsigned seed;
} conc_arg;

static uint64_t digest_of(const ms_decoded *d)
{
    uint64_t h = 1469598103934665603ULL ^ d->count ^ ((uint64_t)d->type << 40);
    if (d->type == MS_CHUNK_EVENTS)
        for (size_t i = 0; i < d->count; i++)
            h = (h ^ d->u.events[i].addr ^ d->u.events[i].time_ns) * 1099511628211ULL;
    return h;
}

static void *conc_worker(void *p)
{
    conc_arg *a = p;
    size_t n = ms_reader_chunk_count(a->r);
    uint64_t acc = 0;
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k < n; k++) {
            /* each thread its own order: rotated, odd threads backwards */
            size_t i = (a->seed & 1) ? (n - 1 - (k + a->seed) % n) : (k + a->seed) % n;
            ms_decoded *d;
            if (ms_reader_load(a->r, i, &d) != MS_OK || !fx_check(&g_specs[i], d)) {
                a->errors++;
                continue;
            }
            acc += digest_of(d) * (i + 1);
            ms_decoded_free(d);
        }
    }
    a->digest = acc;
    return NULL;
}

static void test_sixteen_threads(void **state)
{
    (void)state;
    ms_reader *r;
    assert_int_equal(ms_reader_open(g_path, &r), MS_OK);
    pthread_t t[16];
    conc_arg a[16];
    for (int i = 0; i < 16; i++) {
        a[i] = (conc_arg){.r = r, .seed = (unsigned)i * 3};
        assert_int_equal(pthread_create(&t[i], NULL, conc_worker, &a[i]), 0);
    }
    for (int i = 0; i < 16; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(a[i].errors, 0);
        assert_true(a[i].digest == a[0].digest);
    }
    ms_reader_close(r);
}

static void test_cache_sharing(void **state)
{
    (void)state;
    ms_reader *r;
    assert_int_equal(ms_reader_open(g_path, &r), MS_OK);
    ms_decoded *a, *b;
    assert_int_equal(ms_reader_load(r, 3, &a), MS_OK);
    assert_int_equal(ms_reader_load(r, 3, &b), MS_OK);
    assert_ptr_equal(a, b); /* served from the cache */
    ms_decoded_free(b);
    /* evict it by loading every other chunk; our reference stays valid */
    for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
        ms_decoded *d;
        assert_int_equal(ms_reader_load(r, i, &d), MS_OK);
        ms_decoded_free(d);
    }
    assert_true(fx_check(&g_specs[3], a));
    ms_reader_close(r); /* closing the reader does not free what we hold */
    assert_true(fx_check(&g_specs[3], a));
    ms_decoded_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_equals_mmap),
        cmocka_unit_test(test_load_type_order),
        cmocka_unit_test(test_load_type_error),
        cmocka_unit_test(test_sixteen_threads),
        cmocka_unit_test(test_cache_sharing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
