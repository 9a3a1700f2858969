/*
 * test_support_livemap.c - the live-block map (runtime/src/rt_livemap.c):
 * exact counts and bytes over a million blocks, removal without
 * tombstones, replacement, iteration; the compact slot's site table (many
 * distinct sites, colliding cache entries), clustered address patterns
 * (page-aligned, large strides, dense runs) through growth and deletion,
 * and freed entries through growth and purge.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_livemap.h"

enum { MILLION = 1000000 };

/* Distinct, 16-aligned, scattered addresses (an odd multiplier is a
 * bijection), and a size per block. */
static uint64_t addr_of(uint64_t i)
{
    return 0x100000000ull + ((i * 0x9E3779B1ull) & 0xffffffffffull) * 16u;
}

static uint64_t size_of(uint64_t i)
{
    return 1 + (i * 7919u) % 4096u;
}

struct sums {
    size_t n;
    uint64_t bytes;
    uint64_t xor_addr;
};

static void sum_cb(void *u, uint64_t addr, uint64_t size)
{
    struct sums *s = u;
    s->n++;
    s->bytes += size;
    s->xor_addr ^= addr;
}

static void sum_entry_cb(void *u, const rt_live_entry *e)
{
    struct sums *s = u;
    s->n++;
    s->bytes += e->size;
    s->xor_addr ^= e->addr ^ e->site ^ e->stack;
}

static void test_million(void **state)
{
    (void)state;
    rt_livemap *m = rt_livemap_create();
    assert_non_null(m);
    uint64_t bytes = 0, xr = 0;
    for (uint64_t i = 0; i < MILLION; i++) {
        assert_int_equal(rt_livemap_insert(m, addr_of(i), size_of(i), i * 3, (uint32_t)i), 1);
        bytes += size_of(i);
        xr ^= addr_of(i);
    }
    assert_int_equal(rt_livemap_count(m), MILLION);
    assert_int_equal(rt_livemap_bytes(m), bytes);
    struct sums s = {0};
    rt_livemap_foreach(m, sum_cb, &s);
    assert_int_equal(s.n, MILLION);
    assert_int_equal(s.bytes, bytes);
    assert_int_equal(s.xor_addr, xr);

    /* Remove the odd ones. */
    for (uint64_t i = 1; i < MILLION; i += 2) {
        uint64_t sz = 0;
        assert_int_equal(rt_livemap_remove(m, addr_of(i), &sz), 1);
        assert_int_equal(sz, size_of(i));
        bytes -= sz;
    }
    assert_int_equal(rt_livemap_count(m), MILLION / 2);
    assert_int_equal(rt_livemap_bytes(m), bytes);
    /* Every remaining block is still found (deletion kept probe runs whole),
     * every removed one is gone. */
    for (uint64_t i = 0; i < MILLION; i++) {
        rt_live_entry e;
        int found = rt_livemap_get(m, addr_of(i), &e);
        assert_int_equal(found, (i & 1) == 0);
        if (found) {
            assert_int_equal(e.size, size_of(i));
            assert_int_equal(e.site, i * 3);
            assert_int_equal(e.stack, (uint32_t)i);
        }
    }
    assert_int_equal(rt_livemap_remove(m, addr_of(1), NULL), 0);
    assert_int_equal(rt_livemap_remove(m, 0x10, NULL), 0);

    /* Remove the rest. */
    for (uint64_t i = 0; i < MILLION; i += 2)
        assert_int_equal(rt_livemap_remove(m, addr_of(i), NULL), 1);
    assert_int_equal(rt_livemap_count(m), 0);
    assert_int_equal(rt_livemap_bytes(m), 0);
    s = (struct sums){0};
    rt_livemap_foreach(m, sum_cb, &s);
    assert_int_equal(s.n, 0);
    rt_livemap_destroy(m);
}

/* Consecutive addresses make long probe runs: interleaved inserts and
 * removals must keep counts exact against a reference array. */
