/*
 * fmt_fixture.c - deterministic content for every chunk type (see .h).
 */
#include "fmt_fixture.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void fx_events_coded(ms_event *ev, size_t n, uint32_t seed)
{
    uint64_t s = seed * 7919u + 3, ticks = 1000, heap = 0x7f0000100000ULL;
    uint32_t series[3] = {100, 5000, 90000}, last = 0;
    uint64_t live[16] = {0};
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_next(&s);
        ms_event *e = &ev[i];
        memset(e, 0, sizeof *e);
        ticks += 1 + (r & 3);
        e->time_ns = ticks * 10037 / 1000; /* steps of 10 or 11 ns */
        unsigned slot = (unsigned)(r >> 4) & 15, which = (unsigned)(r >> 8) % 3;
        switch ((r >> 12) % 8) {
        case 0:
            e->stack = last; /* a repeat */
            break;
        case 1:
            e->stack = (r >> 16) % 64 == 0 ? UINT32_MAX : series[which];
            break;
        case 2:
            e->stack = last == UINT32_MAX ? 0 : (uint32_t)(r >> 20) % 70000;
            break;
        default:
            e->stack = series[which]++;
        }
        last = e->stack;
        if ((r >> 56) % 128 == 0) { /* escapes: a far unaligned addr, a size >= 2^63 */
            e->kind = MS_EV_CUSTOM_ALLOC;
            e->site = 0x401080;
            e->addr = 0x8000000000000001ULL + i;
            e->size = UINT64_MAX - (r & 3);
        } else if (live[slot] && (r >> 24) % 3 == 0) {
            e->kind = MS_EV_FREE;
            e->site = 0x401000;
            e->addr = live[slot];
            live[slot] = 0;
        } else if (live[slot] && (r >> 24) % 7 == 1) {
            e->kind = MS_EV_REALLOC;
            e->site = 0x401040;
            e->aux = live[slot];
            e->size = 64 + ((r >> 28) & 0xff);
            e->addr = live[slot] = heap += 96;
        } else {
            e->kind = (r >> 32) % 50 ? MS_EV_ALLOC : MS_EV_CUSTOM_ALLOC;
            e->site = 0x401080;
            e->size = (r >> 36) % 4 ? 16 : 8 + ((r >> 40) & 0x3ff);
            e->flags = (r >> 50) % 9 ? 0 : MS_EVF_ZEROED;
            heap += 32 + ((r >> 44) % 16 == 0 ? 8 : 0); /* now and then unaligned */
            e->addr = live[slot] = heap;
        }
    }
}

void fx_events(ms_event *ev, size_t n, uint32_t seed)
{
    if (seed & FX_SEED_CODED) {
        fx_events_coded(ev, n, seed & ~FX_SEED_CODED);
        return;
    }
    uint64_t s = seed * 7919u + 1;
    uint64_t t = 1000 + seed;
    uint64_t heap = 0x5555555a0000ULL + ((uint64_t)(seed % 8) << 24);
    uint64_t live[64] = {0};
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_next(&s);
        ms_event *e = &ev[i];
        memset(e, 0, sizeof *e);
        t += 20 + (r & 0xff);
        e->time_ns = t;
        unsigned slot = (unsigned)(r >> 8) & 63;
        unsigned sitei = (unsigned)((r >> 16) % 300);
        e->site = 0x555555554000ULL + 0x40u * sitei;
        e->stack = 1 + (uint32_t)((r >> 32) % 500);
        if (live[slot] && (r >> 40) % 3 == 0) {
            e->kind = MS_EV_FREE;
            e->addr = live[slot];
            live[slot] = 0;
        } else if (live[slot] && (r >> 40) % 11 == 1) {
            e->kind = MS_EV_REALLOC;
            e->aux = live[slot];
            e->size = 32 + ((r >> 44) & 0x3ff);
            heap += (e->size + 15) & ~15ULL;
            e->addr = heap;
            live[slot] = e->addr;
        } else if ((r >> 40) % 37 == 2) {
            e->kind = MS_EV_SCOPE_EXIT;
            e->addr = live[(slot + 1) & 63];
        } else {
            e->kind = MS_EV_ALLOC;
            unsigned b = (unsigned)(r >> 50);
            e->size = (b & 7) == 0 ? 1000 + (b & 0xfff) : 8 + (b & 0x3f);
            heap += (e->size + 31) & ~15ULL;
            e->addr = heap;
            e->flags = (b & 0x30) == 0x30 ? MS_EVF_ZEROED : 0;
            live[slot] = e->addr;
        }
    }
}

