/*
 * test_support_stacktab.c - stack dedup, context keys, drain and fork
 * (runtime/src/rt_stacktab.c). The table is process-global, so each test
 * uses frame values of its own and drains what earlier tests left.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt_stacktab.h"

/* Frames of stack number @k of family @fam: distinct per (fam, k), and
 * with depths 1..40. */
static uint32_t make_stack(uint64_t fam, uint32_t k, uint64_t *out)
{
    uint32_t depth = 1 + (k % 40);
    for (uint32_t i = 0; i < depth; i++)
        out[i] = (fam << 40) ^ ((uint64_t)k << 12) ^ (0x400000u + i * 0x10u);
    return depth;
}

static void ignore_cb(void *user, const ms_stack *s, size_t n)
{
    (void)user;
    (void)s;
    (void)n;
}

static void test_dedup(void **state)
{
    (void)state;
    uint64_t a[8] = {0x401000, 0x402000, 0x403000, 0x404000};
    uint64_t b[8] = {0x401000, 0x402000, 0x403000, 0x404001};
    uint32_t ia = rt_stacktab_intern(a, 4);
    assert_true(ia >= 1);
    assert_int_equal(rt_stacktab_intern(a, 4), ia);
    uint64_t a_copy[4];
    memcpy(a_copy, a, sizeof a_copy); /* equal content, other memory */
    assert_int_equal(rt_stacktab_intern(a_copy, 4), ia);
    uint32_t ib = rt_stacktab_intern(b, 4);
    assert_true(ib >= 1 && ib != ia);
    uint32_t iprefix = rt_stacktab_intern(a, 3);
    assert_true(iprefix != ia && iprefix != ib && iprefix >= 1);
    assert_int_equal(rt_stacktab_intern(a, 3), iprefix);
    assert_int_equal(rt_stacktab_intern(a, 0), 0);
    assert_int_equal(rt_stacktab_intern(NULL, 3), 0);
}

static void test_many_distinct(void **state)
{
    (void)state;
    enum { N = 20000 };
    uint32_t *ids = calloc(N, sizeof *ids);
    uint64_t f[64];
    size_t before = rt_stacktab_count();
    for (uint32_t k = 0; k < N; k++)
        ids[k] = rt_stacktab_intern(f, make_stack(1, k, f));
    assert_int_equal(rt_stacktab_count(), before + N);
    for (uint32_t k = 0; k < N; k++) {
        assert_true(ids[k] >= 1);
        assert_int_equal(rt_stacktab_intern(f, make_stack(1, k, f)), ids[k]);
    }
    /* ids are distinct: they are consecutive new ids */
    for (uint32_t k = 1; k < N; k++)
        assert_int_equal(ids[k], ids[k - 1] + 1);
    assert_int_equal(rt_stacktab_count(), before + N);
    free(ids);
}

static void test_keys(void **state)
{
    (void)state;
    uint64_t f[2] = {0x500000, 0x500010};
    uint32_t id = rt_stacktab_intern(f, 2);
    assert_int_equal(rt_stacktab_lookup_key(0xabcdef), 0);
    rt_stacktab_bind_key(0xabcdef, id);
    assert_int_equal(rt_stacktab_lookup_key(0xabcdef), id);
    rt_stacktab_bind_key(0xabcdef, id + 1); /* rebind replaces */
    assert_int_equal(rt_stacktab_lookup_key(0xabcdef), id + 1);
    rt_stacktab_bind_key(0xabcdef, 0);      /* 0 is ignored */
    assert_int_equal(rt_stacktab_lookup_key(0xabcdef), id + 1);
    assert_int_equal(rt_stacktab_lookup_key(0), 0);
    rt_stacktab_bind_key(0, id);
    assert_int_equal(rt_stacktab_lookup_key(0), id);
    /* Enough keys to grow the table several times. */
    for (uint64_t k = 1; k <= 200000; k++)
        rt_stacktab_bind_key(k * 0x9E3779B97F4A7C15ull, (uint32_t)(k % 1000) + 1);
    for (uint64_t k = 1; k <= 200000; k++)
        assert_int_equal(rt_stacktab_lookup_key(k * 0x9E3779B97F4A7C15ull),
                         (uint32_t)(k % 1000) + 1);
    assert_int_equal(rt_stacktab_lookup_key(0x1234567), 0);
    assert_int_equal(rt_stacktab_lookup_key(0xabcdef), id + 1);
}

