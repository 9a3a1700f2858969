/*
 * test_rt_bug_cross_thread_free - regression test of e2e bug 2: the writer
 * applied thread buffers to its live map in hand-over order, so a consumer
 * thread's FREE that reached the writer before the producer's ALLOC of the
 * same address left the block live for ever (reported by the leak scan).
 *
 * 1. rt_livemap: every arrival order of an address's event history gives
 *    the state of the time-ordered merge (live set, count, bytes), including
 *    realloc halves and address reuse; purge drops only old freed entries.
 * 2. rt_prog "xfer": the consumer's final buffer (its frees and reallocs)
 *    is forced to reach the writer before main's ALLOCs (flush_ms beyond the
 *    run time); no freed block may be live at the end, every kept one must.
 */
#define _GNU_SOURCE
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

#include "memscope_abi.h"
#include "rt_core.h"
#include "rt_livemap.h"
#include "rt_prog_sites.h"
#include "rt_trace_util.h"

/* ---- 1. live map, all arrival orders -------------------------------------- */

typedef struct {
    int alloc;      /* 1 alloc, 0 free */
    uint64_t addr;
    uint64_t size;
    uint64_t time;
} ev;

static int permute_next(int *a, int n) {
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    int x = a[i];
    a[i] = a[j];
    a[j] = x;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) {
        x = a[l];
        a[l] = a[r];
        a[r] = x;
    }
    return 1;
}

/* Apply @evs in every order; each result must equal the time-ordered one. */
static void check_all_orders(const ev *evs, int n) {
    /* expected: replay in time order (evs are given in time order) */
    rt_livemap *ref = rt_livemap_create();
    assert_non_null(ref);
    for (int i = 0; i < n; i++) {
        if (evs[i].alloc)
            rt_livemap_insert(ref, evs[i].addr, evs[i].size, 0, 0);
        else
            rt_livemap_remove(ref, evs[i].addr, NULL);
    }
    int perm[8];
    for (int i = 0; i < n; i++)
        perm[i] = i;
    size_t orders = 0;
    do {
        rt_livemap *m = rt_livemap_create();
        assert_non_null(m);
        for (int k = 0; k < n; k++) {
            const ev *e = &evs[perm[k]];
            if (e->alloc)
                assert_true(rt_livemap_apply_alloc(m, e->addr, e->size, 1, 2, e->time) >= 0);
            else
                assert_true(rt_livemap_apply_free(m, e->addr, e->time, NULL) >= 0);
        }
        assert_int_equal(rt_livemap_count(m), rt_livemap_count(ref));
        assert_int_equal(rt_livemap_bytes(m), rt_livemap_bytes(ref));
        for (int i = 0; i < n; i++) {
            rt_live_entry a, b;
            int in_m = rt_livemap_get(m, evs[i].addr, &a);
            int in_ref = rt_livemap_get(ref, evs[i].addr, &b);
            assert_int_equal(in_m, in_ref);
            if (in_m)
                assert_int_equal(a.size, b.size);
        }
        /* purge after everything: freed entries go, live ones stay */
        rt_livemap_purge(m, UINT64_MAX);
        assert_int_equal(rt_livemap_freed(m), 0);
        assert_int_equal(rt_livemap_count(m), rt_livemap_count(ref));
        rt_livemap_destroy(m);
        orders++;
    } while (permute_next(perm, n));
    assert_true(orders > 1);
    rt_livemap_destroy(ref);
}

static void test_livemap_free_before_alloc(void **state) {
    (void)state;
    /* producer allocs A, consumer frees it */
    const ev a[] = {{1, 0x1000, 16, 10}, {0, 0x1000, 0, 20}};
    check_all_orders(a, 2);
    /* reuse: alloc, free, alloc again (live), by three threads */
    const ev b[] = {{1, 0x1000, 16, 10}, {0, 0x1000, 0, 20}, {1, 0x1000, 32, 30}};
    check_all_orders(b, 3);
    /* two generations freed: nothing live */
    const ev c[] = {{1, 0x1000, 16, 10}, {0, 0x1000, 0, 20}, {1, 0x1000, 32, 30},
                    {0, 0x1000, 0, 40}};
    check_all_orders(c, 4);
    /* two addresses interleaved, one left live; a free of a block allocated
     * before the trace (unknown address) */
    const ev d[] = {{1, 0x1000, 16, 10}, {1, 0x2000, 48, 11}, {0, 0x1000, 0, 20},
                    {0, 0x3000, 0, 21}, {1, 0x1000, 64, 30}, {0, 0x2000, 0, 31},
                    {1, 0x2000, 80, 40}};
    check_all_orders(d, 7);
}

/* A realloc is a free of the old block at its stamp and an allocation of the
 * new one at stamp + delta: the writer applies them so. */
static void test_livemap_realloc_halves(void **state) {
    (void)state;
    /* T1 mallocs 0x1000 @10; T2 reallocs it @20 (new block 0x5000 @25);
     * T3 frees 0x5000 @40; T1 mallocs 0x1000 again @50 */
    const ev r[] = {{1, 0x1000, 16, 10}, {0, 0x1000, 0, 20}, {1, 0x5000, 4000, 25},
                    {0, 0x5000, 0, 40}, {1, 0x1000, 24, 50}};
    check_all_orders(r, 5);
    /* the delta carried in `reserved`: exact below 2^15 ticks, never later
     * than the real one and within 1/1024 of it above */
    for (uint64_t d = 0; d < 70000; d += 7)
        if (d < 0x8000)
            assert_int_equal(rt_delta_decode(rt_delta_encode(d)), d);
    for (uint64_t d = 0x8000; d < (1ull << 40); d = d * 3 + 1) {
        uint64_t back = rt_delta_decode(rt_delta_encode(d));
        assert_true(back <= d);
        assert_true(back >= d - d / 512);
    }
}