/* ---- generation into an arena -------------------------------------- */

typedef struct {
    void *recs;
    char *pool;
    size_t pool_used, pool_cap;
    uint64_t *frames;
} fx_data;

static const char *pool_fmt(fx_data *d, const char *fmt, uint64_t a, uint64_t b)
{
    char tmp[128];
    int len = snprintf(tmp, sizeof tmp, fmt, a, b);
    if (d->pool_used + (size_t)len + 1 > d->pool_cap)
        return "overflow";
    char *p = d->pool + d->pool_used;
    memcpy(p, tmp, (size_t)len + 1);
    d->pool_used += (size_t)len + 1;
    return p;
}

static void gen(const fx_spec *s, fx_data *d)
{
    size_t n = s->n;
    uint64_t sd = s->seed;
    d->pool_cap = 96 * 5 * (n + 1);
    d->pool = malloc(d->pool_cap);
    d->pool_used = 0;
    d->frames = NULL;
    switch (s->type) {
    case MS_CHUNK_EVENTS: {
        ms_event *e = calloc(n + 1, sizeof *e);
        fx_events(e, n, s->seed);
        d->recs = e;
        break;
    }
    case MS_CHUNK_SITES: {
        ms_site *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].id = 0x555555554000ULL + 0x40u * i + sd;
            v[i].kind = 1 + (uint32_t)((i + sd) % (MS_SITE_KIND_MAX_ - 1));
            v[i].line = (uint32_t)(10 + i * 3);
            v[i].column = (uint32_t)(i % 80);
            v[i].flags = (uint32_t)(i & 3);
            v[i].elem_size = i % 5 ? 8 * (i % 5) : 0;
            v[i].file = pool_fmt(d, "src/file_%" PRIu64 "_%" PRIu64 ".c", i % 17, sd);
            v[i].function = pool_fmt(d, "fn_%" PRIu64 "_%" PRIu64, i, sd);
            v[i].type_name = i % 4 ? pool_fmt(d, "struct t%" PRIu64 "%.0" PRIu64, i % 9, 0) : "?";
            v[i].var_name = i % 3 ? pool_fmt(d, "v%" PRIu64 "->next%.0" PRIu64, i, 0) : "";
            v[i].callee = i % 6 == 0 ? pool_fmt(d, "x_free%.0" PRIu64 "%.0" PRIu64, 0, 0) : "";
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_STACKS: {
        ms_stack *v = calloc(n + 1, sizeof *v);
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += (i * 7 + sd) % 40;
        d->frames = calloc(total + 1, sizeof(uint64_t));
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            v[i].id = (uint32_t)(i + 1);
            v[i].depth = (uint32_t)((i * 7 + sd) % 40);
            v[i].frames = d->frames + at;
            for (uint32_t k = 0; k < v[i].depth; k++)
                d->frames[at + k] = 0x555555556000ULL + (i * 131 + k * 17 + sd) % 65536;
            at += v[i].depth;
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_MODULES: {
        ms_module *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].time_ns = 100 * i + sd;
            v[i].base = 0x7f0000000000ULL + (i << 24);
            v[i].size = 0x10000 + i;
            v[i].path = i ? pool_fmt(d, "/usr/lib/lib%" PRIu64 ".so.%" PRIu64, i, sd) : "";
            v[i].build_id_len = i % 3 ? 20 : 0;
            v[i].build_id = v[i].build_id_len ? (const uint8_t *)pool_fmt(
                                                    d, "BID%017" PRIu64 "%.0" PRIu64, i + sd, 0)
                                              : NULL;
            v[i].loaded = i % 5 != 4;
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_THREADS: {
        ms_thread *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].tid = (uint32_t)(1000 + i + sd);
            v[i].parent_tid = i ? 1000 + (uint32_t)sd : 0;
            v[i].start_ns = 50 * i;
            v[i].end_ns = i % 4 ? 50 * i + 1000000 : 0;
            v[i].name = i % 2 ? pool_fmt(d, "worker-%" PRIu64 "%.0" PRIu64, i, 0) : "";
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_COUNTERS: {
        ms_counter *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].time_ns = 1000000 * i + sd;
            v[i].rss = 4096 * (1000 + i * 3);
            v[i].heap_arena = 135168 + 4096 * i;
            v[i].heap_in_use = 100000 + 77 * i;
            v[i].heap_free = 35168 + i;
            v[i].live_bytes = 90000 + 70 * i;
            v[i].live_blocks = 100 + i;
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_LEAKS: {
        ms_leak *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].addr = 0x555555a00000ULL + 64 * i + sd;
            v[i].size = 16 + i % 100;
            v[i].kind = (uint32_t)(i % 4);
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_STRINGS: {
        ms_string *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].id = i + 1;
            v[i].str = pool_fmt(d, "phase %" PRIu64 " of run %" PRIu64, i, sd);
        }
        d->recs = v;
        break;
    }
    case MS_CHUNK_SUMMARY: {
        ms_kv *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            v[i].key = pool_fmt(d, "key.%" PRIu64 ".%" PRIu64, i, sd);
            if (i % 2) {
                v[i].s = pool_fmt(d, "value %" PRIu64 "%.0" PRIu64, i * 3, 0);
            } else {
                v[i].u = i * 1000003u + sd;
            }
        }
        d->recs = v;
        break;
    }
    default:
        d->recs = NULL;
    }
}

