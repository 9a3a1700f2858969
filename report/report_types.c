/*
 * report_types.c - static types: one entry per distinct type name of the
 * sites ("struct node", "char", "item_t"), index 0 = unknown ("?"). Each
 * type's rp_stat (count, bytes, peak, temporaries, lifetimes) and its size
 * and lifetime histograms are filled by the model through the site's type
 * index; the ranking is rp_top_types (report_sources.c).
 */
#include <string.h>

#include "report_internal.h"

static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

uint32_t rp_type_index(rp_model *m, const char *name) {
    if (!name || !*name || !strcmp(name, "?"))
        return 0;
    uint64_t h = str_hash(name);
    for (uint64_t salt = 0;; salt++) {
        uint64_t key = rp_hash64(h + salt);
        uint32_t v = rp_map_get(&m->type_map, key);
        if (v == RP_NONE) {
            if (rp_grow((void **)&m->types, &m->types_cap, m->ntypes + 1, sizeof *m->types) ||
                rp_map_put(&m->type_map, key, (uint32_t)m->ntypes)) {
                m->oom = 1;
                return 0;
            }
            memset(&m->types[m->ntypes], 0, sizeof m->types[0]);
            m->types[m->ntypes].name = name;
            return (uint32_t)m->ntypes++;
        }
        if (!strcmp(m->types[v].name, name))
            return v;
    }
}

void rp_types_init(rp_model *m) {
    if (rp_grow((void **)&m->types, &m->types_cap, 1, sizeof *m->types)) {
        m->oom = 1;
        return;
    }
    memset(m->types, 0, sizeof m->types[0]);
    m->types[0].name = "?";
    m->ntypes = 1;
}
