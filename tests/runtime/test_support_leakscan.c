/*
 * test_support_leakscan.c - the exit-time reachability scan
 * (runtime/src/rt_leakscan.c) on constructed heaps.
 *
 * Blocks are carved out of a private mmap'ed arena (not malloc), so the only
 * pointers to them are the ones each scenario writes: into g_roots (this
 * executable's .bss, a root), into other blocks, or into a stack array the
 * test passes as an extra root. The arena's own base address (kept in a
 * local) is never a block address: blocks start one page in.
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

#include <cmocka.h>

#include "rt_leakscan.h"
#include "rt_livemap.h"

#define ARENA_SIZE (1u << 20)

static volatile uintptr_t g_roots[8];

struct heap {
    char *arena;
    rt_livemap *live;
    ms_leak out[64];
    size_t n;
};

static void heap_open(struct heap *h)
{
    memset(h, 0, sizeof *h);
    h->arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(h->arena != MAP_FAILED);
    h->live = rt_livemap_create();
    assert_non_null(h->live);
    for (size_t i = 0; i < 8; i++)
        g_roots[i] = 0;
}

static void heap_close(struct heap *h)
{
    for (size_t i = 0; i < 8; i++)
        g_roots[i] = 0;
    rt_livemap_destroy(h->live);
    munmap(h->arena, ARENA_SIZE);
}

/* A block of @size bytes at page offset @off of the arena, registered live. */
static uintptr_t *blk(struct heap *h, size_t off, size_t size)
{
    char *p = h->arena + 4096 + off;
    assert_int_equal(rt_livemap_insert(h->live, (uint64_t)(uintptr_t)p, size, 0, 0), 1);
    return (uintptr_t *)(void *)p;
}

static void scan(struct heap *h, const rt_range *extra, size_t n_extra)
{
    h->n = rt_leakscan(h->live, extra, n_extra, h->out, 64);
    assert_int_equal(h->n, rt_livemap_count(h->live));
    for (size_t i = 1; i < h->n; i++)
        assert_true(h->out[i - 1].addr < h->out[i].addr); /* address order */
}

static int kind_of(const struct heap *h, const void *p)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->out[i].addr == (uint64_t)(uintptr_t)p)
            return (int)h->out[i].kind;
    return -1;
}

static void test_global_root(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *a = blk(&h, 0, 64);
    uintptr_t *b = blk(&h, 128, 64);      /* owned by a */
    uintptr_t *c = blk(&h, 256, 32);      /* nobody points to it */
    a[3] = (uintptr_t)b;
    g_roots[2] = (uintptr_t)a;
    scan(&h, NULL, 0);
    assert_int_equal(h.n, 3);
    assert_int_equal(kind_of(&h, a), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, b), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, c), MS_LEAK_DEFINITE);
    assert_int_equal(h.out[2].size, 32);
    /* Dropping the global makes a definite and b indirect. */
    g_roots[2] = 0;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, a), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, b), MS_LEAK_INDIRECT);
    heap_close(&h);
}

/* A list whose head pointer was dropped: head definite, rest indirect.
 * The head sits at the highest address, so the nodes are visited first and
 * must still end up indirect. */
static void test_dropped_list(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *n3 = blk(&h, 0, 48);
    uintptr_t *n1 = blk(&h, 64, 48);
    uintptr_t *n2 = blk(&h, 128, 48);
    uintptr_t *head = blk(&h, 4096, 48);
    head[0] = (uintptr_t)n1;
    n1[0] = (uintptr_t)n2;
    n2[0] = (uintptr_t)n3;
    n3[0] = 0;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, head), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, n1), MS_LEAK_INDIRECT);
    assert_int_equal(kind_of(&h, n2), MS_LEAK_INDIRECT);
    assert_int_equal(kind_of(&h, n3), MS_LEAK_INDIRECT);
    /* Kept in a global, the whole list is reachable. */
    g_roots[0] = (uintptr_t)head;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, head), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, n3), MS_LEAK_REACHABLE);
    heap_close(&h);
}