static void gen_free(fx_data *d)
{
    free(d->recs);
    free(d->pool);
    free(d->frames);
}

ms_error fx_add(ms_writer *w, const fx_spec *s)
{
    fx_data d;
    gen(s, &d);
    ms_error e;
    switch (s->type) {
    case MS_CHUNK_EVENTS: e = ms_writer_add_events(w, s->thread, d.recs, s->n); break;
    case MS_CHUNK_SITES: e = ms_writer_add_sites(w, d.recs, s->n); break;
    case MS_CHUNK_STACKS: e = ms_writer_add_stacks(w, d.recs, s->n); break;
    case MS_CHUNK_MODULES: e = ms_writer_add_modules(w, d.recs, s->n); break;
    case MS_CHUNK_THREADS: e = ms_writer_add_threads(w, d.recs, s->n); break;
    case MS_CHUNK_COUNTERS: e = ms_writer_add_counters(w, d.recs, s->n); break;
    case MS_CHUNK_LEAKS: e = ms_writer_add_leaks(w, d.recs, s->n); break;
    case MS_CHUNK_STRINGS: e = ms_writer_add_strings(w, d.recs, s->n); break;
    case MS_CHUNK_SUMMARY: e = ms_writer_add_summary(w, d.recs, s->n); break;
    default: e = MS_ERR_INVALID_ARG;
    }
    gen_free(&d);
    return e;
}

static int streq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "fx_check: type %u item %zu: %s\n", s->type, i, #cond);   \
            ok = 0;                                                                   \
            goto out;                                                                 \
        }                                                                             \
    } while (0)