static void test_livemap_purge_keeps_recent(void **state) {
    (void)state;
    rt_livemap *m = rt_livemap_create();
    assert_non_null(m);
    for (uint64_t i = 1; i <= 5000; i++)
        assert_int_equal(rt_livemap_apply_free(m, i * 16, i, NULL), 0); /* unknown: freed entries */
    assert_int_equal(rt_livemap_freed(m), 5000);
    assert_int_equal(rt_livemap_count(m), 0);
    assert_int_equal(rt_livemap_purge(m, 2501), 2500);
    assert_int_equal(rt_livemap_freed(m), 2500);
    /* a late ALLOC older than a kept freed entry is still cancelled */
    assert_int_equal(rt_livemap_apply_alloc(m, 4000 * 16, 8, 0, 0, 3999), 0);
    assert_int_equal(rt_livemap_count(m), 0);
    /* a newer one is a reuse */
    assert_int_equal(rt_livemap_apply_alloc(m, 4000 * 16, 8, 0, 0, 4001), 1);
    assert_int_equal(rt_livemap_count(m), 1);
    assert_int_equal(rt_livemap_bytes(m), 8);
    assert_int_equal(rt_livemap_freed(m), 2499);
    rt_livemap_destroy(m);
}

/* ---- 2. the runtime, order forced ------------------------------------------- */

static char dir[256];

static int setup(void **state) {
    (void)state;
    return rt_test_mkdtemp(dir, sizeof dir, "rt_xfer_");
}

static int teardown(void **state) {
    (void)state;
    return rt_test_rmtree(dir);
}

static uint64_t site_id(const rt_trace *t, int idx) {
    for (size_t i = 0; i < t->n_sites; i++)
        if (t->sites[i].column == (uint32_t)idx + 1)
            return t->sites[i].id;
    return ~0ull;
}

static int in_leaks(const rt_trace *t, uint64_t addr) {
    for (size_t i = 0; i < t->n_leaks; i++)
        if (t->leaks[i].addr == addr)
            return 1;
    return 0;
}

/* Some ALLOC (any site, the program's or libc's) at @addr after @time. */
static int reused_after(const rt_trace *t, uint64_t addr, uint64_t time) {
    for (size_t j = 0; j < t->n_ev; j++)
        if (t->ev[j].ev.kind == MS_EV_ALLOC && t->ev[j].ev.addr == addr &&
            t->ev[j].ev.time_ns > time)
            return 1;
    return 0;
}

static void test_rt_consumer_free_arrives_first(void **state) {
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        setenv("MEMSCOPE_OPTIONS", "output=xfer.ms:flush_ms=600000", 1);
        if (!freopen("/dev/null", "w", stdout))
            _exit(125);
        execl(RT_PROG, RT_PROG, "xfer", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/xfer.ms", dir);
    rt_trace t;
    assert_int_equal(rt_trace_load(path, &t), 0);
    assert_true(t.complete);
    uint64_t s1 = site_id(&t, idx_site_xfer), s2 = site_id(&t, idx_site_xfer2);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, s1, 0, 0), 1000);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, s2, 0, 0), 1000);
    assert_int_equal(rt_trace_count(&t, MS_EV_REALLOC, 0, 0, 0) >= 500, 1);
    /* the forced order really happened: the consumer's events are in an
     * earlier chunk than main's first-batch ALLOCs */
    size_t first_free = SIZE_MAX, first_alloc = SIZE_MAX;
    for (size_t i = 0; i < t.n_ev; i++) {
        if (t.ev[i].ev.kind == MS_EV_FREE && first_free == SIZE_MAX &&
            t.ev[i].ev.site == site_id(&t, idx_site_xfer_free))
            first_free = i;
        if (t.ev[i].ev.kind == MS_EV_ALLOC && t.ev[i].ev.site == s1 && first_alloc == SIZE_MAX)
            first_alloc = i;
    }
    assert_true(first_free < first_alloc);
    /* every kept block live, no first-batch block live unless its address
     * was reused later */
    size_t kept = 0, stale = 0;
    for (size_t i = 0; i < t.n_ev; i++) {
        const ms_event *e = &t.ev[i].ev;
        if (e->kind != MS_EV_ALLOC)
            continue;
        if (e->site == s2)
            kept += in_leaks(&t, e->addr);
    }
    for (size_t i = 0; i < t.n_ev; i++) {
        const ms_event *e = &t.ev[i].ev;
        if (e->kind != MS_EV_ALLOC || e->site != s1 || !in_leaks(&t, e->addr))
            continue;
        stale += !reused_after(&t, e->addr, e->time_ns);
    }
    assert_int_equal(kept, 1000);
    assert_int_equal(stale, 0);
    /* realloc'ed-then-freed new blocks are not live either */
    size_t stale_new = 0;
    for (size_t i = 0; i < t.n_ev; i++) {
        const ms_event *e = &t.ev[i].ev;
        if (e->kind == MS_EV_REALLOC && e->addr && in_leaks(&t, e->addr))
            stale_new += !reused_after(&t, e->addr, e->time_ns);
    }
    assert_int_equal(stale_new, 0);
    /* summary agrees with the leaks chunk (every live block is listed) */
    assert_int_equal(rt_trace_summary(&t, "live_blocks_at_end", 0), t.n_leaks);
    assert_true(t.n_leaks < 1000 + 50);
    rt_trace_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_livemap_free_before_alloc),
        cmocka_unit_test(test_livemap_realloc_halves),
        cmocka_unit_test(test_livemap_purge_keeps_recent),
        cmocka_unit_test(test_rt_consumer_free_arrives_first),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
