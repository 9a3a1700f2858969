/*
 * rt_livemap.c - live-block hash map in mmap'ed memory. See rt_livemap.h.
 *
 * Layout: open addressing with linear probing over 32-byte slots (two per
 * cache line, never straddling one). A slot keeps the site as a 32-bit
 * index into a per-map site table (sites are few: the program's call
 * sites), so address, size, time, site and stack fit in 32 bytes; the
 * index LM_FREED marks a freed entry (a tombstone of the time-ordered
 * application). Every probe of a large map is a cache (and TLB) miss: the
 * writer hides it with rt_livemap_prefetch a few events ahead, and the
 * instructions around it are kept few (no calls on the apply paths but the
 * rare growth and site-table misses).
 */
#define _GNU_SOURCE
#include "rt_livemap.h"

#include <string.h>
#include <sys/mman.h>

#define LM_INITIAL_BITS 12u   /* 4096 slots, 128 KiB */
/* Grow when more than 3/4 full. Freed entries count: a workload with many
 * distinct addresses keeps many of them (mixed: 436 K freed for 16 K live),
 * and lookups of absent addresses probe (1 + 1/(1-load)^2)/2 slots. 1/2
 * was tried: 0.50 extra probes per lookup on mixed instead of 1.47 and 7%
 * less writer CPU there, but the table then grew to 1 Mi slots on every run
 * (+20 MiB peak RSS, docs/perf/runtime-writer.md). */
#define LM_MAX_LOAD_NUM 3u
#define LM_MAX_LOAD_DEN 4u
#define LM_FREED 0xffffffffu  /* slot site index of a freed entry */
#define LM_SITE_MAX 0xfffffff0u
#define LM_SITE_CACHE 64u     /* direct-mapped site -> index cache */
#define LM_SITE_INITIAL 256u
#define LM_HUGE_MIN ((size_t)4 << 20) /* slot tables this large ask for huge pages */

typedef struct {
    uint64_t addr;   /* 0 = empty slot */
    uint64_t size;   /* 0 for a freed entry */
    uint64_t time;
    uint32_t site;   /* index into site_of (0 = none), or LM_FREED */
    uint32_t stack;
} lm_slot;

_Static_assert(sizeof(lm_slot) == 32, "two slots per cache line");

struct rt_livemap {
    lm_slot *slots;         /* addr == 0 marks an empty slot */
    size_t cap;             /* power of two */
    size_t mask;            /* cap - 1 */
    unsigned shift;         /* 64 - log2(cap) */
    size_t count;           /* live entries */
    size_t n_freed;         /* freed entries (tombstones) */
    size_t grow_at;         /* count + n_freed beyond which the map grows */
    uint64_t bytes;         /* sum of the live entries' sizes */
    /* site table: index -> site id, and site id -> index */
    uint64_t *site_of;      /* site_cap entries, [0] = 0 (no site) */
    uint32_t n_sites, site_cap;
    uint32_t *site_hash;    /* site_hash_cap indexes (0 = empty) */
    size_t site_hash_cap;
    struct {
        uint64_t site;
        uint32_t idx;
    } site_cache[LM_SITE_CACHE];
};

static void *map_zeroed(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* large tables: every probe is also a TLB miss with 4 KiB pages */
    if (len >= LM_HUGE_MIN)
        madvise(p, len, MADV_HUGEPAGE);
    return p;
}

/* Fibonacci hashing of the address without its alignment bits. */
static inline size_t slot_of(const rt_livemap *m, uint64_t addr)
{
    return (size_t)(((addr >> 4) * 0x9E3779B97F4A7C15ull) >> m->shift);
}

static void set_geometry(rt_livemap *m, lm_slot *slots, unsigned bits)
{
    m->slots = slots;
    m->cap = (size_t)1 << bits;
    m->mask = m->cap - 1;
    m->shift = 64u - bits;
    m->grow_at = m->cap / LM_MAX_LOAD_DEN * LM_MAX_LOAD_NUM;
}