int fx_check(const fx_spec *s, const ms_decoded *dec)
{
    fx_data d;
    int ok = 1;
    size_t i = 0;
    gen(s, &d);
    CHECK(dec->type == s->type);
    CHECK(dec->count == s->n);
    CHECK(s->type != MS_CHUNK_EVENTS || dec->thread == s->thread);
    for (i = 0; i < s->n; i++) {
        switch (s->type) {
        case MS_CHUNK_EVENTS: {
            const ms_event *a = &dec->u.events[i], *b = &((ms_event *)d.recs)[i];
            CHECK(memcmp(a, b, sizeof *a) == 0);
            break;
        }
        case MS_CHUNK_SITES: {
            const ms_site *a = &dec->u.sites[i], *b = &((ms_site *)d.recs)[i];
            CHECK(a->id == b->id && a->kind == b->kind && a->line == b->line);
            CHECK(a->column == b->column && a->flags == b->flags && a->elem_size == b->elem_size);
            CHECK(a->file && a->function && a->type_name && a->var_name && a->callee);
            CHECK(streq(a->file, b->file) && streq(a->function, b->function));
            CHECK(streq(a->type_name, b->type_name) && streq(a->var_name, b->var_name));
            CHECK(streq(a->callee, b->callee));
            break;
        }
        case MS_CHUNK_STACKS: {
            const ms_stack *a = &dec->u.stacks[i], *b = &((ms_stack *)d.recs)[i];
            CHECK(a->id == b->id && a->depth == b->depth);
            CHECK(a->depth == 0 || memcmp(a->frames, b->frames, a->depth * 8) == 0);
            break;
        }
        case MS_CHUNK_MODULES: {
            const ms_module *a = &dec->u.modules[i], *b = &((ms_module *)d.recs)[i];
            CHECK(a->time_ns == b->time_ns && a->base == b->base && a->size == b->size);
            CHECK(streq(a->path, b->path) && a->loaded == b->loaded);
            CHECK(a->build_id_len == b->build_id_len);
            CHECK(a->build_id_len == 0 || memcmp(a->build_id, b->build_id, a->build_id_len) == 0);
            break;
        }
        case MS_CHUNK_THREADS: {
            const ms_thread *a = &dec->u.threads[i], *b = &((ms_thread *)d.recs)[i];
            CHECK(a->tid == b->tid && a->parent_tid == b->parent_tid);
            CHECK(a->start_ns == b->start_ns && a->end_ns == b->end_ns && streq(a->name, b->name));
            break;
        }
        case MS_CHUNK_COUNTERS:
            CHECK(memcmp(&dec->u.counters[i], &((ms_counter *)d.recs)[i], sizeof(ms_counter)) == 0);
            break;
        case MS_CHUNK_LEAKS:
            CHECK(memcmp(&dec->u.leaks[i], &((ms_leak *)d.recs)[i], sizeof(ms_leak)) == 0);
            break;
        case MS_CHUNK_STRINGS: {
            const ms_string *a = &dec->u.strings[i], *b = &((ms_string *)d.recs)[i];
            CHECK(a->id == b->id && streq(a->str, b->str));
            break;
        }
        case MS_CHUNK_SUMMARY: {
            const ms_kv *a = &dec->u.kvs[i], *b = &((ms_kv *)d.recs)[i];
            CHECK(streq(a->key, b->key));
            CHECK((a->s == NULL) == (b->s == NULL));
            CHECK(a->s ? streq(a->s, b->s) : a->u == b->u);
            break;
        }
        default:
            CHECK(0);
        }
    }
out:
    gen_free(&d);
    return ok;
}

size_t fx_all_types(fx_spec *out, size_t n, uint32_t seed)
{
    static const uint32_t types[] = {MS_CHUNK_SITES,    MS_CHUNK_STACKS,  MS_CHUNK_MODULES,
                                     MS_CHUNK_THREADS,  MS_CHUNK_EVENTS,  MS_CHUNK_COUNTERS,
                                     MS_CHUNK_SUMMARY,  MS_CHUNK_LEAKS,   MS_CHUNK_STRINGS};
    size_t k = sizeof types / sizeof types[0];
    for (size_t i = 0; i < k; i++) {
        out[i].type = types[i];
        out[i].thread = types[i] == MS_CHUNK_EVENTS ? 7 : 0;
        out[i].n = n;
        out[i].seed = seed + (uint32_t)i;
    }
    return k;
}

ms_error fx_write_file(const char *path, ms_codec codec, int level, const fx_spec *specs,
                       size_t nspecs, int no_close)
{
    ms_writer_options o;
    ms_writer_options_init(&o);
    o.codec = codec;
    o.level = level;
    o.pid = 4242;
    o.flags = MS_HDR_F_WHOLE_HEAP;
    o.created_unix_ns = 1700000000000000000ULL;
    o.exe = "/usr/bin/fixture";
    ms_writer *w;
    ms_error e = ms_writer_open_path(path, &o, &w);
    if (e != MS_OK)
        return e;
    for (size_t i = 0; i < nspecs && e == MS_OK; i++)
        e = fx_add(w, &specs[i]);
    if (e != MS_OK || no_close) {
        ms_writer_flush(w, 0);
        ms_writer_abandon(w);
        return e;
    }
    return ms_writer_close(w);
}

uint8_t *fx_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    uint8_t *p = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (p && got < (size_t)st.st_size) {
        ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (p && got != (size_t)st.st_size) {
        free(p);
        return NULL;
    }
    *len = got;
    return p;
}

void fx_tmp_path(char *buf, size_t len, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, len, "%s/msfmt-%s-%d.ms", dir && *dir ? dir : "/tmp", tag, (int)getpid());
}
