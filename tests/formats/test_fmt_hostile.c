/*
 * test_fmt_hostile.c - hand-made hostile MessagePack and chunk headers.
 * Every payload declaring huge arrays, strings, bins, maps, nesting or
 * counts gets a clear error, and the library's allocations stay tiny: the
 * test is linked with --wrap=malloc/calloc/realloc and measures the largest
 * request made while decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "msformat.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
static size_t g_max_alloc;           /* largest single request */
static size_t g_live, g_peak_live;   /* bytes held by the library */

static void *account(void *p)
{
    if (p) {
        g_live += malloc_usable_size(p);
        if (g_live > g_peak_live)
            g_peak_live = g_live;
    }
    return p;
}

void *__wrap_malloc(size_t n)
{
    if (n > g_max_alloc)
        g_max_alloc = n;
    return account(__real_malloc(n));
}
void *__wrap_calloc(size_t n, size_t m)
{
    if (m && n <= SIZE_MAX / m && n * m > g_max_alloc)
        g_max_alloc = n * m;
    return account(__real_calloc(n, m));
}
void *__wrap_realloc(void *p, size_t n)
{
    if (n > g_max_alloc)
        g_max_alloc = n;
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = __real_realloc(p, n);
    if (q || n == 0)
        g_live -= old;
    return account(q);
}
void __wrap_free(void *p)
{
    if (p)
        g_live -= malloc_usable_size(p);
    __real_free(p);
}

/* Decode @len bytes as @type with @items; expect @want, small allocations. */
static void expect_decode(uint32_t type, const void *p, size_t len, uint64_t items,
                          ms_error want)
{
    ms_decoded *d = (ms_decoded *)1;
    g_max_alloc = 0;
    ms_error e = ms_decode_payload(type, p, len, items, &d);
    if (e != want)
        fail_msg("type %u: got %s, want %s", type, ms_error_name(e), ms_error_name(want));
    if (want != MS_OK)
        assert_null(d);
    else
        assert_true(g_max_alloc > 0); /* the --wrap accounting is live */
    ms_decoded_free(want == MS_OK ? d : NULL);
    if (g_max_alloc > 4096 + 64 * len)
        fail_msg("type %u: allocated %zu bytes for a %zu-byte payload", type, g_max_alloc, len);
}