static void test_dense_churn(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint8_t *live = calloc(N, 1);
    uint64_t *sz = calloc(N, sizeof *sz);
    rt_livemap *m = rt_livemap_create();
    size_t count = 0;
    uint64_t bytes = 0;
    uint64_t rng = 88172645463325252ull;
    for (int step = 0; step < 1000000; step++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        size_t i = (size_t)(rng % N);
        uint64_t a = 0x7f0000000000ull + i * 16;
        if (live[i]) {
            uint64_t got = 0;
            assert_int_equal(rt_livemap_remove(m, a, &got), 1);
            assert_int_equal(got, sz[i]);
            live[i] = 0;
            count--;
            bytes -= got;
        } else {
            sz[i] = rng >> 52;
            assert_int_equal(rt_livemap_insert(m, a, sz[i], 0, 0), 1);
            live[i] = 1;
            count++;
            bytes += sz[i];
        }
    }
    assert_int_equal(rt_livemap_count(m), count);
    assert_int_equal(rt_livemap_bytes(m), bytes);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(rt_livemap_get(m, 0x7f0000000000ull + i * 16, NULL), live[i]);
    rt_livemap_destroy(m);
    free(live);
    free(sz);
}

static void test_replace_and_errors(void **state)
{
    (void)state;
    rt_livemap *m = rt_livemap_create();
    assert_int_equal(rt_livemap_insert(m, 0x1000, 100, 7, 8), 1);
    assert_int_equal(rt_livemap_insert(m, 0x1000, 40, 9, 10), 0); /* replaced */
    assert_int_equal(rt_livemap_count(m), 1);
    assert_int_equal(rt_livemap_bytes(m), 40);
    rt_live_entry e;
    assert_int_equal(rt_livemap_get(m, 0x1000, &e), 1);
    assert_int_equal(e.site, 9);
    assert_int_equal(e.stack, 10);
    assert_int_equal(rt_livemap_insert(m, 0, 5, 0, 0), -1);
    assert_int_equal(rt_livemap_count(m), 1);
    assert_int_equal(rt_livemap_insert(m, 0x2000, 0, 0, 0), 1); /* malloc(0) */
    assert_int_equal(rt_livemap_count(m), 2);
    assert_int_equal(rt_livemap_bytes(m), 40);
    struct sums s = {0};
    rt_livemap_foreach_entry(m, sum_entry_cb, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.xor_addr, 0x1000u ^ 9u ^ 10u ^ 0x2000u);
    /* the writer's prefetch hint leaves the map as it was */
    rt_livemap_prefetch(m, 0x1000);
    rt_livemap_prefetch(m, 0x3000);
    rt_livemap_prefetch(m, 0);
    rt_livemap_prefetch(NULL, 0x1000);
    assert_int_equal(rt_livemap_count(m), 2);
    assert_int_equal(rt_livemap_bytes(m), 40);
    assert_int_equal(rt_livemap_get(m, 0x3000, NULL), 0);
    assert_int_equal(rt_livemap_get(m, 0x1000, &e), 1);
    assert_int_equal(e.size, 40);
    rt_livemap_clear(m);
    assert_int_equal(rt_livemap_count(m), 0);
    assert_int_equal(rt_livemap_bytes(m), 0);
    assert_int_equal(rt_livemap_get(m, 0x1000, NULL), 0);
    assert_int_equal(rt_livemap_insert(m, 0x1000, 1, 0, 0), 1);
    rt_livemap_destroy(m);
    rt_livemap_destroy(NULL);
    assert_int_equal(rt_livemap_count(NULL), 0);
    assert_int_equal(rt_livemap_insert(NULL, 0x10, 1, 0, 0), -1);
}

/* Sites are kept as indexes into a per-map table: many distinct sites (the
 * table grows several times), site ids that share a cache entry, and site
 * 0, must all come back exactly, through map growth too. */
