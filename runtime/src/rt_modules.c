/*
 * rt_modules.c - module map from dl_iterate_phdr. See rt_modules.h.
 */
#define _GNU_SOURCE
#include "rt_modules.h"

#include <elf.h>
#include <link.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* Loader counters at the last complete snapshot; UINT64_MAX = none yet. */
static _Atomic uint64_t g_last_adds = UINT64_MAX;
static _Atomic uint64_t g_last_subs = UINT64_MAX;

static int has_counters(size_t size)
{
    return size >= offsetof(struct dl_phdr_info, dlpi_subs) +
                       sizeof(((struct dl_phdr_info *)0)->dlpi_subs);
}

struct counters {
    uint64_t adds, subs;
    int valid;
};

static int counters_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct counters *c = data;
    if (has_counters(size)) {
        c->adds = info->dlpi_adds;
        c->subs = info->dlpi_subs;
        c->valid = 1;
    }
    return 1; /* the counters are the same in every callback: stop */
}

int rt_modules_changed(void)
{
    struct counters c = {0};
    dl_iterate_phdr(counters_cb, &c);
    if (!c.valid)
        return 1;
    return c.adds != atomic_load_explicit(&g_last_adds, memory_order_acquire) ||
           c.subs != atomic_load_explicit(&g_last_subs, memory_order_acquire);
}

/* ------------------------------------------------------------------------
 * Snapshot
 * ---------------------------------------------------------------------- */

struct snap {
    ms_module *out;
    size_t max, n;
    char *buf;
    size_t cap, used;
    uint64_t now_ns;
    struct counters c;
    int truncated;
    int index;
};

/* Finds the GNU build id among the PT_NOTE segments. Returns its length
 * and sets *desc, or 0. */
static uint32_t find_build_id(const struct dl_phdr_info *info, const uint8_t **desc)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        size_t align = ph->p_align == 8 ? 8 : 4;
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
        const uint8_t *end = p + ph->p_memsz;
        while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
            size_t name_off = sizeof(ElfW(Nhdr));
            size_t name_sz = (nh->n_namesz + align - 1) & ~(align - 1);
            size_t desc_sz = (nh->n_descsz + align - 1) & ~(align - 1);
            if (name_sz > (size_t)(end - p) - name_off ||
                desc_sz > (size_t)(end - p) - name_off - name_sz)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(p + name_off, "GNU", 4) == 0 && nh->n_descsz > 0) {
                *desc = p + name_off + name_sz;
                return nh->n_descsz;
            }
            p += name_off + name_sz + desc_sz;
        }
    }
    return 0;
}

/* Reserves @len bytes of the string buffer; NULL if full. */
static char *take(struct snap *s, size_t len)
{
    if (len > s->cap - s->used)
        return NULL;
    char *p = s->buf + s->used;
    s->used += len;
    return p;
}

static int snapshot_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct snap *s = data;
    int index = s->index++;
    if (index == 0 && has_counters(size)) {
        s->c.adds = info->dlpi_adds;
        s->c.subs = info->dlpi_subs;
        s->c.valid = 1;
    }
    if (s->n >= s->max) {
        s->truncated = 1;
        return 0;
    }
    size_t saved_used = s->used;

    /* Path. */
    const char *path = NULL;
    const char *name = info->dlpi_name != NULL ? info->dlpi_name : "";
    if (name[0] == '\0' && index == 0) {
        size_t room = s->cap - s->used;
        if (room > 1) {
            ssize_t len = readlink("/proc/self/exe", s->buf + s->used, room - 1);
            if (len > 0 && (size_t)len < room - 1) {
                s->buf[s->used + (size_t)len] = '\0';
                path = s->buf + s->used;
                s->used += (size_t)len + 1;
            }
        }
    }
    if (path == NULL) {
        size_t len = strlen(name);
        char *p = take(s, len + 1);
        if (p == NULL) {
            s->truncated = 1;
            return 0;
        }
        memcpy(p, name, len + 1);
        path = p;
    }

    /* Extent: the highest end of a PT_LOAD segment, from the load bias. */
    uint64_t hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && ph->p_vaddr + ph->p_memsz > hi)
            hi = ph->p_vaddr + ph->p_memsz;
    }

    /* Build id (copied: the caller may keep the record past a dlclose). */
    const uint8_t *id = NULL;
    uint32_t id_len = find_build_id(info, &id);
    uint8_t *id_copy = NULL;
    if (id_len > 0) {
        id_copy = (uint8_t *)take(s, id_len);
        if (id_copy == NULL) {
            s->used = saved_used;
            s->truncated = 1;
            return 0;
        }
        memcpy(id_copy, id, id_len);
    }

    ms_module *m = &s->out[s->n++];
    m->time_ns = s->now_ns;
    m->base = (uint64_t)info->dlpi_addr;
    m->size = hi;
    m->path = path;
    m->build_id = id_copy;
    m->build_id_len = id_len;
    m->loaded = 1;
    return 0;
}

size_t rt_modules_snapshot(ms_module *out, size_t max, char *strbuf,
                           size_t strbuf_len, uint64_t now_ns)
{
    struct snap s = {0};
    if (out == NULL || strbuf == NULL)
        max = 0, strbuf_len = 0;
    s.out = out;
    s.max = max;
    s.buf = strbuf;
    s.cap = strbuf_len;
    s.now_ns = now_ns;
    dl_iterate_phdr(snapshot_cb, &s);
    if (s.c.valid && !s.truncated) {
        atomic_store_explicit(&g_last_adds, s.c.adds, memory_order_release);
        atomic_store_explicit(&g_last_subs, s.c.subs, memory_order_release);
    } else {
        /* Incomplete: make rt_modules_changed() say so until a complete
         * snapshot is taken. */
        atomic_store_explicit(&g_last_adds, UINT64_MAX, memory_order_release);
    }
    return s.n;
}