/* Only an interior pointer: possible; and what it owns: possible too. */
static void test_interior_pointer(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *c = blk(&h, 0, 64);
    uintptr_t *d = blk(&h, 128, 64);
    uintptr_t *e = blk(&h, 256, 64);
    c[0] = (uintptr_t)d;
    g_roots[1] = (uintptr_t)c + 24;
    g_roots[3] = (uintptr_t)e + 63;      /* last byte: still interior */
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, c), MS_LEAK_POSSIBLE);
    assert_int_equal(kind_of(&h, d), MS_LEAK_POSSIBLE);
    assert_int_equal(kind_of(&h, e), MS_LEAK_POSSIBLE);
    /* One past the end is not a pointer into the block. */
    g_roots[3] = (uintptr_t)e + 64;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, e), MS_LEAK_DEFINITE);
    /* A start pointer beats an interior one. */
    g_roots[4] = (uintptr_t)c;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, c), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, d), MS_LEAK_REACHABLE);
    heap_close(&h);
}

/* Referenced only from a stack range passed as an extra root. */
static void test_stack_extra_root(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *e = blk(&h, 512, 100);
    volatile uintptr_t frame[6] = {0, 0, 0, 0, 0, 0};
    frame[3] = (uintptr_t)e;
    rt_range extra[2] = {
        {(uintptr_t)&frame[0], (uintptr_t)&frame[6]},
        {0, 0}, /* empty range: ignored */
    };
    scan(&h, extra, 2);
    assert_int_equal(kind_of(&h, e), MS_LEAK_REACHABLE);
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, e), MS_LEAK_DEFINITE);
    frame[3] = 0;
    heap_close(&h);
}

/* A cycle with nothing else pointing in: one definite, one indirect. */
static void test_cycle(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *x = blk(&h, 0, 32);
    uintptr_t *y = blk(&h, 64, 32);
    uintptr_t *self = blk(&h, 128, 32);
    x[1] = (uintptr_t)y;
    y[1] = (uintptr_t)x;
    self[0] = (uintptr_t)self;          /* points to itself only */
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, x), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, y), MS_LEAK_INDIRECT);
    assert_int_equal(kind_of(&h, self), MS_LEAK_DEFINITE);
    heap_close(&h);
}

/* Unreadable memory: a live block on a PROT_NONE page, an extra root that
 * is unmapped, a root range straddling readable and unreadable pages. None
 * may crash; what can be read is still used. */
static void test_unreadable(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *guarded = blk(&h, 8192, 64);      /* page 3 of the arena */
    uintptr_t *owned = blk(&h, 0, 64);           /* only guarded points to it */
    uintptr_t *via_root = blk(&h, 128, 64);
    guarded[0] = (uintptr_t)owned;
    assert_int_equal(mprotect(h.arena + 4096 + 8192, 4096, PROT_NONE), 0);
    g_roots[5] = (uintptr_t)guarded;

    /* Reserved but unreadable (kept mapped so no later mmap reuses it). */
    char *gone = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(gone != MAP_FAILED);
    /* A readable page holding a pointer, followed by the PROT_NONE page. */
    uintptr_t *edge = (uintptr_t *)(void *)(h.arena + 4096 + 8192 - 8);
    *edge = (uintptr_t)via_root;
    rt_range extra[3] = {
        {(uintptr_t)gone, (uintptr_t)gone + 8192},
        {(uintptr_t)edge, (uintptr_t)edge + 4096 + 8},
        {0x1000, 0x3000}, /* never mapped */
    };
    scan(&h, extra, 3);
    assert_int_equal(kind_of(&h, guarded), MS_LEAK_REACHABLE);
    /* guarded's contents could not be read: owned is not found through it */
    assert_int_equal(kind_of(&h, owned), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, via_root), MS_LEAK_REACHABLE);

    /* A stale block whose memory cannot be read at all. */
    assert_int_equal(rt_livemap_insert(h.live, (uint64_t)(uintptr_t)gone, 4096, 0, 0), 1);
    g_roots[6] = (uintptr_t)gone;
    h.n = rt_leakscan(h.live, NULL, 0, h.out, 64);
    assert_int_equal(h.n, 4);
    assert_int_equal(kind_of(&h, gone), MS_LEAK_REACHABLE);
    *edge = 0;
    munmap(gone, 8192);
    heap_close(&h);
}

