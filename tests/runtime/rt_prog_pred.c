/*
 * rt_prog_pred.c - scenario program of test_rt_stackpred_e2e: allocations
 * under 70,000 distinct calling contexts (more than the per-thread cache's
 * 64 Ki entries), set by hand in __memscope_ctx as the pass would, in
 * repeating, strided and changing orders, then from two threads at once in
 * opposite orders. Context v allocates through a recursion of depth v % 7
 * and asks for 3001 + 2 * depth bytes (a size nothing else asks for), so a
 * stack id that belonged to another context shows up as a stack of the wrong
 * depth. Linked like rt_prog (the static runtime, no pass).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "memscope_abi.h"

extern __thread uint64_t __memscope_ctx;

#define NCTX 70000u

/* Never inlined, never tail calls: every level keeps a frame. */
__attribute__((noinline)) static void *leaf(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noinline)) static void *down(unsigned d, size_t n) {
    void *p = d == 0 ? leaf(n) : down(d - 1, n);
    __asm__ volatile("" ::: "memory");
    return p;
}

static uint64_t ctx_of(unsigned v) { return 0x100000000ull + (uint64_t)v * 7919u; }

static void one(unsigned v) {
    unsigned d = v % 7u;
    __memscope_ctx = ctx_of(v);
    void *p = down(d, 3001 + 2 * d);
    __memscope_ctx = ctx_of(v) + 1; /* the free in a context of its own */
    free(p);
}

static void *racer(void *arg) {
    int reverse = arg != NULL;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < NCTX; i++)
            one(reverse ? NCTX - 1 - i : i);
    __memscope_ctx = 0;
    return NULL;
}

__attribute__((constructor)) static void start(void) { __memscope_init_v1(NULL, NULL); }

int main(void) {
    /* repeating: first sights, then predicted passes */
    for (int pass = 0; pass < 3; pass++)
        for (unsigned i = 0; i < NCTX; i++)
            one(i);
    /* strided: every successor changes, then is learnt */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < NCTX; i++)
            one((unsigned)(((uint64_t)i * 7u) % NCTX));
    /* alternating between two orders: successors keep changing */
    for (unsigned i = 0; i < NCTX; i++)
        one(i % 2 ? i : NCTX - 1 - i);
    /* two threads racing on the same contexts in opposite orders */
    pthread_t a, b;
    if (pthread_create(&a, NULL, racer, NULL) || pthread_create(&b, NULL, racer, (void *)1))
        return 1;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    __memscope_ctx = 0;
    return 0;
}
