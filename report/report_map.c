/*
 * report_map.c - the u64 -> u32 hash map and growable arrays the model uses.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so a map whose keys come and go (live blocks) never degrades.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static inline size_t slot_of(const rp_map *m, uint64_t key) {
    return (size_t)(rp_hash64(key) & (m->cap - 1));
}

uint32_t rp_map_get(const rp_map *m, uint64_t key) {
    if (!m->cap)
        return RP_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(m, key);; i = (i + 1) & mask) {
        uint64_t k = m->e[i].key;
        if (k == key)
            return m->e[i].val;
        if (k == 0)
            return RP_NONE;
    }
}

static int rehash(rp_map *m, size_t ncap) {
    rp_map_entry *ne = calloc(ncap, sizeof *ne);
    if (!ne)
        return -1;
    rp_map n = {ne, ncap, 0};
    size_t mask = ncap - 1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->e[i].key)
            continue;
        size_t j = slot_of(&n, m->e[i].key);
        while (ne[j].key)
            j = (j + 1) & mask;
        ne[j] = m->e[i];
    }
    n.count = m->count;
    free(m->e);
    *m = n;
    return 0;
}

int rp_map_put(rp_map *m, uint64_t key, uint32_t val) {
    if ((m->count + 1) * 2 > m->cap) {   /* load factor <= 0.5: short probe runs */
        if (rehash(m, m->cap ? m->cap * 2 : 64))
            return -1;
    }
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(m, key);; i = (i + 1) & mask) {
        if (m->e[i].key == key) {
            m->e[i].val = val;
            return 0;
        }
        if (m->e[i].key == 0) {
            m->e[i].key = key;
            m->e[i].val = val;
            m->count++;
            return 0;
        }
    }
}

rp_map_entry *rp_map_slot(rp_map *m, uint64_t key, int *found) {
    if ((m->count + 1) * 2 > m->cap) {
        if (rehash(m, m->cap ? m->cap * 2 : 64))
            return NULL;
    }
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(m, key);; i = (i + 1) & mask) {
        if (m->e[i].key == key) {
            *found = 1;
            return &m->e[i];
        }
        if (m->e[i].key == 0) {
            m->e[i].key = key;
            m->e[i].val = RP_NONE;
            m->count++;
            *found = 0;
            return &m->e[i];
        }
    }
}

int rp_map_del(rp_map *m, uint64_t key) {
    if (!m->cap)
        return 0;
    size_t mask = m->cap - 1;
    size_t i = slot_of(m, key);
    for (;; i = (i + 1) & mask) {
        if (m->e[i].key == key)
            break;
        if (m->e[i].key == 0)
            return 0;
    }
    /* backward-shift: move later members of the probe run into the hole */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
        size_t home = slot_of(m, m->e[j].key);
        /* j may move to hole when home is not in (hole, j] cyclically */
        int move = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
        if (move) {
            m->e[hole] = m->e[j];
            hole = j;
        }
    }
    m->e[hole].key = 0;
    m->count--;
    return 1;
}

void rp_map_free(rp_map *m) {
    free(m->e);
    memset(m, 0, sizeof *m);
}

int rp_grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}
