/*
 * rp_trace_builder.c - see rp_trace_builder.h.
 */
#include "rp_trace_builder.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    uint32_t tid;
    ms_event *ev;
    size_t n, cap;
} tb_thr;

struct tb {
    ms_writer *w;
    size_t per_chunk;
    ms_site sites[256];
    size_t nsites;
    ms_stack stacks[64];
    uint64_t frames[64][16];
    size_t nstacks;
    ms_thread threads[16];
    size_t nthreads;
    ms_string strings[32];
    size_t nstrings;
    ms_module modules[8];
    size_t nmodules;
    tb_thr thr[16];
    size_t nthr;
    ms_leak *leaks;
    size_t nleaks, leak_cap;
    ms_kv kv[16];
    size_t nkv;
    int meta_written;
};

tb *tb_open(const char *path, uint32_t flags, size_t per_chunk) {
    tb *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    ms_writer_options o;
    ms_writer_options_init(&o);
    o.flags = flags;
    o.pid = 4242;
    o.exe = "/bin/synthetic";
    o.created_unix_ns = 1700000000000000000ull;
    if (ms_writer_open_path(path, &o, &t->w) != MS_OK) {
        free(t);
        return NULL;
    }
    t->per_chunk = per_chunk ? per_chunk : 4096;
    return t;
}

void tb_site(tb *t, uint64_t id, uint32_t kind, const char *file, uint32_t line,
             const char *func, const char *type, const char *var, const char *callee) {
    ms_site *s = &t->sites[t->nsites++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->kind = kind;
    s->line = line;
    s->file = file ? file : "";
    s->function = func ? func : "";
    s->type_name = type ? type : "?";
    s->var_name = var ? var : "?";
    s->callee = callee ? callee : "";
}

void tb_site_flags(tb *t, uint64_t id, uint32_t flags) {
    for (size_t i = 0; i < t->nsites; i++)
        if (t->sites[i].id == id)
            t->sites[i].flags = flags;
}

void tb_stack(tb *t, uint32_t id, size_t depth, const uint64_t *frames) {
    size_t k = t->nstacks++;
    memcpy(t->frames[k], frames, depth * sizeof *frames);
    t->stacks[k].id = id;
    t->stacks[k].depth = (uint32_t)depth;
    t->stacks[k].frames = t->frames[k];
}

void tb_thread(tb *t, uint32_t tid, const char *name) {
    ms_thread *x = &t->threads[t->nthreads++];
    memset(x, 0, sizeof *x);
    x->tid = tid;
    x->name = name ? name : "";
}

void tb_string(tb *t, uint64_t id, const char *s) {
    t->strings[t->nstrings].id = id;
    t->strings[t->nstrings].str = s;
    t->nstrings++;
}

void tb_module(tb *t, uint64_t base, uint64_t size, const char *path) {
    ms_module *m = &t->modules[t->nmodules++];
    memset(m, 0, sizeof *m);
    m->base = base;
    m->size = size;
    m->path = path;
    m->loaded = 1;
}

void tb_module_build_id(tb *t, const uint8_t *id, uint32_t len) {
    if (!t->nmodules)
        return;
    t->modules[t->nmodules - 1].build_id = id;
    t->modules[t->nmodules - 1].build_id_len = len;
}

static void write_meta(tb *t) {
    if (t->meta_written)
        return;
    t->meta_written = 1;
    if (t->nsites)
        ms_writer_add_sites(t->w, t->sites, t->nsites);
    if (t->nstacks)
        ms_writer_add_stacks(t->w, t->stacks, t->nstacks);
    if (t->nthreads)
        ms_writer_add_threads(t->w, t->threads, t->nthreads);
    if (t->nstrings)
        ms_writer_add_strings(t->w, t->strings, t->nstrings);
    if (t->nmodules)
        ms_writer_add_modules(t->w, t->modules, t->nmodules);
}

static void flush_thr(tb *t, tb_thr *h) {
    if (!h->n)
        return;
    write_meta(t);
    ms_writer_add_events(t->w, h->tid, h->ev, h->n);
    h->n = 0;
}

void tb_ev(tb *t, uint32_t tid, uint64_t time, uint8_t kind, uint64_t addr, uint64_t aux,
           uint64_t size, uint64_t site, uint32_t stack, uint8_t flags) {
    tb_thr *h = NULL;
    for (size_t i = 0; i < t->nthr; i++)
        if (t->thr[i].tid == tid)
            h = &t->thr[i];
    if (!h) {
        h = &t->thr[t->nthr++];
        h->tid = tid;
    }
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 256;
        h->ev = realloc(h->ev, h->cap * sizeof *h->ev);
    }
    ms_event *e = &h->ev[h->n++];
    memset(e, 0, sizeof *e);
    e->time_ns = time;
    e->kind = kind;
    e->addr = addr;
    e->aux = aux;
    e->size = size;
    e->site = site;
    e->stack = stack;
    e->flags = flags;
    if (h->n >= t->per_chunk)
        flush_thr(t, h);
}

void tb_leak(tb *t, uint64_t addr, uint64_t size, uint32_t kind) {
    if (t->nleaks == t->leak_cap) {
        t->leak_cap = t->leak_cap ? t->leak_cap * 2 : 64;
        t->leaks = realloc(t->leaks, t->leak_cap * sizeof *t->leaks);
    }
    ms_leak *l = &t->leaks[t->nleaks++];
    memset(l, 0, sizeof *l);
    l->addr = addr;
    l->size = size;
    l->kind = kind;
}

void tb_summary(tb *t, const char *key, uint64_t u, const char *s) {
    if (t->nkv < sizeof t->kv / sizeof t->kv[0]) {
        t->kv[t->nkv].key = key;
        t->kv[t->nkv].u = u;
        t->kv[t->nkv].s = s;
        t->nkv++;
    }
}

void tb_flush_events(tb *t) {
    for (size_t i = 0; i < t->nthr; i++)
        flush_thr(t, &t->thr[i]);
}

static void finish(tb *t) {
    write_meta(t);
    tb_flush_events(t);
    if (t->nleaks)
        ms_writer_add_leaks(t->w, t->leaks, t->nleaks);
    if (t->nkv)
        ms_writer_add_summary(t->w, t->kv, t->nkv);
}

static void tb_free(tb *t) {
    for (size_t i = 0; i < t->nthr; i++)
        free(t->thr[i].ev);
    free(t->leaks);
    free(t);
}

int tb_close(tb *t) {
    finish(t);
    ms_error e = ms_writer_close(t->w);
    tb_free(t);
    return e == MS_OK ? 0 : -1;
}

int tb_abandon(tb *t) {
    finish(t);
    ms_error e = ms_writer_flush(t->w, 0);
    ms_writer_abandon(t->w);
    tb_free(t);
    return e == MS_OK ? 0 : -1;
}

int tb_cut(const char *path, uint64_t keep, uint64_t drop) {
    struct stat st;
    if (stat(path, &st))
        return -1;
    uint64_t n = keep ? keep : (uint64_t)st.st_size - drop;
    return truncate(path, (off_t)n);
}
