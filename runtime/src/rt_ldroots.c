/* rt_ldroots.c - the dynamic loader's blocks as leak-scan roots (see rt_ldroots.h). */
#define _GNU_SOURCE
#include "rt_ldroots.h"

#include <link.h>
#include <sys/auxv.h>

#include "rt_stacktab.h"

struct ld_search {
    uintptr_t base, lo, hi;
    int found;
};

static int ld_cb(struct dl_phdr_info *info, size_t size, void *u) {
    (void)size;
    struct ld_search *s = u;
    if ((uintptr_t)info->dlpi_addr != s->base)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = s->base + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (!s->found || lo < s->lo)
            s->lo = lo;
        if (!s->found || hi > s->hi)
            s->hi = hi;
        s->found = 1;
    }
    return s->found;
}

int rt_ldroots_range(uintptr_t *lo, uintptr_t *hi) {
    struct ld_search s = {.base = (uintptr_t)getauxval(AT_BASE)};
    if (s.base == 0)
        return 0;
    dl_iterate_phdr(ld_cb, &s);
    if (!s.found)
        return 0;
    *lo = s.lo;
    *hi = s.hi;
    return 1;
}

struct collect {
    uintptr_t lo, hi;
    uint64_t *out;
    size_t n, max;
};

static void collect_cb(void *u, const rt_live_entry *e) {
    struct collect *c = u;
    uint32_t depth;
    const uint64_t *f = rt_stacktab_frames(e->stack, &depth);
    if (c->n < c->max && f && depth && f[0] >= c->lo && f[0] < c->hi)
        c->out[c->n++] = e->addr;
}

size_t rt_ldroots_collect(const rt_livemap *live, uintptr_t lo, uintptr_t hi, uint64_t *out,
                          size_t max) {
    struct collect c = {lo, hi, out, 0, max};
    if (out && max && hi > lo)
        rt_livemap_foreach_entry(live, collect_cb, &c);
    return c.n;
}
