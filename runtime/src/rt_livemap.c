/*
 * rt_livemap.c - live-block hash map in mmap'ed memory. See rt_livemap.h.
 */
#define _GNU_SOURCE
#include "rt_livemap.h"

#include <string.h>
#include <sys/mman.h>

#define LM_INITIAL_BITS 12u   /* 4096 slots, 128 KiB */
/* Grow when more than 3/4 full: linear probing stays short below that. */
#define LM_MAX_LOAD_NUM 3u
#define LM_MAX_LOAD_DEN 4u

struct rt_livemap {
    rt_live_entry *slots;   /* addr == 0 marks an empty slot */
    size_t cap;             /* power of two */
    unsigned bits;
    size_t count;           /* live entries */
    size_t n_freed;         /* freed entries (tombstones) */
    uint64_t bytes;         /* sum of the live entries' sizes */
};

static void *map_zeroed(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Fibonacci hashing of the address without its alignment bits. */
static size_t slot_of(uint64_t addr, unsigned bits)
{
    return (size_t)(((addr >> 4) * 0x9E3779B97F4A7C15ull) >> (64u - bits));
}

rt_livemap *rt_livemap_create(void)
{
    rt_livemap *m = map_zeroed(sizeof *m);
    if (m == NULL)
        return NULL;
    m->bits = LM_INITIAL_BITS;
    m->cap = (size_t)1 << m->bits;
    m->slots = map_zeroed(m->cap * sizeof(rt_live_entry));
    if (m->slots == NULL) {
        munmap(m, sizeof *m);
        return NULL;
    }
    return m;
}

void rt_livemap_destroy(rt_livemap *m)
{
    if (m == NULL)
        return;
    munmap(m->slots, m->cap * sizeof(rt_live_entry));
    munmap(m, sizeof *m);
}

void rt_livemap_prefetch(const rt_livemap *m, uint64_t addr)
{
    if (m != NULL && addr != 0)
        __builtin_prefetch(&m->slots[slot_of(addr, m->bits)], 1);
}

/* Index of @addr's slot, or of the empty slot where it would go. */
static size_t find_slot(const rt_livemap *m, uint64_t addr)
{
    size_t mask = m->cap - 1;
    size_t i = slot_of(addr, m->bits);
    while (m->slots[i].addr != 0 && m->slots[i].addr != addr)
        i = (i + 1) & mask;
    return i;
}

static int grow(rt_livemap *m)
{
    unsigned bits = m->bits + 1;
    size_t cap = (size_t)1 << bits;
    rt_live_entry *slots = map_zeroed(cap * sizeof(rt_live_entry));
    if (slots == NULL)
        return -1;
    for (size_t j = 0; j < m->cap; j++) {
        const rt_live_entry *e = &m->slots[j];
        if (e->addr == 0)
            continue;
        size_t i = slot_of(e->addr, bits);
        while (slots[i].addr != 0)
            i = (i + 1) & (cap - 1);
        slots[i] = *e;
    }
    munmap(m->slots, m->cap * sizeof(rt_live_entry));
    m->slots = slots;
    m->cap = cap;
    m->bits = bits;
    return 0;
}

/* The slot of @addr, made present (zeroed, neither live nor freed yet:
 * the caller fills it) when it was absent; *@was says which (1 present).
 * NULL when the map could not grow. */
static rt_live_entry *slot_for(rt_livemap *m, uint64_t addr, int *was)
{
    size_t i = find_slot(m, addr);
    if (m->slots[i].addr == addr) {
        *was = 1;
        return &m->slots[i];
    }
    *was = 0;
    if ((m->count + m->n_freed + 1) * LM_MAX_LOAD_DEN > m->cap * LM_MAX_LOAD_NUM) {
        if (grow(m) != 0)
            return NULL;
        i = find_slot(m, addr);
    }
    return &m->slots[i];
}

/* Make *@e (present or fresh) the live block given. */
static void set_live(rt_livemap *m, rt_live_entry *e, int was, uint64_t addr, uint64_t size,
                     uint64_t site, uint32_t stack, uint64_t time)
{
    if (was && !e->freed)
        m->bytes -= e->size;
    else if (was)
        m->n_freed--;
    if (!was || e->freed)
        m->count++;
    e->addr = addr;
    e->size = size;
    e->site = site;
    e->stack = stack;
    e->time = time;
    e->freed = 0;
    m->bytes += size;
}

int rt_livemap_insert(rt_livemap *m, uint64_t addr, uint64_t size,
                      uint64_t site, uint32_t stack)
{
    if (m == NULL || addr == 0)
        return -1;
    int was;
    rt_live_entry *e = slot_for(m, addr, &was);
    if (e == NULL)
        return -1;
    int fresh = !was || e->freed;
    set_live(m, e, was, addr, size, site, stack, 0);
    return fresh ? 1 : 0;
}

int rt_livemap_apply_alloc(rt_livemap *m, uint64_t addr, uint64_t size,
                           uint64_t site, uint32_t stack, uint64_t time)
{
    if (m == NULL || addr == 0)
        return -1;
    int was;
    rt_live_entry *e = slot_for(m, addr, &was);
    if (e == NULL)
        return -1;
    if (was && e->time > time)
        return 0; /* stale: a later free or reuse of the address is applied */
    set_live(m, e, was, addr, size, site, stack, time);
    return 1;
}

int rt_livemap_apply_free(rt_livemap *m, uint64_t addr, uint64_t time,
                          uint64_t *size_out)
{
    if (m == NULL || addr == 0)
        return -1;
    int was;
    rt_live_entry *e = slot_for(m, addr, &was);
    if (e == NULL)
        return -1;
    if (was && e->time > time)
        return 0; /* stale */
    int freed_live = was && !e->freed;
    if (freed_live) {
        if (size_out != NULL)
            *size_out = e->size;
        m->bytes -= e->size;
        m->count--;
        m->n_freed++;
    } else if (!was) {
        m->n_freed++;
    }
    e->addr = addr;
    e->size = 0;
    e->site = 0;
    e->stack = 0;
    e->time = time;
    e->freed = 1;
    return freed_live;
}

/* Delete slot @i (present) from the table. */
static void delete_slot(rt_livemap *m, size_t i)
{
    size_t mask = m->cap - 1;
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole when their home slot does not lie (cyclically) in (hole, j]. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].addr != 0; j = (j + 1) & mask) {
        size_t home = slot_of(m->slots[j].addr, m->bits);
        int movable = hole <= j ? (home <= hole || home > j)
                                : (home <= hole && home > j);
        if (movable) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    memset(&m->slots[hole], 0, sizeof m->slots[hole]);
}

