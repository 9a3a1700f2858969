/*
 * rt_leakscan.c - conservative reachability scan. See rt_leakscan.h.
 *
 * Three floods over the blocks sorted by address, each block entering the
 * work stack at most once per flood:
 *   1. from the roots through start pointers -> REACHABLE; interior hits
 *      from roots or reachable blocks leave a mark;
 *   2. from the marked blocks through any pointer -> POSSIBLE;
 *   3. for each still unreached block in address order, as a "leader":
 *      everything unreached it reaches becomes INDIRECT (an earlier leader
 *      it reaches too); leaders left at the end are DEFINITE.
 */
#define _GNU_SOURCE
#include "rt_leakscan.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rt_unwind.h"

enum {
    ST_UNSEEN = 0,
    ST_INTERIOR = 1,   /* phase 1: reached only by interior pointers so far */
    ST_REACHABLE = 2,
    ST_POSSIBLE = 3,
    ST_INDIRECT = 4,
    ST_LEADER = 5,     /* unreached, head of its own flood: DEFINITE */
};

typedef struct {
    uint64_t addr, size;
} ls_block;

#define NO_PARENT UINT32_MAX

typedef struct {
    ls_block *blk;
    size_t n;
    uint32_t *parent;     /* innermost enclosing block, or NO_PARENT */
    uint8_t *state;
    uint32_t *work;
    size_t top;
    rt_range *readable;
    size_t n_readable, cap_readable;
    uint64_t min_addr, max_end;
    int phase;
    size_t leader;
} ls_scan;

/* ------------------------------------------------------------------------
 * Scratch: sorting and readable ranges
 * ---------------------------------------------------------------------- */

/* LSD radix sort of @a by addr, 16 bits per pass, skipping passes where
 * every key has the same digit. @tmp has room for n entries, @count for
 * 65536 counters. */
static void sort_blocks(ls_block *a, ls_block *tmp, size_t n, size_t *count)
{
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            count[(a[i].addr >> shift) & 0xffff]++;
        if (count[(a[0].addr >> shift) & 0xffff] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].addr >> shift) & 0xffff]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

struct fill {
    ls_block *blk;
    size_t n, cap;
};

static void fill_cb(void *u, uint64_t addr, uint64_t size)
{
    struct fill *f = u;
    if (f->n < f->cap) {
        f->blk[f->n].addr = addr;
        f->blk[f->n].size = size;
        f->n++;
    }
}

static int readable_cb(void *user, const rt_map *m)
{
    ls_scan *s = user;
    if (!(m->prot & RT_MAP_R))
        return 0;
    /* vvar pages can fault (SIGBUS) when read; device mappings may have
     * side effects. */
    if (strncmp(m->path, "[vvar", 5) == 0 || strcmp(m->path, "[vsyscall]") == 0 ||
        strncmp(m->path, "/dev/", 5) == 0)
        return 0;
    if (s->n_readable > 0 && s->readable[s->n_readable - 1].hi == m->lo) {
        s->readable[s->n_readable - 1].hi = m->hi;
        return 0;
    }
    if (s->n_readable == s->cap_readable)
        return 1;
    s->readable[s->n_readable].lo = m->lo;
    s->readable[s->n_readable].hi = m->hi;
    s->n_readable++;
    return 0;
}

/* Index of the first readable range whose end is above @p. */
static size_t readable_from(const ls_scan *s, uintptr_t p)
{
    size_t lo = 0, hi = s->n_readable;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->readable[mid].hi <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int is_readable(const ls_scan *s, uintptr_t p, size_t len)
{
    size_t i = readable_from(s, p);
    return i < s->n_readable && s->readable[i].lo <= p && p + len <= s->readable[i].hi;
}

/* ------------------------------------------------------------------------
 * Pointer matching
 * ---------------------------------------------------------------------- */

/* Innermost block containing @v, or SIZE_MAX. Blocks may nest (pool
 * sub-blocks recorded inside the malloc'ed pool): when @v is past the end of
 * the last block starting at or below it, the enclosing blocks are tried. */
static size_t find_block(const ls_scan *s, uint64_t v, int *is_start)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->blk[mid].addr <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return SIZE_MAX;
    for (size_t i = lo - 1; i != NO_PARENT; i = s->parent[i]) {
        const ls_block *b = &s->blk[i];
        if (v == b->addr) {
            *is_start = 1;
            return i;
        }
        if (v - b->addr < b->size) {
            *is_start = 0;
            return i;
        }
    }
    return SIZE_MAX;
}