static void test_sites_exact(void **state)
{
    (void)state;
    enum { N = 50000, NSITES = 5000 };
    rt_livemap *m = rt_livemap_create();
    assert_non_null(m);
    for (uint64_t i = 0; i < N; i++) {
        /* i % NSITES distinct sites; multiples of 8 KiB collide in a small
         * direct-mapped cache; every 7th block has no site */
        uint64_t site = i % 7 == 0 ? 0 : 0x400000ull + (i % NSITES) * 8192u;
        assert_int_equal(rt_livemap_apply_alloc(m, addr_of(i), size_of(i), site,
                                                (uint32_t)(i + 1), i + 1), 1);
    }
    for (uint64_t i = 0; i < N; i++) {
        rt_live_entry e;
        assert_int_equal(rt_livemap_get(m, addr_of(i), &e), 1);
        assert_int_equal(e.site, i % 7 == 0 ? 0 : 0x400000ull + (i % NSITES) * 8192u);
        assert_int_equal(e.stack, (uint32_t)(i + 1));
        assert_int_equal(e.size, size_of(i));
        assert_int_equal(e.time, i + 1);
        assert_int_equal(e.addr, addr_of(i));
    }
    /* full 64-bit site ids, alternating with each other */
    assert_int_equal(rt_livemap_insert(m, 0x10, 1, UINT64_MAX, 1), 1);
    assert_int_equal(rt_livemap_insert(m, 0x20, 1, UINT64_MAX - 1, 2), 1);
    assert_int_equal(rt_livemap_insert(m, 0x30, 1, UINT64_MAX, 3), 1);
    rt_live_entry e;
    assert_int_equal(rt_livemap_get(m, 0x10, &e), 1);
    assert_int_equal(e.site, UINT64_MAX);
    assert_int_equal(rt_livemap_get(m, 0x20, &e), 1);
    assert_int_equal(e.site, UINT64_MAX - 1);
    assert_int_equal(rt_livemap_get(m, 0x30, &e), 1);
    assert_int_equal(e.site, UINT64_MAX);
    /* a block reallocated at another site shows the new one */
    assert_int_equal(rt_livemap_apply_alloc(m, addr_of(1), 5, 0x999, 9, N + 10), 1);
    assert_int_equal(rt_livemap_get(m, addr_of(1), &e), 1);
    assert_int_equal(e.site, 0x999);
    assert_int_equal(e.size, 5);
    /* the walk with whole entries sees the same sites */
    struct sums s = {0};
    rt_livemap_foreach_entry(m, sum_entry_cb, &s);
    assert_int_equal(s.n, N + 3);
    rt_livemap_destroy(m);
}

/* Address patterns that cluster: page-aligned blocks (mmap'ed chunks at
 * page + 16), 64 KiB and 1 MiB strides, and dense 16-byte runs, mixed in one
 * map; insert, delete every third one, check all; then apply the rest as
 * frees and purge. */
static uint64_t clustered_addr(uint64_t i)
{
    switch (i % 4) {
    case 0:
        return 0x7f0000000010ull + (i / 4) * 4096u;
    case 1:
        return 0x7e0000000000ull + (i / 4) * 65536u;
    case 2:
        return 0x100000000000ull + (i / 4) * (1u << 20);
    default:
        return 0x555555554000ull + (i / 4) * 16u;
    }
}