/* Zero-size blocks match only their exact address; the glibc next-chunk
 * header heuristic; output capacity. */
static void test_edges(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *z = blk(&h, 0, 0);
    uintptr_t *z2 = blk(&h, 64, 0);
    g_roots[0] = (uintptr_t)z;
    g_roots[1] = (uintptr_t)z2 + 1;
    /* A fake glibc chunk: size field 0x21 (32 bytes, PREV_INUSE) before the
     * block; root pointing at the next chunk header = block + 16. */
    uintptr_t *g = blk(&h, 256, 24);
    g[-1] = 0x21;
    g_roots[2] = (uintptr_t)g + 16;
    uintptr_t *g2 = blk(&h, 512, 24);
    g2[-1] = 0x21;
    g_roots[3] = (uintptr_t)g2 + 8;      /* a real interior pointer */
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, z), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, z2), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, g), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, g2), MS_LEAK_POSSIBLE);

    ms_leak two[2];
    assert_int_equal(rt_leakscan(h.live, NULL, 0, two, 2), 2);
    assert_int_equal(two[0].addr, (uint64_t)(uintptr_t)z);
    assert_int_equal(two[1].addr, (uint64_t)(uintptr_t)z2);
    assert_int_equal(rt_leakscan(h.live, NULL, 0, two, 0), 0);
    assert_int_equal(rt_leakscan(NULL, NULL, 0, two, 2), 0);
    heap_close(&h);
}

/* A pool (one big block) with sub-blocks recorded inside it. */
static void test_nested_blocks(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *pool = blk(&h, 0, 4096);
    uintptr_t *s1 = blk(&h, 64, 64);
    uintptr_t *s2 = blk(&h, 256, 64);
    uintptr_t *s3 = blk(&h, 512, 64);
    pool[0] = (uintptr_t)s1;             /* the pool's free list */
    g_roots[0] = (uintptr_t)pool + 200;  /* in the pool, between s1 and s2 */
    g_roots[1] = (uintptr_t)s2 + 8;      /* inside s2 (and the pool) */
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, pool), MS_LEAK_POSSIBLE);
    assert_int_equal(kind_of(&h, s1), MS_LEAK_POSSIBLE);
    assert_int_equal(kind_of(&h, s2), MS_LEAK_POSSIBLE);
    /* lying inside a block is not being pointed to */
    assert_int_equal(kind_of(&h, s3), MS_LEAK_DEFINITE);
    g_roots[0] = (uintptr_t)pool;
    g_roots[1] = (uintptr_t)s3;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, pool), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, s1), MS_LEAK_REACHABLE);
    assert_int_equal(kind_of(&h, s2), MS_LEAK_DEFINITE);
    assert_int_equal(kind_of(&h, s3), MS_LEAK_REACHABLE);
    heap_close(&h);
}

/* The calling thread's TLS is a root; another thread's is not (its stack
 * range, TLS included, is the caller's to pass). */
static __thread volatile uintptr_t t_held; /* volatile: stores must happen */

struct tls_job {
    struct heap *h;
    uintptr_t *b;
    int kind_here;
};

static void *tls_thread(void *arg)
{
    struct tls_job *j = arg;
    t_held = (uintptr_t)j->b;
    ms_leak out[4];
    size_t n = rt_leakscan(j->h->live, NULL, 0, out, 4);
    j->kind_here = n == 1 ? (int)out[0].kind : -1;
    t_held = 0;
    return NULL;
}

