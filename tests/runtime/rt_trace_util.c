/* rt_trace_util.c - load a trace for the runtime tests (see rt_trace_util.h). */
#include "rt_trace_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_chunk(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d) {
    (void)index;
    rt_trace *t = user;
    switch (d->type) {
    case MS_CHUNK_EVENTS:
        t->ev = realloc(t->ev, (t->n_ev + d->count) * sizeof *t->ev);
        for (size_t i = 0; i < d->count; i++) {
            t->ev[t->n_ev].ev = d->u.events[i];
            t->ev[t->n_ev].thread = info->thread;
            t->n_ev++;
        }
        break;
    case MS_CHUNK_THREADS:
        t->threads = realloc(t->threads, (t->n_threads + d->count) * sizeof *t->threads);
        memcpy(t->threads + t->n_threads, d->u.threads, d->count * sizeof *t->threads);
        for (size_t i = 0; i < d->count; i++)
            t->threads[t->n_threads + i].name = NULL;
        t->n_threads += d->count;
        break;
    case MS_CHUNK_LEAKS:
        t->leaks = realloc(t->leaks, (t->n_leaks + d->count) * sizeof *t->leaks);
        memcpy(t->leaks + t->n_leaks, d->u.leaks, d->count * sizeof *t->leaks);
        t->n_leaks += d->count;
        break;
    case MS_CHUNK_STACKS:
        t->n_stacks += d->count;
        break;
    case MS_CHUNK_SITES:
        t->sites = realloc(t->sites, (t->n_sites + d->count) * sizeof *t->sites);
        memcpy(t->sites + t->n_sites, d->u.sites, d->count * sizeof *t->sites);
        t->n_sites += d->count;
        break;
    case MS_CHUNK_COUNTERS:
        t->n_counters += d->count;
        break;
    case MS_CHUNK_MODULES:
        t->module_paths = realloc(t->module_paths, (t->n_modules + d->count) * sizeof(char *));
        for (size_t i = 0; i < d->count; i++)
            t->module_paths[t->n_modules++] = strdup(d->u.modules[i].path);
        break;
    case MS_CHUNK_STRINGS:
        t->strings = realloc(t->strings, (t->n_strings + d->count) * sizeof(char *));
        t->string_ids = realloc(t->string_ids, (t->n_strings + d->count) * sizeof(uint64_t));
        for (size_t i = 0; i < d->count; i++) {
            t->strings[t->n_strings] = strdup(d->u.strings[i].str);
            t->string_ids[t->n_strings++] = d->u.strings[i].id;
        }
        break;
    case MS_CHUNK_SUMMARY:
        for (size_t i = 0; i < d->count && t->n_summary < 64; i++) {
            t->summary_keys[t->n_summary] = strdup(d->u.kvs[i].key);
            t->summary_str[t->n_summary] = d->u.kvs[i].s ? strdup(d->u.kvs[i].s) : NULL;
            t->summary_u[t->n_summary] = d->u.kvs[i].u;
            t->n_summary++;
        }
        break;
    default:
        break;
    }
    ms_decoded_free(d);
    return 0;
}

int rt_trace_load(const char *path, rt_trace *t) {
    memset(t, 0, sizeof *t);
    ms_reader *r = NULL;
    t->open_err = ms_reader_open(path, &r);
    if (t->open_err != MS_OK)
        return -1;
    t->hdr = *ms_reader_header(r);
    t->hdr.exe = NULL;
    t->complete = ms_reader_recovery(r)->complete;
    for (uint32_t ty = MS_CHUNK_SITES; ty < MS_CHUNK_INDEX; ty++)
        ms_reader_load_type(r, ty, 1, on_chunk, t);
    ms_reader_close(r);
    return 0;
}

void rt_trace_free(rt_trace *t) {
    free(t->ev);
    free(t->threads);
    free(t->leaks);
    free(t->sites);
    for (size_t i = 0; i < t->n_modules; i++)
        free(t->module_paths[i]);
    free(t->module_paths);
    for (size_t i = 0; i < t->n_strings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->string_ids);
    for (size_t i = 0; i < t->n_summary; i++) {
        free(t->summary_keys[i]);
        free(t->summary_str[i]);
    }
    memset(t, 0, sizeof *t);
}

size_t rt_trace_count(const rt_trace *t, int kind, uint64_t site, uint64_t size,
                      unsigned flags_all) {
    size_t n = 0;
    for (size_t i = 0; i < t->n_ev; i++) {
        const ms_event *e = &t->ev[i].ev;
        if ((kind == 0 || e->kind == kind) && (site == 0 || e->site == site) &&
            (size == 0 || e->size == size) && (e->flags & flags_all) == flags_all)
            n++;
    }
    return n;
}

uint64_t rt_trace_summary(const rt_trace *t, const char *k, uint64_t dflt) {
    for (size_t i = 0; i < t->n_summary; i++)
        if (!strcmp(t->summary_keys[i], k))
            return t->summary_u[i];
    return dflt;
}

const char *rt_trace_summary_str(const rt_trace *t, const char *k) {
    for (size_t i = 0; i < t->n_summary; i++)
        if (!strcmp(t->summary_keys[i], k))
            return t->summary_str[i];
    return NULL;
}

const char *rt_trace_string(const rt_trace *t, uint64_t id) {
    for (size_t i = 0; i < t->n_strings; i++)
        if (t->string_ids[i] == id)
            return t->strings[i];
    return NULL;
}

int rt_trace_has_module(const rt_trace *t, const char *needle) {
    for (size_t i = 0; i < t->n_modules; i++)
        if (strstr(t->module_paths[i], needle))
            return 1;
    return 0;
}

int rt_test_mkdtemp(char *dir, size_t len, const char *prefix) {
    if (snprintf(dir, len, "/tmp/%sXXXXXX", prefix) >= (int)len)
        return -1;
    return mkdtemp(dir) ? 0 : -1;
}

int rt_test_rmtree(const char *dir) {
    if (getenv("RT_KEEP"))
        return 0;
    char cmd[600];
    if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= (int)sizeof cmd)
        return -1;
    return system(cmd);
}
