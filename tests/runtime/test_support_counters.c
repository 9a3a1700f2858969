/*
 * test_support_counters.c - RSS and mallinfo2 sampling
 * (runtime/src/rt_counters.c).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_counters.h"

static void test_rss(void **state)
{
    (void)state;
    uint64_t rss = rt_counters_rss();
    assert_true(rss > 0);
    assert_int_equal(rss % 4096, 0);
    /* Touching 32 MiB of fresh memory raises it by about that much. */
    size_t len = 32u << 20;
    char *p = malloc(len);
    assert_non_null(p);
    memset(p, 1, len);
    uint64_t after = rt_counters_rss();
    assert_true(after >= rss + (len / 2));
    free(p);
}

static void test_sample_moves_with_malloc(void **state)
{
    (void)state;
    ms_counter a, b, c;
    memset(&a, 0xff, sizeof a);
    rt_counters_sample(&a, 1000000000ull);
    assert_int_equal(a.time_ns, 1000000000ull);
    assert_true(a.rss > 0);
    assert_int_equal(a.live_bytes, 0);
    assert_int_equal(a.live_blocks, 0);
    assert_true(a.heap_arena >= a.heap_in_use);

    /* A big block (mmap'ed by glibc: hblkhd) ... */
    size_t big = 64u << 20;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, 2, big);
    /* ... and many small ones (in the arena: uordblks). */
    enum { SMALL = 2000 };
    void *small[SMALL];
    for (int i = 0; i < SMALL; i++) {
        small[i] = malloc(1000);
        assert_non_null(small[i]);
        memset(small[i], 3, 1000);
    }
    rt_counters_sample(&b, 2000000000ull);
    assert_true(b.heap_in_use >= a.heap_in_use + big + SMALL * 1000);
    assert_true(b.heap_arena >= a.heap_arena + big);
    assert_true(b.rss >= a.rss + big / 2);

    free(p);
    for (int i = 0; i < SMALL; i++)
        free(small[i]);
    rt_counters_sample(&c, 3000000000ull);
    assert_true(c.heap_in_use + big <= b.heap_in_use);
    assert_true(c.heap_in_use < a.heap_in_use + big / 4);
}

/* Right after a refresh, the same instant reuses the heap figures (the
 * mallinfo2 rate limit) while RSS is fresh; a second later they move. */
static void test_rate_limit(void **state)
{
    (void)state;
    ms_counter a, b, c;
    rt_counters_sample(&a, 10000000000ull);
    size_t big = 16u << 20;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, 4, big);
    rt_counters_sample(&b, 10000000000ull);
    assert_int_equal(b.heap_in_use, a.heap_in_use);
    assert_int_equal(b.heap_arena, a.heap_arena);
    assert_true(b.rss >= a.rss + big / 2);
    rt_counters_sample(&c, 11000000000ull);
    assert_true(c.heap_in_use >= a.heap_in_use + big);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rss),
        cmocka_unit_test(test_sample_moves_with_malloc),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