rt_livemap *rt_livemap_create(void)
{
    rt_livemap *m = map_zeroed(sizeof *m);
    if (m == NULL)
        return NULL;
    lm_slot *slots = map_zeroed(((size_t)1 << LM_INITIAL_BITS) * sizeof(lm_slot));
    m->site_of = map_zeroed(LM_SITE_INITIAL * sizeof(uint64_t));
    m->site_hash = map_zeroed(2 * LM_SITE_INITIAL * sizeof(uint32_t));
    if (slots == NULL || m->site_of == NULL || m->site_hash == NULL) {
        if (slots != NULL)
            munmap(slots, ((size_t)1 << LM_INITIAL_BITS) * sizeof(lm_slot));
        if (m->site_of != NULL)
            munmap(m->site_of, LM_SITE_INITIAL * sizeof(uint64_t));
        if (m->site_hash != NULL)
            munmap(m->site_hash, 2 * LM_SITE_INITIAL * sizeof(uint32_t));
        munmap(m, sizeof *m);
        return NULL;
    }
    set_geometry(m, slots, LM_INITIAL_BITS);
    m->n_sites = 1; /* index 0: no site */
    m->site_cap = LM_SITE_INITIAL;
    m->site_hash_cap = 2 * LM_SITE_INITIAL;
    return m;
}

void rt_livemap_destroy(rt_livemap *m)
{
    if (m == NULL)
        return;
    munmap(m->slots, m->cap * sizeof(lm_slot));
    munmap(m->site_of, (size_t)m->site_cap * sizeof(uint64_t));
    munmap(m->site_hash, m->site_hash_cap * sizeof(uint32_t));
    munmap(m, sizeof *m);
}

/* ---- site table -------------------------------------------------------- */