static void test_tls_root(void **state)
{
    (void)state;
    struct heap h;
    heap_open(&h);
    uintptr_t *b = blk(&h, 0, 40);
    t_held = (uintptr_t)b;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, b), MS_LEAK_REACHABLE);
    t_held = 0;
    scan(&h, NULL, 0);
    assert_int_equal(kind_of(&h, b), MS_LEAK_DEFINITE);
    struct tls_job j = {&h, b, -2};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, tls_thread, &j), 0);
    pthread_join(t, NULL);
    assert_int_equal(j.kind_here, MS_LEAK_REACHABLE);
    heap_close(&h);
}

/* Real glibc blocks, leaked between freed neighbours: glibc's own bins and
 * top pointer hold the addresses of the free chunks' headers, which lie
 * inside the last 8 bytes of a 24-byte block. They must not make the
 * leaked blocks "possible". */
static void test_real_glibc_neighbours(void **state)
{
    (void)state;
    enum { N = 600 };
    void **ptrs = malloc(N * sizeof *ptrs); /* heap, not live-mapped: not scanned */
    assert_non_null(ptrs);
    for (size_t i = 0; i < N; i++) {
        ptrs[i] = malloc(24);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], 0, 24);
    }
    rt_livemap *live = rt_livemap_create();
    for (size_t i = 0; i < N; i += 2) {
        free(ptrs[i + 1]);
        assert_int_equal(rt_livemap_insert(live, (uint64_t)(uintptr_t)ptrs[i], 24, 0, 0), 1);
    }
    ms_leak out[N / 2];
    assert_int_equal(rt_leakscan(live, NULL, 0, out, N / 2), N / 2);
    size_t definite = 0;
    for (size_t i = 0; i < N / 2; i++)
        definite += out[i].kind == MS_LEAK_DEFINITE;
    assert_int_equal(definite, N / 2);
    for (size_t i = 0; i < N; i += 2)
        free(ptrs[i]);
    free(ptrs);
    rt_livemap_destroy(live);
}

/* Many blocks: a reachable binary tree and a lost one, counted exactly. */
static void test_many_blocks(void **state)
{
    (void)state;
    enum { NODES = 2047 }; /* per tree */
    size_t len = (size_t)NODES * 2 * 32;
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    rt_livemap *live = rt_livemap_create();
    for (size_t t = 0; t < 2; t++) {
        uintptr_t *base = (uintptr_t *)(void *)(mem + t * NODES * 32);
        for (size_t i = 0; i < NODES; i++) {
            uintptr_t *node = base + i * 4;
            node[0] = 2 * i + 1 < NODES ? (uintptr_t)(base + (2 * i + 1) * 4) : 0;
            node[1] = 2 * i + 2 < NODES ? (uintptr_t)(base + (2 * i + 2) * 4) : 0;
            rt_livemap_insert(live, (uint64_t)(uintptr_t)node, 32, 0, 0);
        }
    }
    g_roots[7] = (uintptr_t)mem; /* root of tree 0 (also the mapping start) */
    static ms_leak out[2 * NODES];
    size_t n = rt_leakscan(live, NULL, 0, out, 2 * NODES);
    assert_int_equal(n, 2 * NODES);
    size_t counts[4] = {0};
    for (size_t i = 0; i < n; i++)
        counts[out[i].kind]++;
    assert_int_equal(counts[MS_LEAK_REACHABLE], NODES);
    assert_int_equal(counts[MS_LEAK_DEFINITE], 1);
    assert_int_equal(counts[MS_LEAK_INDIRECT], NODES - 1);
    assert_int_equal(counts[MS_LEAK_POSSIBLE], 0);
    assert_int_equal(out[NODES].kind, MS_LEAK_DEFINITE); /* tree 1's root */
    g_roots[7] = 0;
    rt_livemap_destroy(live);
    munmap(mem, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_root),
        cmocka_unit_test(test_dropped_list),
        cmocka_unit_test(test_interior_pointer),
        cmocka_unit_test(test_stack_extra_root),
        cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_nested_blocks),
        cmocka_unit_test(test_tls_root),
        cmocka_unit_test(test_real_glibc_neighbours),
        cmocka_unit_test(test_many_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