/* Drain collector: marks each id seen, checks the frames. */
struct collect {
    uint8_t *seen;        /* indexed by id */
    size_t cap;
    size_t dup;           /* ids handed out twice */
    size_t bad;           /* bad batch, id, depth or family */
    uint64_t fam;         /* expected family of every frame, 0 = any */
};

/* May run on another thread: counts problems instead of asserting. */
static void collect_cb(void *user, const ms_stack *s, size_t n)
{
    struct collect *c = user;
    if (n < 1 || n > 256)
        c->bad++;
    for (size_t i = 0; i < n; i++) {
        if (s[i].id < 1 || s[i].id >= c->cap || s[i].depth < 1 || s[i].frames == NULL) {
            c->bad++;
            continue;
        }
        if (c->seen[s[i].id]++)
            c->dup++;
        if (c->fam != 0 && (s[i].frames[0] >> 40) != c->fam)
            c->bad++;
    }
}

static void test_drain_once(void **state)
{
    (void)state;
    rt_stacktab_drain(ignore_cb, NULL);
    assert_int_equal(rt_stacktab_drain(ignore_cb, NULL), 0);
    uint64_t f[64];
    size_t base = rt_stacktab_count();
    for (uint32_t k = 0; k < 1000; k++)
        rt_stacktab_intern(f, make_stack(2, k, f));
    /* repeats add nothing */
    for (uint32_t k = 0; k < 1000; k++)
        rt_stacktab_intern(f, make_stack(2, k, f));
    struct collect c = {0};
    c.cap = base + 1001 + 1;
    c.seen = calloc(c.cap, 1);
    assert_int_equal(rt_stacktab_drain(collect_cb, &c), 1000);
    assert_int_equal(c.dup, 0);
    for (size_t id = base + 1; id <= base + 1000; id++)
        assert_int_equal(c.seen[id], 1);
    assert_int_equal(rt_stacktab_drain(collect_cb, &c), 0);
    uint32_t extra = rt_stacktab_intern(f, make_stack(2, 1000, f));
    assert_int_equal(extra, base + 1001);
    assert_int_equal(rt_stacktab_drain(collect_cb, &c), 1);
    assert_int_equal(c.seen[extra], 1);
    assert_int_equal(c.bad, 0);
    free(c.seen);
}

static void check_frames_cb(void *user, const ms_stack *s, size_t n)
{
    size_t *mismatch = user;
    uint64_t f[64];
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)((s[i].frames[0] ^ (3ull << 40) ^ 0x400000u) >> 12);
        uint32_t depth = make_stack(3, k, f);
        if (depth != s[i].depth || memcmp(f, s[i].frames, depth * 8) != 0 ||
            rt_stacktab_intern(f, depth) != s[i].id)
            (*mismatch)++;
    }
}

static void test_drain_frames_match(void **state)
{
    (void)state;
    rt_stacktab_drain(ignore_cb, NULL);
    uint64_t f[64];
    for (uint32_t k = 0; k < 700; k++)
        rt_stacktab_intern(f, make_stack(3, k, f));
    size_t mismatch = 0;
    assert_int_equal(rt_stacktab_drain(check_frames_cb, &mismatch), 700);
    assert_int_equal(mismatch, 0);
}

/* 8 threads intern the same 3000 stacks in different orders while binding
 * and looking up keys; a ninth drains concurrently. */
enum { THREADS = 8, SHARED = 3001 }; /* prime: every stride visits all */
static uint32_t g_ids[THREADS][SHARED];
static int g_stop_drain;
static size_t g_key_errors[THREADS];

static pthread_barrier_t g_barrier;

