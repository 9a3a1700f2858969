/*
 * item_pool.c - a custom pool allocator made visible with memscope.h.
 *
 * The pool carves struct item slots (24 bytes each) out of one malloc'ed
 * arena, so the pass sees a single allocation; pool_get() and pool_put()
 * annotate each slot with memscope_alloc() / memscope_free(), the arena is
 * named "item pool" with memscope_name(), and main marks two phases with
 * memscope_phase(): "fill" (ITEMS pool_get calls) and "drain" (ITEMS pool_put
 * calls). The arena stays allocated until exit, held by the global `pool`:
 * still reachable, not a leak.
 *
 * Expected: 1 malloc of POOL_SLOTS * 24 bytes (`pool.arena`), ITEMS custom
 * allocations of 24 bytes and ITEMS custom frees, phases "fill" then
 * "drain", the arena reachable at exit with the name "item pool", no error.
 * Built without memscope-cc (no __MEMSCOPE__), the annotations compile away.
 */
#include <stdio.h>
#include <stdlib.h>
#ifdef __MEMSCOPE__
#include <memscope.h>
#else /* a native build: the annotations compile away */
#define memscope_alloc(p, size) ((void)(p), (void)(size))
#define memscope_free(p) ((void)(p))
#define memscope_name(p, name) ((void)(p), (void)(name))
#define memscope_phase(name) ((void)(name))
#endif

#define POOL_SLOTS 64
#define ITEMS 40

struct item {
    long key;
    double value;
    struct item *next_free;
};

static struct {
    struct item *arena;
    struct item *free_list;
} pool;

static int pool_init(void) {
    pool.arena = malloc(POOL_SLOTS * sizeof(struct item));
    if (!pool.arena)
        return -1;
    memscope_name(pool.arena, "item pool");
    for (int i = POOL_SLOTS - 1; i >= 0; i--) {
        pool.arena[i].next_free = pool.free_list;
        pool.free_list = &pool.arena[i];
    }
    return 0;
}

static struct item *pool_get(void) {
    struct item *it = pool.free_list;
    if (!it)
        return NULL;
    pool.free_list = it->next_free;
    memscope_alloc(it, sizeof *it);
    return it;
}

static void pool_put(struct item *it) {
    memscope_free(it);
    it->next_free = pool.free_list;
    pool.free_list = it;
}

int main(void) {
    struct item *held[ITEMS];
    if (pool_init() != 0)
        return 1;
    memscope_phase("fill");
    for (int i = 0; i < ITEMS; i++) {
        held[i] = pool_get();
        held[i]->key = i;
        held[i]->value = i * 1.5;
    }
    double sum = 0;
    for (int i = 0; i < ITEMS; i++)
        sum += held[i]->value;
    memscope_phase("drain");
    for (int i = ITEMS - 1; i >= 0; i--)
        pool_put(held[i]);
    printf("item_pool: %.1f\n", sum);
    return 0;
}