static inline size_t site_hash_of(uint64_t site, size_t cap)
{
    return (size_t)((site * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static inline unsigned site_cache_of(uint64_t site)
{
    return (unsigned)((site >> 3) ^ (site >> 11)) & (LM_SITE_CACHE - 1);
}

/* Double both site arrays. @return 0, or -1 (mmap failed, nothing changed). */
static int grow_sites(rt_livemap *m)
{
    uint32_t cap = m->site_cap * 2;
    size_t hcap = m->site_hash_cap * 2;
    uint64_t *of = map_zeroed((size_t)cap * sizeof(uint64_t));
    uint32_t *h = map_zeroed(hcap * sizeof(uint32_t));
    if (of == NULL || h == NULL) {
        if (of != NULL)
            munmap(of, (size_t)cap * sizeof(uint64_t));
        if (h != NULL)
            munmap(h, hcap * sizeof(uint32_t));
        return -1;
    }
    memcpy(of, m->site_of, (size_t)m->n_sites * sizeof(uint64_t));
    for (uint32_t idx = 1; idx < m->n_sites; idx++) {
        size_t i = site_hash_of(of[idx], hcap);
        while (h[i] != 0)
            i = (i + 1) & (hcap - 1);
        h[i] = idx;
    }
    munmap(m->site_of, (size_t)m->site_cap * sizeof(uint64_t));
    munmap(m->site_hash, m->site_hash_cap * sizeof(uint32_t));
    m->site_of = of;
    m->site_hash = h;
    m->site_cap = cap;
    m->site_hash_cap = hcap;
    return 0;
}

/* The index of @site (not 0), interned when new. @return it, or 0 when the
 * table could not grow. */
static uint32_t site_index_slow(rt_livemap *m, uint64_t site)
{
    size_t i = site_hash_of(site, m->site_hash_cap);
    uint32_t idx;
    while ((idx = m->site_hash[i]) != 0 && m->site_of[idx] != site)
        i = (i + 1) & (m->site_hash_cap - 1);
    if (idx == 0) {
        if (m->n_sites >= LM_SITE_MAX)
            return 0;
        if (m->n_sites == m->site_cap) {
            if (grow_sites(m) != 0)
                return 0;
            i = site_hash_of(site, m->site_hash_cap);
            while (m->site_hash[i] != 0)
                i = (i + 1) & (m->site_hash_cap - 1);
        }
        idx = m->n_sites++;
        m->site_of[idx] = site;
        m->site_hash[i] = idx;
    }
    unsigned c = site_cache_of(site);
    m->site_cache[c].site = site;
    m->site_cache[c].idx = idx;
    return idx;
}

/* @return the index of @site: 0 for no site, LM_FREED when the table could
 * not grow. */
static inline uint32_t site_index(rt_livemap *m, uint64_t site)
{
    if (site == 0)
        return 0;
    unsigned c = site_cache_of(site);
    if (m->site_cache[c].site == site)
        return m->site_cache[c].idx;
    uint32_t idx = site_index_slow(m, site);
    return idx ? idx : LM_FREED;
}

/* ---- slots --------------------------------------------------------------- */

void rt_livemap_prefetch(const rt_livemap *m, uint64_t addr)
{
    if (m != NULL && addr != 0)
        __builtin_prefetch(&m->slots[slot_of(m, addr)], 1);
}

/* @addr's slot, or the empty slot where it would go. */
static inline lm_slot *find_slot(const rt_livemap *m, uint64_t addr)
{
    size_t i = slot_of(m, addr);
    lm_slot *s = &m->slots[i];
    while (s->addr != addr && s->addr != 0) {
        i = (i + 1) & m->mask;
        s = &m->slots[i];
    }
    return s;
}

static int grow(rt_livemap *m)
{
    unsigned bits = 64u - m->shift + 1u;
    size_t cap = (size_t)1 << bits;
    lm_slot *slots = map_zeroed(cap * sizeof(lm_slot));
    if (slots == NULL)
        return -1;
    lm_slot *old = m->slots;
    size_t old_cap = m->cap;
    set_geometry(m, slots, bits);
    for (size_t j = 0; j < old_cap; j++) {
        if (old[j].addr == 0)
            continue;
        size_t i = slot_of(m, old[j].addr);
        while (slots[i].addr != 0)
            i = (i + 1) & m->mask;
        slots[i] = old[j];
    }
    munmap(old, old_cap * sizeof(lm_slot));
    return 0;
}

/* The empty slot for a new entry of @addr (absent), growing the map first
 * when it is full. NULL when it could not grow. */
static lm_slot *new_slot(rt_livemap *m, lm_slot *s, uint64_t addr)
{
    if (m->count + m->n_freed + 1 > m->grow_at) {
        if (grow(m) != 0)
            return NULL;
        s = find_slot(m, addr);
    }
    s->addr = addr;
    return s;
}

/* Make *@s, present (live or freed) when @was, the live block given. */
static inline void set_live(rt_livemap *m, lm_slot *s, int was, uint64_t size, uint32_t site,
                            uint32_t stack, uint64_t time)
{
    if (!was)
        m->count++;
    else if (s->site == LM_FREED) {
        m->n_freed--;
        m->count++;
    } else
        m->bytes -= s->size;
    s->size = size;
    s->time = time;
    s->site = site;
    s->stack = stack;
    m->bytes += size;
}

int rt_livemap_insert(rt_livemap *m, uint64_t addr, uint64_t size,
                      uint64_t site, uint32_t stack)
{
    if (m == NULL || addr == 0)
        return -1;
    uint32_t si = site_index(m, site);
    if (si == LM_FREED)
        return -1;
    lm_slot *s = find_slot(m, addr);
    int was = s->addr == addr;
    if (!was && (s = new_slot(m, s, addr)) == NULL)
        return -1;
    int fresh = !was || s->site == LM_FREED;
    set_live(m, s, was, size, si, stack, 0);
    return fresh;
}

int rt_livemap_apply_alloc(rt_livemap *m, uint64_t addr, uint64_t size,
                           uint64_t site, uint32_t stack, uint64_t time)
{
    if (m == NULL || addr == 0)
        return -1;
    uint32_t si = site_index(m, site);
    if (si == LM_FREED)
        return -1;
    lm_slot *s = find_slot(m, addr);
    int was = s->addr == addr;
    if (was && s->time > time)
        return 0; /* stale: a later free or reuse of the address is applied */
    if (!was && (s = new_slot(m, s, addr)) == NULL)
        return -1;
    set_live(m, s, was, size, si, stack, time);
    return 1;
}

int rt_livemap_apply_free(rt_livemap *m, uint64_t addr, uint64_t time,
                          uint64_t *size_out)
{
    if (m == NULL || addr == 0)
        return -1;
    lm_slot *s = find_slot(m, addr);
    int freed_live = 0;
    if (s->addr == addr) {
        if (s->time > time)
            return 0; /* stale */
        if (s->site != LM_FREED) {
            freed_live = 1;
            if (size_out != NULL)
                *size_out = s->size;
            m->bytes -= s->size;
            m->count--;
            m->n_freed++;
        }
    } else {
        if ((s = new_slot(m, s, addr)) == NULL)
            return -1;
        m->n_freed++;
    }
    s->size = 0;
    s->time = time;
    s->site = LM_FREED;
    s->stack = 0;
    return freed_live;
}

/* Delete slot @i (present) from the table. */
static void delete_slot(rt_livemap *m, size_t i)
{
    size_t mask = m->mask;
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole when their home slot does not lie (cyclically) in (hole, j]. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].addr != 0; j = (j + 1) & mask) {
        size_t home = slot_of(m, m->slots[j].addr);
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
    lm_slot *s = find_slot(m, addr);
    if (s->addr != addr)
        return 0;
    size_t i = (size_t)(s - m->slots);
    if (s->site == LM_FREED) {
        m->n_freed--;
        delete_slot(m, i);
        return 0;
    }
    if (size_out != NULL)
        *size_out = s->size;
    m->bytes -= s->size;
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
        const lm_slot *s = &m->slots[j];
        if (s->addr != 0 && s->site == LM_FREED && s->time < before) {
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

/* The caller's view of live slot *@s. */
static void to_entry(const rt_livemap *m, const lm_slot *s, rt_live_entry *out)
{
    out->addr = s->addr;
    out->size = s->size;
    out->site = m->site_of[s->site];
    out->time = s->time;
    out->stack = s->stack;
    out->freed = 0;
}

int rt_livemap_get(const rt_livemap *m, uint64_t addr, rt_live_entry *out)
{
    if (m == NULL || addr == 0)
        return 0;
    const lm_slot *s = find_slot(m, addr);
    if (s->addr != addr || s->site == LM_FREED)
        return 0;
    if (out != NULL)
        to_entry(m, s, out);
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
        if (m->slots[j].addr != 0 && m->slots[j].site != LM_FREED)
            cb(u, m->slots[j].addr, m->slots[j].size);
}

void rt_livemap_foreach_entry(const rt_livemap *m,
                              void (*cb)(void *u, const rt_live_entry *e),
                              void *u)
{
    if (m == NULL || cb == NULL)
        return;
    for (size_t j = 0; j < m->cap; j++)
        if (m->slots[j].addr != 0 && m->slots[j].site != LM_FREED) {
            rt_live_entry e;
            to_entry(m, &m->slots[j], &e);
            cb(u, &e);
        }
}

void rt_livemap_clear(rt_livemap *m)
{
    if (m == NULL)
        return;
    memset(m->slots, 0, m->cap * sizeof(lm_slot));
    m->count = 0;
    m->n_freed = 0;
    m->bytes = 0;
}