static void test_huge_declared_lengths(void **state)
{
    (void)state;
    /* array32 of 4 G items: the msgpack-c #1013 shape */
    static const uint8_t arr[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    for (uint32_t t = 1; t < MS_CHUNK_TYPE_MAX_; t++)
        if (t != MS_CHUNK_INDEX)
            expect_decode(t, arr, sizeof arr, 0, MS_ERR_PAYLOAD);
    for (uint32_t t = 1; t < MS_CHUNK_TYPE_MAX_; t++)
        if (t != MS_CHUNK_INDEX)
            expect_decode(t, arr, sizeof arr, 5, MS_ERR_PAYLOAD);
    /* one string item whose str32 declares 4 GiB / 1 MiB + 1 / 100 bytes */
    static const uint8_t s1[] = {0x91, 0x92, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
    expect_decode(MS_CHUNK_STRINGS, s1, sizeof s1, 1, MS_ERR_TOO_LARGE);
    static const uint8_t s2[] = {0x91, 0x92, 0x01, 0xdb, 0x00, 0x10, 0x00, 0x01, 'a'};
    expect_decode(MS_CHUNK_STRINGS, s2, sizeof s2, 1, MS_ERR_TOO_LARGE);
    static const uint8_t s3[] = {0x91, 0x92, 0x01, 0xd9, 100, 'a', 'b'};
    expect_decode(MS_CHUNK_STRINGS, s3, sizeof s3, 1, MS_ERR_PAYLOAD);
    /* bin32 build id of 4 GiB */
    static const uint8_t m1[] = {0x91, 0x96, 0, 0, 0, 0xa0, 0xc6, 0x7f, 0xff, 0xff, 0xff, 1};
    expect_decode(MS_CHUNK_MODULES, m1, sizeof m1, 1, MS_ERR_PAYLOAD);
    /* map32 of 4 G pairs hidden in an extra field of a leak record */
    static const uint8_t l1[] = {0x91, 0x94, 1, 2, 3, 0xdf, 0xff, 0xff, 0xff, 0xff, 0};
    expect_decode(MS_CHUNK_LEAKS, l1, sizeof l1, 1, MS_ERR_PAYLOAD);
    /* stack deeper than MS_MAX_STACK_DEPTH: array16 of 2000 frames */
    uint8_t st[5000] = {0x91, 0x92, 0x01, 0xdc, 0x07, 0xd0};
    memset(st + 6, 0x01, 2000);
    expect_decode(MS_CHUNK_STACKS, st, 6 + 2000, 1, MS_ERR_TOO_LARGE);
    /* stack id 0 */
    static const uint8_t st0[] = {0x91, 0x92, 0x00, 0x90};
    expect_decode(MS_CHUNK_STACKS, st0, sizeof st0, 1, MS_ERR_PAYLOAD);
    /* items in the header larger than the payload */
    static const uint8_t ok1[] = {0x91, 0x93, 1, 2, 3};
    expect_decode(MS_CHUNK_LEAKS, ok1, sizeof ok1, 1, MS_OK);
    expect_decode(MS_CHUNK_LEAKS, ok1, sizeof ok1, 2, MS_ERR_PAYLOAD);
    expect_decode(MS_CHUNK_LEAKS, ok1, sizeof ok1, UINT64_MAX, MS_ERR_PAYLOAD);
    /* trailing garbage after the payload */
    static const uint8_t tr[] = {0x91, 0x93, 1, 2, 3, 0x00};
    expect_decode(MS_CHUNK_LEAKS, tr, sizeof tr, 1, MS_ERR_PAYLOAD);
    /* negative ints and wrong types where uints belong */
    static const uint8_t neg[] = {0x91, 0x93, 0xff, 2, 3};
    expect_decode(MS_CHUNK_LEAKS, neg, sizeof neg, 1, MS_ERR_PAYLOAD);
    static const uint8_t neg2[] = {0x91, 0x93, 0xd0, 0x80, 2, 3};
    expect_decode(MS_CHUNK_LEAKS, neg2, sizeof neg2, 1, MS_ERR_PAYLOAD);
    static const uint8_t flt[] = {0x91, 0x93, 0xca, 0, 0, 0, 0, 2, 3};
    expect_decode(MS_CHUNK_LEAKS, flt, sizeof flt, 1, MS_ERR_PAYLOAD);
    /* a u32 field holding 2^32 */
    static const uint8_t big[] = {0x91, 0x93, 1, 2, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0};
    expect_decode(MS_CHUNK_LEAKS, big, sizeof big, 1, MS_ERR_PAYLOAD);
    /* summary value that is neither str nor uint */
    static const uint8_t kv[] = {0x91, 0x92, 0xa1, 'k', 0xc3};
    expect_decode(MS_CHUNK_SUMMARY, kv, sizeof kv, 1, MS_ERR_PAYLOAD);
    /* invalid type / arguments */
    expect_decode(MS_CHUNK_INDEX, ok1, sizeof ok1, 1, MS_ERR_INVALID_ARG);
    expect_decode(0, ok1, sizeof ok1, 1, MS_ERR_INVALID_ARG);
    expect_decode(MS_CHUNK_TYPE_MAX_, ok1, sizeof ok1, 1, MS_ERR_INVALID_ARG);
    expect_decode(MS_CHUNK_LEAKS, ok1, 0, 0, MS_ERR_PAYLOAD);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* a leak record with 10000 nested arrays as its extra field */
    uint8_t p[10016] = {0x91, 0x94, 1, 2, 3};
    memset(p + 5, 0x91, 10000);
    p[5 + 10000] = 0;
    expect_decode(MS_CHUNK_LEAKS, p, 5 + 10001, 1, MS_ERR_TOO_LARGE);
    /* but modest nesting in an extra field is skipped fine */
    uint8_t q[] = {0x91, 0x94, 1, 2, 3, 0x91, 0x91, 0x81, 0xa1, 'x', 0xc0};
    expect_decode(MS_CHUNK_LEAKS, q, sizeof q, 1, MS_OK);
}

/* Events: a valid 2-event payload, then each column damaged in turn. */
static void test_events_columns(void **state)
{
    (void)state;
    uint8_t p[64];
    size_t n = 0;
    static const uint8_t head[] = {0x9b, 0x01, 0x02};
    memcpy(p, head, sizeof head);
    n = sizeof head;
#define BIN(...)                                              \
    do {                                                      \
        static const uint8_t b_[] = {__VA_ARGS__};            \
        p[n++] = 0xc4;                                        \
        p[n++] = (uint8_t)sizeof b_;                          \
        memcpy(p + n, b_, sizeof b_);                         \
        n += sizeof b_;                                       \
    } while (0)
    BIN(0x02, 0x02);       /* time: dt 1, then dt 1 + 1 (same site) */
    BIN(0x80, 0x02, 0x02); /* addr: literal +64, literal -1 */
    BIN(0x00, 0x00);       /* aux */
    BIN(0x20, 0x20);       /* size: 16, then 16 more (same site) */
    BIN(0x01, 0x0a);       /* site dict: 1 site, id 5 */
    BIN(0x00, 0x00);       /* site idx */
    BIN(0x02, 0x02);       /* stack: 1, then 1 more */
    BIN(0x01, 0x02);       /* kind */
    BIN(0x00, 0x00);       /* flags */
    ms_decoded *d;
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, p, n, 2, &d), MS_OK);
    assert_int_equal(d->count, 2);
    assert_int_equal(d->u.events[0].time_ns, 1);
    assert_int_equal(d->u.events[1].time_ns, 3);
    assert_int_equal(d->u.events[0].addr, 64);
    assert_int_equal(d->u.events[1].addr, 63);
    assert_int_equal(d->u.events[1].site, 5);
    assert_int_equal(d->u.events[1].kind, MS_EV_FREE);
    assert_int_equal(d->u.events[0].size, 16);
    assert_int_equal(d->u.events[1].size, 32);
    assert_int_equal(d->u.events[1].stack, 2);
    ms_decoded_free(d);
    /* a back reference: row 1's addr is row 0's */
    uint8_t q[64];
    memcpy(q, p, n);
    q[3 + 4 + 2 + 2] = 0x03;
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, q, n, 2, &d), MS_OK);
    assert_int_equal(d->u.events[1].addr, 64);
    ms_decoded_free(d);
    /* a back reference before the first row */
    memcpy(q, p, n);
    q[3 + 4 + 2] = 0x03;
    q[3 + 4 + 3] = 0x02;
    expect_decode(MS_CHUNK_EVENTS, q, n, 2, MS_ERR_PAYLOAD);
    expect_decode(MS_CHUNK_EVENTS, p, n, 3, MS_ERR_PAYLOAD);
    /* n declared as 2^40 with items to match: bounded by the kind column */
    memcpy(q, p, n);
    q[2] = 0xcf;
    memset(q + 3, 0, 8);
    q[5] = 1;
    memcpy(q + 11, p + 3, n - 3);
    expect_decode(MS_CHUNK_EVENTS, q, n + 8, 1ull << 40, MS_ERR_PAYLOAD);
    /* site index out of the dict */
    memcpy(q, p, n);
    q[3 + 4 + 5 + 4 + 4 + 4 + 2] = 0x01;
    expect_decode(MS_CHUNK_EVENTS, q, n, 2, MS_ERR_PAYLOAD);
    /* dict declaring 2^60 sites */
    memcpy(q, p, n);
    {
        uint8_t r[80];
        size_t off = 3 + 4 + 5 + 4 + 4; /* start of the dict bin */
        memcpy(r, p, off);
        static const uint8_t dict[] = {0xc4, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10};
        memcpy(r + off, dict, sizeof dict);
        memcpy(r + off + sizeof dict, p + off + 4, n - off - 4);
        expect_decode(MS_CHUNK_EVENTS, r, n + 7, 2, MS_ERR_PAYLOAD);
    }
    /* varint running past its column / overflowing 64 bits */
    memcpy(q, p, n);
    q[3 + 2 + 1] = 0x82; /* time[1] continues past the end */
    expect_decode(MS_CHUNK_EVENTS, q, n, 2, MS_ERR_PAYLOAD);
    {
        uint8_t r[80];
        memcpy(r, head, 3);
        size_t k = 3;
        static const uint8_t t11[] = {0xc4, 12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00};
        memcpy(r + k, t11, sizeof t11);
        k += sizeof t11;
        memcpy(r + k, p + 7, n - 7);
        k += n - 7;
        expect_decode(MS_CHUNK_EVENTS, r, k, 2, MS_ERR_PAYLOAD);
    }
    /* a leftover byte in a column */
    memcpy(q, p, n);
    q[3 + 4 + 5 + 1] = 0x03; /* aux bin length 2 -> 3 shifts everything */
    expect_decode(MS_CHUNK_EVENTS, q, n, 2, MS_ERR_PAYLOAD);
    /* unknown column encoding */
    memcpy(q, p, n);
    q[1] = 0x03;
    expect_decode(MS_CHUNK_EVENTS, q, n, 2, MS_ERR_PAYLOAD);
}