int rt_livemap_remove(rt_livemap *m, uint64_t addr, uint64_t *size_out)
{
    if (m == NULL || addr == 0)
        return 0;
    size_t i = find_slot(m, addr);
    if (m->slots[i].addr != addr)
        return 0;
    if (m->slots[i].freed) {
        m->n_freed--;
        delete_slot(m, i);
        return 0;
    }
    if (size_out != NULL)
        *size_out = m->slots[i].size;
    m->bytes -= m->slots[i].size;
    m->count--;
    delete_slot(m, i);
    return 1;
}

size_t rt_livemap_purge(rt_livemap *m, uint64_t before)
{
    if (m == NULL || m->n_freed == 0)
        return 0;
    size_t dropped = 0;
    /* Backward-shift deletion only moves entries into the hole at or after
     * slot j, so re-examining slot j after a deletion visits every entry. */
    size_t j = 0;
    while (j < m->cap) {
        const rt_live_entry *e = &m->slots[j];
        if (e->addr != 0 && e->freed && e->time < before) {
            m->n_freed--;
            delete_slot(m, j);
            dropped++;
            continue;
        }
        j++;
    }
    return dropped;
}

size_t rt_livemap_freed(const rt_livemap *m)
{
    return m == NULL ? 0 : m->n_freed;
}

int rt_livemap_get(const rt_livemap *m, uint64_t addr, rt_live_entry *out)
{
    if (m == NULL || addr == 0)
        return 0;
    size_t i = find_slot(m, addr);
    if (m->slots[i].addr != addr || m->slots[i].freed)
        return 0;
    if (out != NULL)
        *out = m->slots[i];
    return 1;
}

size_t rt_livemap_count(const rt_livemap *m)
{
    return m == NULL ? 0 : m->count;
}

uint64_t rt_livemap_bytes(const rt_livemap *m)
{
    return m == NULL ? 0 : m->bytes;
}

void rt_livemap_foreach(const rt_livemap *m,
                        void (*cb)(void *u, uint64_t addr, uint64_t size),
                        void *u)
{
    if (m == NULL || cb == NULL)
        return;
    for (size_t j = 0; j < m->cap; j++)
        if (m->slots[j].addr != 0 && !m->slots[j].freed)
            cb(u, m->slots[j].addr, m->slots[j].size);
}

void rt_livemap_foreach_entry(const rt_livemap *m,
                              void (*cb)(void *u, const rt_live_entry *e),
                              void *u)
{
    if (m == NULL || cb == NULL)
        return;
    for (size_t j = 0; j < m->cap; j++)
        if (m->slots[j].addr != 0 && !m->slots[j].freed)
            cb(u, &m->slots[j]);
}

void rt_livemap_clear(rt_livemap *m)
{
    if (m == NULL)
        return;
    memset(m->slots, 0, m->cap * sizeof(rt_live_entry));
    m->count = 0;
    m->n_freed = 0;
    m->bytes = 0;
}