static void test_clustered_patterns(void **state)
{
    (void)state;
    enum { N = 400000 };
    rt_livemap *m = rt_livemap_create();
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < N; i++) {
        assert_int_equal(rt_livemap_apply_alloc(m, clustered_addr(i), i, i % 3 ? 0x1234 : 0,
                                                (uint32_t)i, 10 + i),
                         1);
        bytes += i;
    }
    assert_int_equal(rt_livemap_count(m), N);
    assert_int_equal(rt_livemap_bytes(m), bytes);
    for (uint64_t i = 0; i < N; i += 3) {
        uint64_t sz = 0;
        assert_int_equal(rt_livemap_remove(m, clustered_addr(i), &sz), 1);
        assert_int_equal(sz, i);
        bytes -= i;
    }
    size_t live = 0;
    for (uint64_t i = 0; i < N; i++) {
        rt_live_entry e;
        int found = rt_livemap_get(m, clustered_addr(i), &e);
        assert_int_equal(found, i % 3 != 0);
        if (found) {
            assert_int_equal(e.size, i);
            assert_int_equal(e.stack, (uint32_t)i);
            assert_int_equal(e.site, i % 3 ? 0x1234u : 0u);
            live++;
        }
    }
    assert_int_equal(rt_livemap_count(m), live);
    assert_int_equal(rt_livemap_bytes(m), bytes);
    /* free the rest by time; stale frees (older than the alloc) are ignored */
    for (uint64_t i = 1; i < N; i += 3)
        assert_int_equal(rt_livemap_apply_free(m, clustered_addr(i), 5, NULL), 0);
    assert_int_equal(rt_livemap_count(m), live);
    for (uint64_t i = 0; i < N; i++)
        if (i % 3 != 0)
            assert_int_equal(rt_livemap_apply_free(m, clustered_addr(i), 10 + N + i, NULL), 1);
    assert_int_equal(rt_livemap_count(m), 0);
    assert_int_equal(rt_livemap_bytes(m), 0);
    assert_int_equal(rt_livemap_freed(m), live);
    /* purge drops the freed entries stamped before the bound, only those */
    assert_int_equal(rt_livemap_purge(m, 10 + N + N / 2), (live + 1) / 2);
    size_t left = rt_livemap_freed(m);
    assert_int_equal(left, live - (live + 1) / 2);
    for (uint64_t i = 0; i < N; i++)
        if (i % 3 != 0 && 10 + N + i >= 10 + N + N / 2) /* still a freed entry: an older alloc is stale */
            assert_int_equal(rt_livemap_apply_alloc(m, clustered_addr(i), 1, 0, 0, 9), 0);
    assert_int_equal(rt_livemap_count(m), 0);
    assert_int_equal(rt_livemap_purge(m, UINT64_MAX), left);
    assert_int_equal(rt_livemap_freed(m), 0);
    /* empty again: the addresses are new */
    assert_int_equal(rt_livemap_apply_alloc(m, clustered_addr(2), 7, 0, 0, 1), 1);
    assert_int_equal(rt_livemap_count(m), 1);
    rt_livemap_destroy(m);
}

/* Freed entries count towards the load: a flood of frees of unknown
 * addresses (waiting for late ALLOCs) grows the map; the late ALLOCs are
 * then stale, newer ones apply, and a purge keeps the live blocks. */
static void test_freed_growth_purge(void **state)
{
    (void)state;
    enum { N = 300000 };
    rt_livemap *m = rt_livemap_create();
    for (uint64_t i = 0; i < N; i++)
        assert_int_equal(rt_livemap_apply_free(m, 0x600000000000ull + i * 48, 100 + i, NULL), 0);
    assert_int_equal(rt_livemap_freed(m), N);
    assert_int_equal(rt_livemap_count(m), 0);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t a = 0x600000000000ull + i * 48;
        /* the late ALLOC of the freed block: stale; then a reuse after the free */
        assert_int_equal(rt_livemap_apply_alloc(m, a, 8, 0x77, 1, 99 + i), 0);
        if (i % 2)
            assert_int_equal(rt_livemap_apply_alloc(m, a, 24, 0x77, 2, 100 + i), 1); /* equal time: later call wins */
    }
    assert_int_equal(rt_livemap_count(m), N / 2);
    assert_int_equal(rt_livemap_bytes(m), (uint64_t)N / 2 * 24);
    assert_int_equal(rt_livemap_freed(m), N - N / 2);
    assert_int_equal(rt_livemap_purge(m, UINT64_MAX), N - N / 2);
    assert_int_equal(rt_livemap_count(m), N / 2);
    for (uint64_t i = 0; i < N; i++) {
        rt_live_entry e;
        assert_int_equal(rt_livemap_get(m, 0x600000000000ull + i * 48, &e), (int)(i % 2));
        if (i % 2) {
            assert_int_equal(e.size, 24);
            assert_int_equal(e.site, 0x77);
            assert_int_equal(e.stack, 2);
        }
    }
    rt_livemap_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_million),
        cmocka_unit_test(test_dense_churn),
        cmocka_unit_test(test_replace_and_errors),
        cmocka_unit_test(test_sites_exact),
        cmocka_unit_test(test_clustered_patterns),
        cmocka_unit_test(test_freed_growth_purge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
