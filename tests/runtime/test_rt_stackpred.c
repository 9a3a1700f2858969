/*
 * test_rt_stackpred.c - successor prediction of context keys stays exact
 * (runtime/src/rt_stacktab.{c,h}: context records, rt_stacktab_predict,
 * rt_stacktab_learn, rt_stacktab_lookup_ctx, rt_stacktab_bind_ctx).
 *
 * resolve() below is the runtime's rt_stack_id() without its per-thread
 * cache level: prediction first, then the global key table, else intern the
 * key's frames and bind; the previous record learns its successor on the
 * table path. Every test checks every id against the id interned for the
 * key's own frames, so a prediction that returned another key's id fails.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_stacktab.h"

/* Key @i of family @fam: odd (like the runtime's keys), distinct. */
static uint64_t key_of(uint32_t fam, uint32_t i)
{
    uint64_t k = ((uint64_t)fam << 40) ^ ((uint64_t)i * 0x9E3779B97F4A7C15ull);
    return k | 1;
}

/* The frames a key stands for: distinct per key, depth 1..8. */
static uint32_t frames_of(uint64_t key, uint64_t *out)
{
    uint32_t depth = 1 + (uint32_t)(key >> 7) % 8;
    for (uint32_t i = 0; i < depth; i++)
        out[i] = key ^ (0x400000u + i * 0x10u);
    return depth;
}

/* The id the key must get: the id of its own frames. */
static uint32_t ref_id(uint64_t key)
{
    uint64_t f[8];
    uint32_t d = frames_of(key, f);
    return rt_stacktab_intern(f, d);
}

typedef struct {
    uint32_t cur;   /* the thread's last context record (rt_tls.ctx_cur) */
    size_t hits;
    size_t misses;
} pred_state;

static uint32_t resolve(pred_state *ps, uint64_t key)
{
    uint32_t id;
    if (rt_stacktab_predict(&ps->cur, key, &id)) {
        ps->hits++;
        return id;
    }
    ps->misses++;
    uint32_t rec = 0;
    id = rt_stacktab_lookup_ctx(key, &rec);
    if (id == 0) {
        id = ref_id(key);
        rec = rt_stacktab_bind_ctx(key, id);
    }
    rt_stacktab_learn(ps->cur, rec);
    ps->cur = rec;
    return id;
}

/* A repeating sequence is predicted from its second pass on. */
static void test_repeating_sequence(void **state)
{
    (void)state;
    pred_state ps = {0};
    enum { N = 500 };
    for (int pass = 0; pass < 4; pass++) {
        size_t h0 = ps.hits;
        for (uint32_t i = 0; i < N; i++) {
            uint64_t k = key_of(1, i);
            assert_int_equal(resolve(&ps, k), ref_id(k));
        }
        if (pass >= 2) /* pass 1 learns the wrap-around 499 -> 0 */
            assert_int_equal(ps.hits - h0, N);
    }
    assert_true(ps.hits >= 2 * N);
}

/* Two sequences over shared keys, interleaved: every id is right whether
 * or not it was predicted, and mispredictions happen. */
static void test_interleaved_sequences(void **state)
{
    (void)state;
    pred_state ps = {0};
    uint64_t a[64], b[64];
    for (uint32_t i = 0; i < 64; i++) {
        a[i] = key_of(2, i);
        b[i] = key_of(2, (i * 37) % 64); /* same keys, other order */
    }
    for (int round = 0; round < 200; round++) {
        const uint64_t *seq = (round % 3 == 0) ? b : a;
        uint32_t len = 8 + (uint32_t)round % 57;
        for (uint32_t i = 0; i < len; i++)
            assert_int_equal(resolve(&ps, seq[i]), ref_id(seq[i]));
    }
    assert_true(ps.hits > 0);
    assert_true(ps.misses > 64);
}

/* A context whose successor changes: the old prediction misses (exactly),
 * the new successor is learnt and predicted after that. */
static void test_successor_changes(void **state)
{
    (void)state;
    pred_state ps = {0};
    uint64_t x = key_of(3, 1), y = key_of(3, 2), z = key_of(3, 3);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(resolve(&ps, x), ref_id(x));
        assert_int_equal(resolve(&ps, y), ref_id(y));
    }
    size_t h = ps.hits;
    assert_int_equal(resolve(&ps, x), ref_id(x));
    assert_int_equal(ps.hits, h + 1); /* y -> x learnt */
    /* x was followed by y: z is a misprediction, resolved exactly */
    assert_int_equal(resolve(&ps, z), ref_id(z));
    assert_int_equal(ps.hits, h + 1);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(resolve(&ps, x), ref_id(x));
        size_t before = ps.hits;
        assert_int_equal(resolve(&ps, z), ref_id(z));
        assert_int_equal(ps.hits, before + 1); /* x -> z now predicted */
    }
}

