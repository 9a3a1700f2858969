/*
 * test_rt_stackpred_e2e.c - the whole stack-id path (successor prediction,
 * per-thread cache, global table, unwind: rt_core.h rt_stack_id) gives every
 * event the stack of its own context. Runs rt_prog_pred (70,000 contexts,
 * repeating / strided / changing orders, two racing threads) and checks each
 * allocation's stack against the stack its depth must have: the first
 * allocation of each depth is a first sight (unwound), every later one must
 * carry exactly the same frames.
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

#include "msformat.h"
#include "rt_trace_util.h"

#define NCTX 70000u
#define DEPTHS 7u

typedef struct {
    uint32_t *depth;   /* by stack id */
    uint64_t **frames; /* by stack id */
    size_t cap;
    ms_event *ev;
    size_t n_ev;
} trace_view;

static int on_chunk(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d) {
    (void)index;
    (void)info;
    trace_view *v = user;
    if (d->type == MS_CHUNK_STACKS) {
        for (size_t i = 0; i < d->count; i++) {
            const ms_stack *s = &d->u.stacks[i];
            if (s->id >= v->cap) {
                size_t cap = (s->id + 1) * 2;
                v->depth = realloc(v->depth, cap * sizeof *v->depth);
                v->frames = realloc(v->frames, cap * sizeof *v->frames);
                memset(v->depth + v->cap, 0, (cap - v->cap) * sizeof *v->depth);
                memset(v->frames + v->cap, 0, (cap - v->cap) * sizeof *v->frames);
                v->cap = cap;
            }
            v->depth[s->id] = s->depth;
            v->frames[s->id] = malloc(s->depth * sizeof(uint64_t) + 1);
            memcpy(v->frames[s->id], s->frames, s->depth * sizeof(uint64_t));
        }
    } else if (d->type == MS_CHUNK_EVENTS) {
        v->ev = realloc(v->ev, (v->n_ev + d->count) * sizeof *v->ev);
        memcpy(v->ev + v->n_ev, d->u.events, d->count * sizeof *v->ev);
        v->n_ev += d->count;
    }
    ms_decoded_free(d);
    return 0;
}

static int by_time(const void *a, const void *b) {
    const ms_event *x = a, *y = b;
    return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

static void test_every_event_has_its_own_stack(void **state) {
    (void)state;
    char dir[256], out[512], opts[600];
    assert_int_equal(rt_test_mkdtemp(dir, sizeof dir, "rt_stackpred_"), 0);
    snprintf(out, sizeof out, "%s/pred.ms", dir);
    snprintf(opts, sizeof opts, "output=%s", out);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("MEMSCOPE_OPTIONS", opts, 1);
        execl(RT_PROG_PRED, RT_PROG_PRED, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    ms_reader *r = NULL;
    assert_int_equal(ms_reader_open(out, &r), MS_OK);
    trace_view v = {0};
    assert_int_equal(ms_reader_load_type(r, MS_CHUNK_STACKS, 1, on_chunk, &v), MS_OK);
    assert_int_equal(ms_reader_load_type(r, MS_CHUNK_EVENTS, 1, on_chunk, &v), MS_OK);
    ms_reader_close(r);
    qsort(v.ev, v.n_ev, sizeof *v.ev, by_time);

    uint32_t ref[DEPTHS] = {0};
    size_t checked = 0, per_depth[DEPTHS] = {0};
    for (size_t i = 0; i < v.n_ev; i++) {
        const ms_event *e = &v.ev[i];
        if (e->kind != MS_EV_ALLOC || e->size < 3001 || e->size >= 3001 + 2 * DEPTHS ||
            e->size % 2 == 0)
            continue;
        unsigned d = (unsigned)(e->size - 3001) / 2;
        assert_true(e->stack != 0 && e->stack < v.cap && v.frames[e->stack] != NULL);
        if (!ref[d]) {
            ref[d] = e->stack;
            continue;
        }
        uint32_t a = ref[d], b = e->stack;
        if (a != b && (v.depth[a] != v.depth[b] ||
                       memcmp(v.frames[a], v.frames[b], v.depth[a] * sizeof(uint64_t)) != 0))
            fail_msg("event %zu (depth %u): stack %u (%u frames), want the frames of stack %u "
                     "(%u frames)",
                     i, d, b, v.depth[b], a, v.depth[a]);
        checked++;
        per_depth[d]++;
    }
    /* 3 + 2 + 1 passes on the main thread, 2 x 2 on the racers */
    assert_int_equal(checked + DEPTHS, (size_t)NCTX * 10);
    for (unsigned d = 0; d < DEPTHS; d++)
        assert_true(per_depth[d] > 0);
    /* the depths really differ: a wrong id would be seen */
    for (unsigned d = 1; d < DEPTHS; d++)
        assert_true(v.depth[ref[d]] == v.depth[ref[0]] + d);

    for (size_t i = 0; i < v.cap; i++)
        free(v.frames[i]);
    free(v.frames);
    free(v.depth);
    free(v.ev);
    rt_test_rmtree(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_has_its_own_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