/* parent[i] = the innermost earlier block whose range contains block i's
 * start (a stack sweep over the address-sorted blocks); @stack has room for
 * n indices. */
static void link_parents(ls_scan *s, uint32_t *stack)
{
    size_t top = 0;
    for (size_t i = 0; i < s->n; i++) {
        while (top > 0) {
            const ls_block *t = &s->blk[stack[top - 1]];
            if (s->blk[i].addr - t->addr < t->size)
                break;
            top--;
        }
        s->parent[i] = top > 0 ? stack[top - 1] : NO_PARENT;
        stack[top++] = (uint32_t)i;
    }
}

/* glibc heuristic (see the header): is @v the header of the malloc chunk
 * that follows block @b? */
static int is_next_chunk_header(const ls_scan *s, const ls_block *b, uint64_t v)
{
    if (b->addr < 16 || !is_readable(s, (uintptr_t)(b->addr - 8), 8))
        return 0;
    uint64_t hdr = *(const volatile uint64_t *)(uintptr_t)(b->addr - 8);
    if (hdr & 2u) /* IS_MMAPPED: no neighbour chunk */
        return 0;
    uint64_t chunk = hdr & ~(uint64_t)7;
    return chunk >= 32 && v == b->addr - 16 + chunk;
}

static void push(ls_scan *s, size_t i)
{
    s->work[s->top++] = (uint32_t)i;
}

static void on_hit(ls_scan *s, size_t i, int is_start)
{
    uint8_t *st = &s->state[i];
    switch (s->phase) {
    case 1:
        if (is_start) {
            if (*st == ST_UNSEEN || *st == ST_INTERIOR) {
                *st = ST_REACHABLE;
                push(s, i);
            }
        } else if (*st == ST_UNSEEN) {
            *st = ST_INTERIOR;
        }
        break;
    case 2:
        if (*st == ST_UNSEEN) {
            *st = ST_POSSIBLE;
            push(s, i);
        }
        break;
    default:
        if (i == s->leader)
            break;
        if (*st == ST_UNSEEN) {
            *st = ST_INDIRECT;
            push(s, i);
        } else if (*st == ST_LEADER) {
            /* An earlier leader: its flood is done, it is merely owned. */
            *st = ST_INDIRECT;
        }
        break;
    }
}

/* Scans the readable words of [lo, hi) for pointers into blocks. */
__attribute__((no_sanitize("address")))
static void scan_range(ls_scan *s, uintptr_t lo, uintptr_t hi)
{
    lo = (lo + 7u) & ~(uintptr_t)7u;
    if (hi < lo + 8)
        return;
    for (size_t r = readable_from(s, lo); r < s->n_readable && s->readable[r].lo < hi; r++) {
        uintptr_t a = lo > s->readable[r].lo ? lo : s->readable[r].lo;
        uintptr_t b = hi < s->readable[r].hi ? hi : s->readable[r].hi;
        a = (a + 7u) & ~(uintptr_t)7u;
        for (uintptr_t p = a; p + 8 <= b; p += 8) {
            uint64_t v = *(const volatile uint64_t *)p;
            if (v < s->min_addr || v >= s->max_end)
                continue;
            int is_start = 0;
            size_t i = find_block(s, v, &is_start);
            if (i == SIZE_MAX)
                continue;
            if (!is_start && is_next_chunk_header(s, &s->blk[i], v))
                continue;
            on_hit(s, i, is_start);
        }
    }
}

static void drain_work(ls_scan *s)
{
    while (s->top > 0) {
        const ls_block *b = &s->blk[s->work[--s->top]];
        scan_range(s, (uintptr_t)b->addr, (uintptr_t)(b->addr + b->size));
    }
}