/* Events encoding 2 (docs/FORMAT.md 7.10), columns given as byte strings. */
typedef struct {
    const uint8_t *b;
    size_t n;
} col_bytes;

static size_t ev2_payload(uint8_t *p, const col_bytes c[9], unsigned fields)
{
    size_t n = 0;
    p[n++] = (uint8_t)(0x90 | fields);
    p[n++] = 0x02; /* encoding */
    p[n++] = 0x02; /* n */
    for (unsigned k = 0; k + 2 < fields; k++) {
        p[n++] = 0xc4;
        p[n++] = (uint8_t)c[k].n;
        memcpy(p + n, c[k].b, c[k].n);
        n += c[k].n;
    }
    return n;
}

static void test_events_encoding2(void **state)
{
    (void)state;
    /* row 0: t 25, addr 64 (aligned literal), size 16, stack 7 (not in the
     * list), ALLOC, flags 4; row 1: t 47, addr 67 (unaligned literal +3),
     * size 16 (the site's last), stack 8 (m[0] + 1), FREE, flags 4
     * (unchanged: 0) */
    static const uint8_t time[] = {0x32, 0x05};
    static const uint8_t addr[] = {0x22, 0x18}, aux[] = {0x00, 0x00};
    static const uint8_t size[] = {0x21, 0x00}, dict[] = {0x01, 0x0a}, idx[] = {0x00, 0x00};
    static const uint8_t stack[] = {0x16, 0x01}, kind[] = {0x01, 0x03}, flags[] = {0x04, 0x00};
    col_bytes c[9] = {{time, 2}, {addr, 2},  {aux, 2},  {size, 2}, {dict, 2},
                      {idx, 2},  {stack, 2}, {kind, 2}, {flags, 2}};
    uint8_t p[96];
    size_t n = ev2_payload(p, c, 11);
    ms_decoded *d;
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, p, n, 2, &d), MS_OK);
    const ms_event *e = d->u.events;
    assert_int_equal(e[0].time_ns, 25);
    assert_int_equal(e[1].time_ns, 47);
    assert_int_equal(e[0].addr, 64);
    assert_int_equal(e[1].addr, 67);
    assert_int_equal(e[0].size, 16);
    assert_int_equal(e[1].size, 16);
    assert_int_equal(e[0].stack, 7);
    assert_int_equal(e[1].stack, 8);
    assert_int_equal(e[0].kind, MS_EV_ALLOC);
    assert_int_equal(e[1].kind, MS_EV_FREE);
    assert_int_equal(e[0].flags, 4);
    assert_int_equal(e[1].flags, 4);
    assert_int_equal(e[1].site, 5);
    ms_decoded_free(d);

    /* a size code that is even and not 0 or 2 */
    static const uint8_t size_bad[] = {0x21, 0x04};
    col_bytes cb[9];
    memcpy(cb, c, sizeof cb);
    cb[3] = (col_bytes){size_bad, 2};
    n = ev2_payload(p, cb, 11);
    expect_decode(MS_CHUNK_EVENTS, p, n, 2, MS_ERR_PAYLOAD);
    /* the size escape: code 2, then the raw value */
    static const uint8_t size_esc[] = {0x21, 0x02, 0x05};
    cb[3] = (col_bytes){size_esc, 3};
    n = ev2_payload(p, cb, 11);
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, p, n, 2, &d), MS_OK);
    assert_int_equal(d->u.events[1].size, 5);
    ms_decoded_free(d);
    /* stack 2^32-1, then "m[0] + 1" = 2^32: beyond a stack id */
    static const uint8_t stack_big[] = {0x86, 0x80, 0x80, 0x80, 0x20, 0x01};
    memcpy(cb, c, sizeof cb);
    cb[6] = (col_bytes){stack_big, 6};
    n = ev2_payload(p, cb, 11);
    expect_decode(MS_CHUNK_EVENTS, p, n, 2, MS_ERR_PAYLOAD);
    /* ... while stack 2^32-1 then "m[0]" (code 0) is fine */
    static const uint8_t stack_max[] = {0x86, 0x80, 0x80, 0x80, 0x20, 0x00};
    cb[6] = (col_bytes){stack_max, 6};
    n = ev2_payload(p, cb, 11);
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, p, n, 2, &d), MS_OK);
    assert_int_equal(d->u.events[1].stack, UINT32_MAX);
    ms_decoded_free(d);
    /* a back reference before the first row */
    static const uint8_t addr_bad[] = {0x03, 0x18};
    memcpy(cb, c, sizeof cb);
    cb[1] = (col_bytes){addr_bad, 2};
    n = ev2_payload(p, cb, 11);
    expect_decode(MS_CHUNK_EVENTS, p, n, 2, MS_ERR_PAYLOAD);
    /* a leftover byte in the stack column */
    static const uint8_t stack_long[] = {0x16, 0x01, 0x00};
    memcpy(cb, c, sizeof cb);
    cb[6] = (col_bytes){stack_long, 3};
    n = ev2_payload(p, cb, 11);
    expect_decode(MS_CHUNK_EVENTS, p, n, 2, MS_ERR_PAYLOAD);
    /* 10 elements: without the flags column */
    n = ev2_payload(p, c, 10);
    expect_decode(MS_CHUNK_EVENTS, p, n, 2, MS_ERR_PAYLOAD);
    /* the same bytes as encoding 1 read differently: the encoding selects
     * the model (stack: zigzag deltas 11, -1 instead of the list codes) */
    n = ev2_payload(p, c, 11);
    p[1] = 0x01;
    assert_int_equal(ms_decode_payload(MS_CHUNK_EVENTS, p, n, 2, &d), MS_OK);
    assert_int_equal(d->u.events[0].stack, 11);
    assert_int_equal(d->u.events[1].stack, 10);
    assert_int_equal(d->u.events[1].kind, 3);
    ms_decoded_free(d);
}