/* The predicted record must carry the key: a different key never takes the
 * predicted record's id, and a miss leaves the thread's record alone. */
static void test_mismatch_keeps_state(void **state)
{
    (void)state;
    pred_state ps = {0};
    uint64_t p = key_of(4, 1), q = key_of(4, 2), other = key_of(4, 99);
    for (int i = 0; i < 3; i++) {
        resolve(&ps, p);
        resolve(&ps, q);
    }
    resolve(&ps, p); /* now q is predicted */
    uint32_t cur = ps.cur, id = 12345;
    assert_int_equal(rt_stacktab_predict(&cur, other, &id), 0);
    assert_int_equal(cur, ps.cur);
    assert_int_equal(id, 12345);
    assert_int_equal(rt_stacktab_predict(&cur, q, &id), 1);
    assert_int_equal(id, ref_id(q));
    /* record 0 ("none") predicts nothing */
    uint32_t none = 0;
    assert_int_equal(rt_stacktab_predict(&none, p, &id), 0);
    assert_int_equal(none, 0);
}

/* Rebinding a key updates its record: a prediction gives the new id. */
static void test_rebind_updates_record(void **state)
{
    (void)state;
    pred_state ps = {0};
    uint64_t a = key_of(5, 1), b = key_of(5, 2);
    for (int i = 0; i < 3; i++) {
        resolve(&ps, a);
        resolve(&ps, b);
    }
    uint64_t f[2] = {0xdead0000, 0xbeef0000};
    uint32_t other = rt_stacktab_intern(f, 2);
    assert_true(other != ref_id(b));
    uint32_t rec_before = 0;
    rt_stacktab_lookup_ctx(b, &rec_before);
    assert_int_equal(rt_stacktab_bind_ctx(b, other), rec_before); /* same record */
    uint32_t rec = 0;
    assert_int_equal(rt_stacktab_lookup_ctx(b, &rec), other);
    assert_int_equal(rec, rec_before);
    resolve(&ps, a);
    size_t h = ps.hits;
    assert_int_equal(resolve(&ps, b), other);
    assert_int_equal(ps.hits, h + 1);
    /* put it back for the other tests' reference */
    rt_stacktab_bind_ctx(b, ref_id(b));
}

/* Enough keys to grow the key table several times while sequences are
 * being predicted: records never move, ids stay exact. */
static void test_growth(void **state)
{
    (void)state;
    pred_state ps = {0};
    enum { N = 40000 };
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t i = 0; i < N; i++) {
            uint64_t k = key_of(6, i);
            uint32_t id = resolve(&ps, k);
            if (id != ref_id(k))
                fail_msg("pass %d key %u: id %u, want %u", pass, i, id, ref_id(k));
        }
    assert_true(ps.hits >= N);
}

/* Two threads on the same keys in different orders: both keep teaching
 * the shared records different successors. Only time is lost. */
typedef struct {
    uint32_t stride;
    uint32_t bad;
    size_t hits;
} race_arg;

#define RACE_KEYS 4096u

static void *race_thread(void *p)
{
    race_arg *a = p;
    pred_state ps = {0};
    uint32_t j = 0;
    for (uint32_t n = 0; n < 400000u; n++) {
        j = (j + a->stride) % RACE_KEYS;
        uint64_t k = key_of(7, j);
        if (resolve(&ps, k) != ref_id(k))
            a->bad++;
    }
    a->hits = ps.hits;
    return NULL;
}

static void test_two_threads_race(void **state)
{
    (void)state;
    race_arg a = {.stride = 1}, b = {.stride = 7};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, race_thread, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, race_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.bad, 0);
    assert_int_equal(b.bad, 0);
    /* each thread mostly follows its own order: predictions still hit */
    assert_true(a.hits + b.hits > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeating_sequence),
        cmocka_unit_test(test_interleaved_sequences),
        cmocka_unit_test(test_successor_changes),
        cmocka_unit_test(test_mismatch_keeps_state),
        cmocka_unit_test(test_rebind_updates_record),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_two_threads_race),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