static int roots_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    ls_scan *s = data;
    int has_tls_data = size >= offsetof(struct dl_phdr_info, dlpi_tls_data) +
                                   sizeof(info->dlpi_tls_data);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
            uintptr_t lo = (uintptr_t)(info->dlpi_addr + ph->p_vaddr);
            scan_range(s, lo, lo + (uintptr_t)ph->p_memsz);
        } else if (ph->p_type == PT_TLS && has_tls_data && info->dlpi_tls_data != NULL) {
            /* The calling thread's block of this module's TLS. */
            uintptr_t lo = (uintptr_t)info->dlpi_tls_data;
            scan_range(s, lo, lo + (uintptr_t)ph->p_memsz);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------- */

size_t rt_leakscan(const rt_livemap *live, const rt_range *extra_roots,
                   size_t n_extra, ms_leak *out, size_t max)
{
    return rt_leakscan_roots(live, extra_roots, n_extra, NULL, 0, out, max);
}

/* Index of the block starting exactly at @addr in the sorted blocks, or
 * SIZE_MAX. */
static size_t find_start(const ls_scan *s, uint64_t addr)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->blk[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->blk[lo].addr == addr ? lo : SIZE_MAX;
}

size_t rt_leakscan_roots(const rt_livemap *live, const rt_range *extra_roots,
                         size_t n_extra, const uint64_t *root_blocks,
                         size_t n_root_blocks, ms_leak *out, size_t max)
{
    size_t n = rt_livemap_count(live);
    if (n == 0 || out == NULL || max == 0 || n > UINT32_MAX)
        return 0;
    long maps = rt_maps_foreach(NULL, NULL);
    size_t cap_readable = (maps > 0 ? (size_t)maps : 0) + 256;

    /* One scratch region: blocks, sort buffer, counters, work, ranges, state. */
    size_t off_tmp = n * sizeof(ls_block);
    size_t off_count = off_tmp + n * sizeof(ls_block);
    size_t off_work = off_count + 65536 * sizeof(size_t);
    size_t off_parent = off_work + ((n * sizeof(uint32_t) + 15) & ~(size_t)15);
    size_t off_ranges = off_parent + ((n * sizeof(uint32_t) + 15) & ~(size_t)15);
    size_t off_state = off_ranges + cap_readable * sizeof(rt_range);
    size_t total = off_state + n;
    char *scratch = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED)
        return 0;

    ls_scan s = {0};
    s.blk = (ls_block *)(void *)scratch;
    s.work = (uint32_t *)(void *)(scratch + off_work);
    s.parent = (uint32_t *)(void *)(scratch + off_parent);
    s.readable = (rt_range *)(void *)(scratch + off_ranges);
    s.cap_readable = cap_readable;
    s.state = (uint8_t *)(scratch + off_state);

    struct fill f = {s.blk, 0, n};
    rt_livemap_foreach(live, fill_cb, &f);
    s.n = f.n;
    if (s.n == 0) {
        munmap(scratch, total);
        return 0;
    }
    sort_blocks(s.blk, (ls_block *)(void *)(scratch + off_tmp), s.n,
                (size_t *)(void *)(scratch + off_count));
    s.min_addr = s.blk[0].addr;
    for (size_t i = 0; i < s.n; i++) {
        uint64_t end = s.blk[i].addr + (s.blk[i].size ? s.blk[i].size : 1);
        if (end > s.max_end)
            s.max_end = end;
    }
    link_parents(&s, s.work); /* the work stack is free until phase 1 */
    rt_maps_foreach(readable_cb, &s);

    /* 1: roots -> REACHABLE through start pointers. */
    s.phase = 1;
    for (size_t i = 0; i < n_root_blocks && root_blocks != NULL; i++) {
        size_t b = find_start(&s, root_blocks[i]);
        if (b != SIZE_MAX && s.state[b] != ST_REACHABLE) {
            s.state[b] = ST_REACHABLE;
            push(&s, b);
        }
    }
    dl_iterate_phdr(roots_cb, &s);
    for (size_t i = 0; i < n_extra && extra_roots != NULL; i++)
        scan_range(&s, extra_roots[i].lo, extra_roots[i].hi);
    drain_work(&s);

    /* 2: interior-only hits and what they lead to -> POSSIBLE. */
    s.phase = 2;
    for (size_t i = 0; i < s.n; i++) {
        if (s.state[i] == ST_INTERIOR) {
            s.state[i] = ST_POSSIBLE;
            push(&s, i);
        }
    }
    drain_work(&s);

    /* 3: lost blocks: leaders and what they own. */
    s.phase = 3;
    for (size_t i = 0; i < s.n; i++) {
        if (s.state[i] != ST_UNSEEN)
            continue;
        s.state[i] = ST_LEADER;
        s.leader = i;
        push(&s, i);
        drain_work(&s);
    }

    size_t written = s.n < max ? s.n : max;
    for (size_t i = 0; i < written; i++) {
        out[i].addr = s.blk[i].addr;
        out[i].size = s.blk[i].size;
        out[i].reserved = 0;
        switch (s.state[i]) {
        case ST_REACHABLE:
            out[i].kind = MS_LEAK_REACHABLE;
            break;
        case ST_POSSIBLE:
            out[i].kind = MS_LEAK_POSSIBLE;
            break;
        case ST_INDIRECT:
            out[i].kind = MS_LEAK_INDIRECT;
            break;
        default:
            out[i].kind = MS_LEAK_DEFINITE;
            break;
        }
    }
    munmap(scratch, total);
    return written;
}