/* A forged chunk header with valid checksums claiming a 256 MiB raw size:
 * rejected before the raw buffer is allocated. */
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_forged_raw_size(void **state)
{
    (void)state;
    static const uint8_t hdr[] = {'M', 'E', 'M', 'S', 'C', 'O', 'P', 'E', 1, 0, 0, 0, 48, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  1, 0, 0, 0, 0, 0, 0, 0};
    for (uint32_t codec = 1; codec <= 2; codec++) {
        uint8_t f[48 + 72 + 16] = {0};
        memcpy(f, hdr, sizeof hdr);
        put64(f + 40, XXH3_64bits(f, 40));
        uint8_t *c = f + 48;
        c[0] = 'M'; c[1] = 'S'; c[2] = 'C'; c[3] = 'K';
        c[4] = MS_CHUNK_LEAKS;
        c[6] = (uint8_t)codec;
        put64(c + 16, 16);
        put64(c + 24, MS_MAX_CHUNK_RAW);
        uint8_t *payload = c + 72;
        memset(payload, 0x28, 16);
        put64(c + 56, XXH3_64bits(payload, 16));
        put64(c + 64, XXH3_64bits(c, 64));
        ms_reader *r;
        assert_int_equal(ms_reader_open_mem(f, sizeof f, &r), MS_OK);
        assert_int_equal(ms_reader_chunk_count(r), 1);
        ms_decoded *d;
        g_max_alloc = 0;
        assert_int_equal(ms_reader_load(r, 0, &d), MS_ERR_CODEC);
        assert_true(g_max_alloc < 65536);
        ms_reader_close(r);
    }
}

