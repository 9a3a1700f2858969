/* rt_tables.c - site-range and string registries (see rt_tables.h). */
#include "rt_tables.h"

#include <string.h>

/* ---- sites ------------------------------------------------------------------ */
#define MAX_RANGES 4096

typedef struct {
    const memscope_site *start, *stop;
} range;

static pthread_mutex_t sites_mu = PTHREAD_MUTEX_INITIALIZER;
static range *ranges; /* mmap'ed, MAX_RANGES */
static size_t n_ranges, n_written;

int rt_sites_register(const memscope_site *start, const memscope_site *stop) {
    if (!start || !stop || stop <= start)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&sites_mu);
    if (!ranges)
        ranges = rt_mmap(MAX_RANGES * sizeof(range));
    size_t i = 0;
    for (; i < n_ranges; i++)
        if (ranges[i].start == start)
            break;
    if (i == n_ranges) {
        if (!ranges || n_ranges == MAX_RANGES)
            rc = -1;
        else
            ranges[n_ranges++] = (range){start, stop};
    }
    pthread_mutex_unlock(&sites_mu);
    return rc;
}

static const char *str_or(const int32_t *f, const char *dflt) {
    const char *s = memscope_site_str(f);
    return s ? s : dflt;
}

size_t rt_sites_drain(void (*cb)(void *u, const ms_site *s, size_t n), void *u) {
    enum { BATCH = 1024 };
    static ms_site *batch; /* writer thread only */
    if (!batch && !(batch = rt_mmap(BATCH * sizeof(ms_site))))
        return 0;
    size_t total = 0;
    pthread_mutex_lock(&sites_mu);
    size_t end = n_ranges;
    pthread_mutex_unlock(&sites_mu);
    for (size_t r = n_written; r < end; r++) {
        size_t k = 0;
        for (const memscope_site *s = ranges[r].start; s < ranges[r].stop; s++) {
            if (s->magic != MEMSCOPE_SITE_MAGIC)
                continue; /* padding between modules' sections, or garbage */
            ms_site *o = &batch[k++];
            o->id = (uint64_t)(uintptr_t)s;
            o->kind = s->kind;
            o->line = s->line;
            o->column = s->column;
            o->flags = s->flags;
            o->elem_size = s->elem_size;
            o->file = str_or(&s->file_rel, "");
            o->function = str_or(&s->func_rel, "");
            o->type_name = str_or(&s->type_rel, "?");
            o->var_name = str_or(&s->var_rel, "?");
            o->callee = str_or(&s->callee_rel, "");
            if (k == BATCH) {
                cb(u, batch, k);
                total += k;
                k = 0;
            }
        }
        if (k) {
            cb(u, batch, k);
            total += k;
        }
    }
    n_written = end;
    return total;
}

void rt_sites_reset_written(void) { n_written = 0; }

/* ---- strings ---------------------------------------------------------------- */
#define STR_ARENA (4u << 20)
#define STR_SLOTS 8192 /* hash slots; open addressing */
#define STR_MAX 4095

typedef struct {
    uint64_t hash;
    uint32_t off; /* into the arena, 0 = empty */
    uint32_t id;
} str_slot;

static pthread_mutex_t str_mu = PTHREAD_MUTEX_INITIALIZER;
static char *arena;          /* mmap'ed */
static str_slot *slots;      /* mmap'ed */
static uint32_t *by_id;      /* id -> arena offset */
static uint32_t arena_used = 1, n_strings, n_str_written;

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h | 1;
}

uint64_t rt_strings_intern(const char *s) {
    if (!s)
        s = "";
    size_t n = strnlen(s, STR_MAX);
    uint64_t h = fnv(s, n), id = 0;
    pthread_mutex_lock(&str_mu);
    if (!arena) {
        arena = rt_mmap(STR_ARENA);
        slots = rt_mmap(STR_SLOTS * sizeof(str_slot));
        by_id = rt_mmap(STR_SLOTS * sizeof(uint32_t));
    }
    if (arena && slots && by_id) {
        for (uint32_t i = (uint32_t)h % STR_SLOTS, probes = 0; probes < STR_SLOTS;
             i = (i + 1) % STR_SLOTS, probes++) {
            str_slot *sl = &slots[i];
            if (sl->off == 0) {
                /* keep the table at most 3/4 full and the arena bounded */
                if (n_strings + 1 >= STR_SLOTS * 3 / 4 || arena_used + n + 1 > STR_ARENA)
                    break;
                memcpy(arena + arena_used, s, n);
                arena[arena_used + n] = 0;
                sl->hash = h;
                sl->off = arena_used;
                sl->id = ++n_strings;
                by_id[sl->id] = arena_used;
                arena_used += (uint32_t)n + 1;
                id = sl->id;
                break;
            }
            if (sl->hash == h && strncmp(arena + sl->off, s, n) == 0 && arena[sl->off + n] == 0) {
                id = sl->id;
                break;
            }
        }
    }
    pthread_mutex_unlock(&str_mu);
    return id;
}

size_t rt_strings_drain(void (*cb)(void *u, const ms_string *s, size_t n), void *u) {
    enum { BATCH = 256 };
    ms_string batch[BATCH];
    size_t total = 0, k = 0;
    pthread_mutex_lock(&str_mu);
    uint32_t end = n_strings;
    pthread_mutex_unlock(&str_mu);
    for (uint32_t id = n_str_written + 1; id <= end; id++) {
        batch[k].id = id;
        batch[k].str = arena + by_id[id];
        if (++k == BATCH) {
            cb(u, batch, k);
            total += k;
            k = 0;
        }
    }
    if (k) {
        cb(u, batch, k);
        total += k;
    }
    n_str_written = end;
    return total;
}

void rt_strings_reset_written(void) { n_str_written = 0; }

void rt_tables_fork_prepare(void) {
    pthread_mutex_lock(&sites_mu);
    pthread_mutex_lock(&str_mu);
}

void rt_tables_fork_parent(void) {
    pthread_mutex_unlock(&str_mu);
    pthread_mutex_unlock(&sites_mu);
}

void rt_tables_fork_child(void) {
    pthread_mutex_init(&sites_mu, NULL);
    pthread_mutex_init(&str_mu, NULL);
    n_written = 0;
    n_str_written = 0;
}