static void *intern_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t f[64];
    pthread_barrier_wait(&g_barrier);
    for (uint32_t j = 0; j < SHARED; j++) {
        /* Half the threads walk the stacks in the same order (they collide
         * on every new stack), half in orders of their own. */
        uint32_t stride = t < THREADS / 2 ? 1u : 2u * (uint32_t)t + 1u;
        uint32_t k = (j * stride) % SHARED;
        uint32_t id = rt_stacktab_intern(f, make_stack(4, k, f));
        g_ids[t][k] = id;
        uint64_t key = ((uint64_t)k << 8) | 0xff00000000000001ull;
        rt_stacktab_bind_key(key, id);
        if (rt_stacktab_lookup_key(key) != id)
            g_key_errors[t]++;
    }
    return NULL;
}

static void *drain_worker(void *arg)
{
    struct collect *c = arg;
    while (!__atomic_load_n(&g_stop_drain, __ATOMIC_ACQUIRE))
        rt_stacktab_drain(collect_cb, c);
    return NULL;
}

static void test_concurrent_intern(void **state)
{
    (void)state;
    rt_stacktab_drain(ignore_cb, NULL);
    size_t base = rt_stacktab_count();
    struct collect c = {0};
    c.cap = base + SHARED + 1;
    c.seen = calloc(c.cap, 1);
    c.fam = 4;
    pthread_t th[THREADS], drainer;
    __atomic_store_n(&g_stop_drain, 0, __ATOMIC_RELEASE);
    pthread_barrier_init(&g_barrier, NULL, THREADS);
    assert_int_equal(pthread_create(&drainer, NULL, drain_worker, &c), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, intern_worker, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    __atomic_store_n(&g_stop_drain, 1, __ATOMIC_RELEASE);
    pthread_join(drainer, NULL);
    pthread_barrier_destroy(&g_barrier);
    rt_stacktab_drain(collect_cb, &c);

    assert_int_equal(rt_stacktab_count(), base + SHARED);
    uint8_t *used = calloc(base + SHARED + 1, 1);
    for (uint32_t k = 0; k < SHARED; k++) {
        uint32_t id = g_ids[0][k];
        assert_true(id > base && id <= base + SHARED);
        for (int t = 1; t < THREADS; t++)
            assert_int_equal(g_ids[t][k], id);
        assert_int_equal(used[id], 0); /* different stacks, different ids */
        used[id] = 1;
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(g_key_errors[t], 0);
    /* Every new id was drained exactly once, by either drain. */
    assert_int_equal(c.dup, 0);
    assert_int_equal(c.bad, 0);
    for (size_t id = base + 1; id <= base + SHARED; id++)
        assert_int_equal(c.seen[id], 1);
    free(used);
    free(c.seen);
}

/* A forked child re-drains every stack; the parent does not. */
static void count_cb(void *user, const ms_stack *s, size_t n)
{
    (void)s;
    *(size_t *)user += n;
}

static void test_reset_after_fork(void **state)
{
    (void)state;
    uint64_t f[64];
    rt_stacktab_intern(f, make_stack(5, 1, f));
    rt_stacktab_drain(ignore_cb, NULL);
    size_t total = rt_stacktab_count();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rt_stacktab_reset_after_fork();
        size_t got = 0;
        size_t ret = rt_stacktab_drain(count_cb, &got);
        /* and the child keeps deduplicating against the parent's ids */
        uint32_t again = rt_stacktab_intern(f, make_stack(5, 1, f));
        _exit(ret == total && got == total && again >= 1 && again <= total &&
                      rt_stacktab_count() == total
                  ? 0
                  : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    size_t got = 0;
    assert_int_equal(rt_stacktab_drain(count_cb, &got), 0);
}

/* Depths beyond MS_MAX_STACK_DEPTH are cut. */
static void test_max_depth(void **state)
{
    (void)state;
    enum { D = MS_MAX_STACK_DEPTH + 10 };
    uint64_t *f = calloc(D, sizeof *f);
    for (size_t i = 0; i < D; i++)
        f[i] = 0x600000 + i;
    uint32_t id = rt_stacktab_intern(f, D);
    assert_true(id >= 1);
    assert_int_equal(rt_stacktab_intern(f, MS_MAX_STACK_DEPTH), id);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_many_distinct),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_drain_once),
        cmocka_unit_test(test_drain_frames_match),
        cmocka_unit_test(test_concurrent_intern),
        cmocka_unit_test(test_reset_after_fork),
        cmocka_unit_test(test_max_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