/* The streaming reader's memory does not grow with the file: stream a
 * file of 20 chunks and one of 400, compare the peak bytes held. */
static size_t stream_peak(size_t chunks)
{
    char path[] = "/tmp/msfmt-hostile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    ms_writer *w;
    assert_int_equal(ms_writer_open_fd(fd, 1, NULL, &w), MS_OK);
    ms_event ev[2000];
    memset(ev, 0, sizeof ev);
    for (size_t c = 0; c < chunks; c++) {
        for (size_t i = 0; i < 2000; i++) {
            ev[i].time_ns = c * 100000 + i * 37;
            ev[i].addr = 0x500000 + ((i * 7919 + c) % 4096) * 16;
            ev[i].size = 8 + i % 64;
            ev[i].site = 0x1000 + (i % 50) * 64;
            ev[i].kind = 1 + (uint8_t)(i % 2);
        }
        assert_int_equal(ms_writer_add_events(w, (uint32_t)c, ev, 2000), MS_OK);
    }
    assert_int_equal(ms_writer_close(w), MS_OK);
    size_t base = g_live;
    g_peak_live = g_live;
    ms_stream *s;
    assert_int_equal(ms_stream_open(path, &s), MS_OK);
    ms_chunk_info info;
    ms_decoded *d;
    size_t n = 0;
    ms_error e;
    while ((e = ms_stream_next(s, &info, &d)) == MS_OK) {
        n++;
        ms_decoded_free(d);
    }
    assert_int_equal(e, MS_ERR_END);
    assert_int_equal(n, chunks);
    ms_stream_close(s);
    unlink(path);
    assert_int_equal(g_live, base); /* and nothing leaked */
    return g_peak_live - base;
}

static void test_stream_constant_memory(void **state)
{
    (void)state;
    size_t small = stream_peak(20), large = stream_peak(400);
    assert_true(small > 0);
    if (large > small + small / 4)
        fail_msg("stream memory grew with the file: %zu bytes for 20 chunks, %zu for 400",
                 small, large);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_declared_lengths),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_events_columns),
        cmocka_unit_test(test_events_encoding2),
        cmocka_unit_test(test_forged_raw_size),
        cmocka_unit_test(test_stream_constant_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
