/*
 * report_out_json.c - the --json document: every analysis, machine readable.
 * The schema (field names, units, meaning) is docs/JSON.md; fields are only
 * ever added. Bump RP_JSON_SCHEMA on any rename or removal.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static size_t lim(const rp_outopts *o, size_t n) { return o->top_n && o->top_n < n ? o->top_n : n; }

static uint64_t thread_tid(const rp_model *m, uint32_t ti) {
    return ti < m->nthreads ? m->threads[ti].tid : 0;
}

static void site_obj(rp_json *j, const rp_model *m, uint32_t si) {
    if (si == RP_NONE) {  /* not in the event stream (a leak-scan record) */
        rp_json_null(j);
        return;
    }
    const ms_site *s = si < m->nsites ? m->sites[si].s : NULL;
    rp_json_obj(j);
    rp_json_khex(j, "id", si < m->nsites ? m->sites[si].id : 0);
    const char *kind = s ? ms_site_kind_name(s->kind) : NULL;
    rp_json_kstr(j, "kind", kind ? kind : (si == 0 ? "uninstrumented" : "unknown"));
    rp_json_kstr(j, "file", rp_site_file(m, si));
    rp_json_ku64(j, "line", rp_site_line(m, si));
    rp_json_ku64(j, "column", s ? s->column : 0);
    rp_json_kstr(j, "function", rp_site_func(m, si));
    rp_json_kstr(j, "type", rp_site_type(m, si));
    rp_json_kstr(j, "variable", rp_site_var(m, si));
    if (s && s->callee && *s->callee)
        rp_json_kstr(j, "callee", s->callee);
    rp_json_obj_end(j);
}

static void frames_arr(rp_json *j, rp_model *m, rp_symbolizer *sym, uint32_t sk) {
    size_t n = 0;
    const rp_frame *f = rp_sym_stack(sym, m, sk, &n);
    rp_json_arr(j);
    for (size_t i = 0; i < n; i++) {
        rp_json_obj(j);
        rp_json_khex(j, "addr", f[i].addr);
        rp_json_kstr(j, "function", f[i].function);
        rp_json_kstr(j, "file", f[i].file);
        rp_json_ku64(j, "line", f[i].line);
        rp_json_kbool(j, "inlined", f[i].inlined);
        rp_json_kstr(j, "module", f[i].module);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
}

static void stack_obj(rp_json *j, rp_model *m, rp_symbolizer *sym, uint32_t sk) {
    if (!sk || sk >= m->nstacks) {
        rp_json_null(j);
        return;
    }
    rp_json_obj(j);
    rp_json_ku64(j, "id", m->stacks[sk].id);
    rp_json_key(j, "frames");
    frames_arr(j, m, sym, sk);
    rp_json_obj_end(j);
}

static void stat_fields(rp_json *j, const rp_stat *s) {
    rp_json_ku64(j, "allocations", s->allocs);
    rp_json_ku64(j, "frees", s->frees);
    rp_json_ku64(j, "reallocations", s->reallocs);
    rp_json_ku64(j, "bytes", s->bytes);
    rp_json_ku64(j, "peak_bytes", s->max_live);
    rp_json_ku64(j, "at_peak_bytes", s->at_peak);
    rp_json_ku64(j, "live_bytes", s->live);
    rp_json_ku64(j, "live_blocks", s->live_blocks);
    rp_json_ku64(j, "temporaries", s->temporaries);
    rp_json_ku64(j, "mean_lifetime_ns", s->frees ? s->lifetime_sum / s->frees : 0);
}

static void size_hist(rp_json *j, const uint64_t *h) {
    rp_json_arr(j);
    for (unsigned b = 0; b < RP_HIST; b++) {
        if (!h[b])
            continue;
        rp_json_obj(j);
        rp_json_ku64(j, "min", b ? 1ull << (b - 1) : 0);
        rp_json_ku64(j, "max", b ? (b < RP_HIST - 1 ? (1ull << b) - 1 : UINT64_MAX) : 0);
        rp_json_ku64(j, "count", h[b]);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
}

/* lifetimes by power of two (the finer sub-buckets merged) */
static void lifetime_hist(rp_json *j, const uint32_t *h) {
    rp_json_arr(j);
    if (h) {
        uint64_t pow2[RP_HIST] = {0};
        for (unsigned b = 0; b < RP_LT_BUCKETS; b++)
            if (h[b])
                pow2[rp_log2_bucket(rp_lt_value(b))] += h[b];
        for (unsigned b = 0; b < RP_HIST; b++) {
            if (!pow2[b])
                continue;
            rp_json_obj(j);
            rp_json_ku64(j, "min_ns", b ? 1ull << (b - 1) : 0);
            rp_json_ku64(j, "max_ns", b ? (b < RP_HIST - 1 ? (1ull << b) - 1 : UINT64_MAX) : 0);
            rp_json_ku64(j, "count", pow2[b]);
            rp_json_obj_end(j);
        }
    }
    rp_json_arr_end(j);
}

static void trace_section(rp_json *j, rp_model *m) {
    char buf[768];
    const char *notice = rp_recovery_notice(m, buf, sizeof buf);
    rp_json_key(j, "trace");
    rp_json_obj(j);
    rp_json_kstr(j, "file", m->path);
    rp_json_kbool(j, "complete", m->recovery.complete && !m->damaged_chunks);
    rp_json_kbool(j, "recovered", !m->recovery.complete || m->damaged_chunks);
    rp_json_kstr(j, "notice", notice);
    rp_json_ku64(j, "file_size", m->recovery.file_size);
    rp_json_ku64(j, "valid_bytes", m->recovery.valid_bytes);
    rp_json_ku64(j, "lost_bytes", m->recovery.lost_bytes);
    rp_json_kstr(j, "stop_reason", m->recovery.complete ? NULL : ms_error_name(m->recovery.stop_reason));
    rp_json_ku64(j, "stop_offset", m->recovery.stop_offset);
    rp_json_ku64(j, "damaged_chunks", m->damaged_chunks);
    rp_json_ku64(j, "chunks", ms_reader_chunk_count(m->reader));
    rp_json_key(j, "header");
    rp_header_json(j, &m->header);
    rp_json_obj_end(j);
}

static void totals_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    const rp_totals *t = &m->tot;
    uint64_t dur = t->t_last > t->t_first ? t->t_last - t->t_first : 0;
    rp_json_key(j, "totals");
    rp_json_obj(j);
    rp_json_ku64(j, "events", t->events);
    rp_json_ku64(j, "allocations", t->allocs);
    rp_json_ku64(j, "frees", t->frees);
    rp_json_ku64(j, "reallocations", t->reallocs);
    /* valgrind's "total heap usage: N allocs, M frees" counts a realloc of
     * a live block as one of each */
    rp_json_ku64(j, "valgrind_allocs", t->allocs + t->reallocs);
    rp_json_ku64(j, "valgrind_frees", t->frees + t->reallocs);
    rp_json_ku64(j, "custom_allocations", t->custom_allocs);
    rp_json_ku64(j, "custom_frees", t->custom_frees);
    rp_json_ku64(j, "failed_allocations", t->failed_allocs);
    rp_json_ku64(j, "failed_reallocations", t->failed_reallocs);
    rp_json_ku64(j, "zero_size_allocations", t->zero_size_allocs);
    rp_json_ku64(j, "uninstrumented_allocations", t->no_site_allocs);
    rp_json_ku64(j, "bytes_requested", t->bytes_requested);
    rp_json_ku64(j, "peak_bytes", t->peak);
    rp_json_ku64(j, "peak_blocks", t->peak_blocks);
    rp_json_ku64(j, "peak_time_ns", t->peak_time);
    rp_json_ku64(j, "live_bytes_at_end", t->live);
    rp_json_ku64(j, "live_blocks_at_end", t->live_blocks);
    rp_json_ku64(j, "first_event_ns", t->t_first);
    rp_json_ku64(j, "last_event_ns", t->t_last);
    rp_json_ku64(j, "duration_ns", dur);
    rp_json_kdbl(j, "events_per_second", dur ? (double)t->events * 1e9 / (double)dur : 0.0);
    rp_json_ku64(j, "temporaries", t->temporaries);
    rp_json_ku64(j, "mean_lifetime_ns", t->lifetimes ? t->lifetime_sum / t->lifetimes : 0);
    rp_json_ku64(j, "scope_exits", t->scope_exits);
    rp_json_ku64(j, "escapes", t->escapes);
    rp_json_ku64(j, "local_deads", t->local_deads);
    rp_json_ku64(j, "destructor_events", t->dtor_events);
    rp_json_ku64(j, "alloc_over_live", t->alloc_over_live);
    rp_json_ku64(j, "unknown_events", t->unknown_events);
    rp_json_ku64(j, "counter_samples", m->counters);
    rp_json_ku64(j, "max_rss_bytes", m->max_rss);
    rp_json_ku64(j, "max_heap_in_use_bytes", m->max_heap_in_use);
    rp_json_ku64(j, "max_heap_arena_bytes", m->max_heap_arena);
    size_t n = 0;
    uint32_t *top = rp_top_sites(m, RP_BY_PEAK, &n);
    rp_json_key(j, "peak_contributors");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, n); i++) {
        rp_json_obj(j);
        rp_json_key(j, "site");
        site_obj(j, m, top[i]);
        rp_json_ku64(j, "at_peak_bytes", m->sites[top[i]].st.at_peak);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    free(top);
    rp_json_obj_end(j);
}

static void leaks_section(rp_json *j, rp_model *m, rp_symbolizer *sym, const rp_outopts *o) {
    const rp_leaks *lk = &m->lk;
    rp_json_key(j, "leaks");
    rp_json_obj(j);
    rp_json_kbool(j, "scan", lk->scan);
    rp_json_kstr(j, "reason", lk->scan ? NULL
                                       : "no exit-time leak scan in the trace (the program was "
                                         "killed or the trace is truncated): blocks are live at end");
    static const uint32_t kinds[] = {MS_LEAK_DEFINITE, MS_LEAK_INDIRECT, MS_LEAK_POSSIBLE,
                                     MS_LEAK_REACHABLE};
    for (size_t k = 0; k < 4; k++) {
        rp_json_key(j, rp_leak_kind_name(kinds[k]));
        rp_json_obj(j);
        rp_json_ku64(j, "blocks", lk->blocks[kinds[k]]);
        rp_json_ku64(j, "bytes", lk->bytes[kinds[k]]);
        rp_json_obj_end(j);
    }
    rp_json_key(j, "live_at_end");
    rp_json_obj(j);
    rp_json_ku64(j, "blocks", lk->live_end_blocks);
    rp_json_ku64(j, "bytes", lk->live_end_bytes);
    rp_json_obj_end(j);
    rp_json_ku64(j, "unmatched_records", lk->unmatched);
    rp_json_key(j, "groups");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, lk->ng); i++) {
        const rp_leakgroup *g = &lk->g[i];
        rp_json_obj(j);
        rp_json_kstr(j, "kind", rp_leak_kind_name(g->kind));
        rp_json_ku64(j, "count", g->count);
        rp_json_ku64(j, "bytes", g->bytes);
        rp_json_kstr(j, "type", rp_site_type(m, g->site));
        rp_json_kstr(j, "variable", rp_site_var(m, g->site));
        rp_json_kstr(j, "name", rp_string(m, g->name));
        rp_json_key(j, "site");
        site_obj(j, m, g->site);
        rp_json_key(j, "stack");
        stack_obj(j, m, sym, g->stack);
        rp_json_key(j, "owners");
        rp_json_arr(j);
        for (uint32_t k = 0; k < g->nowners; k++) {
            uint32_t os = g->owners[k].site;
            rp_json_obj(j);
            rp_json_kstr(j, "variable", rp_site_var(m, os));
            rp_json_kstr(j, "function", rp_site_func(m, os));
            rp_json_kstr(j, "file", rp_site_file(m, os));
            rp_json_ku64(j, "line", rp_site_line(m, os));
            rp_json_ku64(j, "count", g->owners[k].count);
            rp_json_ku64(j, "last_time_ns", g->owners[k].last_time);
            rp_json_obj_end(j);
        }
        rp_json_arr_end(j);
        rp_json_ku64(j, "without_owner", g->no_owner);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    rp_json_obj_end(j);
}

static void sites_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    size_t n = 0;
    uint32_t *top = rp_top_sites(m, RP_BY_BYTES, &n);
    rp_json_key(j, "sites");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, n); i++) {
        const rp_site *s = &m->sites[top[i]];
        rp_json_obj(j);
        rp_json_key(j, "site");
        site_obj(j, m, top[i]);
        stat_fields(j, &s->st);
        rp_json_ku64(j, "median_lifetime_ns", rp_lt_median(s->lt_hist));
        rp_json_key(j, "lifetime_histogram");
        lifetime_hist(j, s->lt_hist);
        rp_json_key(j, "size_histogram");
        size_hist(j, s->size_hist);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    free(top);
}

static void stacks_section(rp_json *j, rp_model *m, rp_symbolizer *sym, const rp_outopts *o) {
    size_t n = 0;
    uint32_t *top = rp_top_stacks(m, RP_BY_BYTES, &n);
    rp_json_key(j, "stacks");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, n); i++) {
        if (!top[i])
            continue;  /* "no stack" */
        rp_json_obj(j);
        rp_json_ku64(j, "id", m->stacks[top[i]].id);
        stat_fields(j, &m->stacks[top[i]].st);
        rp_json_key(j, "frames");
        frames_arr(j, m, sym, top[i]);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    free(top);
}

static void types_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    size_t n = 0;
    uint32_t *top = rp_top_types(m, RP_BY_BYTES, &n);
    rp_json_key(j, "types");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, n); i++) {
        const rp_type *t = &m->types[top[i]];
        rp_json_obj(j);
        rp_json_kstr(j, "type", t->name);
        stat_fields(j, &t->st);
        rp_json_ku64(j, "median_lifetime_ns", rp_lt_median(t->lt_hist));
        rp_json_key(j, "lifetime_histogram");
        lifetime_hist(j, t->lt_hist);
        rp_json_key(j, "size_histogram");
        size_hist(j, t->size_hist);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    free(top);
}

static void temporaries_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    rp_json_key(j, "temporaries");
    rp_json_obj(j);
    rp_json_ku64(j, "count", m->tot.temporaries);
    rp_json_ku64(j, "threshold_ns", m->opt.temp_ns);
    size_t n = 0, k = 0;
    uint32_t *top = rp_top_sites(m, RP_BY_COUNT, &n);
    rp_json_key(j, "by_site");
    rp_json_arr(j);
    for (size_t i = 0; i < n && (!o->top_n || k < o->top_n); i++) {
        const rp_site *s = &m->sites[top[i]];
        if (!s->st.temporaries)
            continue;
        k++;
        rp_json_obj(j);
        rp_json_key(j, "site");
        site_obj(j, m, top[i]);
        rp_json_ku64(j, "temporaries", s->st.temporaries);
        rp_json_ku64(j, "allocations", s->st.allocs);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    free(top);
    rp_json_obj_end(j);
}

static int chain_cmp(const void *a, const void *b) {
    const rp_chain *x = a, *y = b;
    if (x->quadratic != y->quadratic)
        return y->quadratic - x->quadratic;
    if (x->copied != y->copied)
        return x->copied > y->copied ? -1 : 1;
    return 0;
}

static void reallocs_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    rp_reallocs *rc = &m->rc;
    qsort(rc->top, rc->ntop, sizeof rc->top[0], chain_cmp);
    rp_json_key(j, "realloc_chains");
    rp_json_obj(j);
    rp_json_ku64(j, "chains", rc->chains);
    rp_json_ku64(j, "quadratic", rc->quadratic_chains);
    rp_json_ku64(j, "steps", rc->steps);
    rp_json_ku64(j, "bytes_copied", rc->copied);
    rp_json_key(j, "top");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, rc->ntop); i++) {
        const rp_chain *c = &rc->top[i];
        const char *var = rp_site_var(m, c->site);
        if (!strcmp(var, "?"))
            var = rp_site_var(m, c->alloc_site);
        rp_json_obj(j);
        rp_json_kstr(j, "variable", var);
        rp_json_kstr(j, "type", rp_site_type(m, c->alloc_site));
        rp_json_key(j, "site");
        site_obj(j, m, c->site);
        rp_json_key(j, "alloc_site");
        site_obj(j, m, c->alloc_site);
        rp_json_ku64(j, "thread", thread_tid(m, c->thread));
        rp_json_ku64(j, "steps", c->steps);
        rp_json_key(j, "sizes");
        rp_json_arr(j);
        size_t ns = c->nsizes < 32 ? c->nsizes : 32;
        for (size_t k = 0; k < ns; k++)
            rp_json_u64(j, c->sizes[k]);
        rp_json_arr_end(j);
        rp_json_kbool(j, "sizes_truncated", c->nsizes > 32);
        rp_json_ku64(j, "first_size", c->first_size);
        rp_json_ku64(j, "last_size", c->last_size);
        rp_json_kdbl(j, "growth_factor", rp_chain_factor(c));
        rp_json_ku64(j, "min_step", c->min_delta == UINT64_MAX ? 0 : c->min_delta);
        rp_json_ku64(j, "max_step", c->max_delta);
        rp_json_ku64(j, "shrinks", c->shrinks);
        rp_json_ku64(j, "bytes_copied", c->copied);
        rp_json_kbool(j, "quadratic", c->quadratic);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    rp_json_obj_end(j);
}

static void side(rp_json *j, const rp_model *m, const char *key, uint32_t th, uint32_t site) {
    rp_json_key(j, key);
    rp_json_obj(j);
    rp_json_ku64(j, "thread", thread_tid(m, th));
    rp_json_kstr(j, "thread_name", th < m->nthreads ? m->threads[th].name : "");
    rp_json_key(j, "site");
    site_obj(j, m, site);
    rp_json_obj_end(j);
}

static void threads_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    rp_json_key(j, "threads");
    rp_json_arr(j);
    for (size_t i = 0; i < m->nthreads; i++) {
        const rp_thread *t = &m->threads[i];
        rp_json_obj(j);
        rp_json_ku64(j, "tid", t->tid);
        rp_json_ku64(j, "parent_tid", t->parent_tid);
        rp_json_kstr(j, "name", t->name);
        rp_json_ku64(j, "start_ns", t->start_ns);
        rp_json_ku64(j, "end_ns", t->end_ns);
        rp_json_ku64(j, "events", t->events);
        stat_fields(j, &t->st);
        rp_json_ku64(j, "cross_thread_frees_out", t->cross_frees_out);
        rp_json_ku64(j, "cross_thread_frees_in", t->cross_frees_in);
        rp_json_ku64(j, "max_destructor_depth", t->max_dtor_depth);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    rp_json_key(j, "cross_thread_frees");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, m->nxf); i++) {
        const rp_xfree *x = &m->xf[i];
        rp_json_obj(j);
        rp_json_ku64(j, "count", x->count);
        rp_json_ku64(j, "bytes", x->bytes);
        rp_json_kstr(j, "type", rp_site_type(m, x->alloc_site));
        rp_json_kstr(j, "variable", rp_site_var(m, x->alloc_site));
        side(j, m, "alloc", x->alloc_thread, x->alloc_site);
        side(j, m, "free", x->free_thread, x->free_site);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
}

static void errors_section(rp_json *j, rp_model *m, rp_symbolizer *sym, const rp_outopts *o) {
    const rp_errors *e = &m->err;
    int sound = (m->header.flags & MS_HDR_F_WHOLE_HEAP) != 0;
    rp_json_key(j, "errors");
    rp_json_obj(j);
    rp_json_kbool(j, "sound", sound);
    rp_json_kstr(j, "note", sound ? NULL
                                  : "the trace lacks whole-heap coverage (uninstrumented "
                                    "allocations not recorded): invalid/interior frees may be "
                                    "frees of unrecorded blocks");
    rp_json_key(j, "counts");
    rp_json_obj(j);
    for (uint32_t k = 0; k < RP_ERR_KIND_MAX_; k++)
        rp_json_ku64(j, rp_err_kind_name(k), e->count[k]);
    rp_json_obj_end(j);
    rp_json_ku64(j, "absorbed_wrapper_frees", e->absorbed_frees);
    rp_json_ku64(j, "unmatched_custom_frees", e->unmatched_custom_frees);
    rp_json_ku64(j, "freed_history_evicted", e->evicted);
    rp_json_kbool(j, "search_limited", e->scans_exhausted);
    rp_json_key(j, "list");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, e->nkept); i++) {
        const rp_err *r = &e->kept[i];
        rp_json_obj(j);
        rp_json_kstr(j, "kind", rp_err_kind_name(r->kind));
        rp_json_ku64(j, "time_ns", r->time);
        rp_json_ku64(j, "thread", thread_tid(m, r->thread));
        rp_json_khex(j, "addr", r->addr);
        rp_json_key(j, "site");
        site_obj(j, m, r->site);
        rp_json_key(j, "stack");
        stack_obj(j, m, sym, r->stack);
        rp_json_key(j, "other");
        if (r->other_thread == RP_NONE) {
            rp_json_null(j);
        } else {
            rp_json_obj(j);
            rp_json_kstr(j, "role", r->kind == RP_ERR_DANGLING_STACK ? "escape"
                                    : (r->kind == RP_ERR_DOUBLE_FREE || r->kind == RP_ERR_REALLOC_FREED)
                                        ? "first_free"
                                        : "allocation");
            rp_json_ku64(j, "time_ns", r->other_time);
            rp_json_ku64(j, "thread", thread_tid(m, r->other_thread));
            rp_json_key(j, "site");
            site_obj(j, m, r->other_site);
            rp_json_key(j, "stack");
            stack_obj(j, m, sym, r->other_stack);
            rp_json_obj_end(j);
        }
        if (r->block_addr || r->block_size) {
            rp_json_key(j, "block");
            rp_json_obj(j);
            rp_json_khex(j, "addr", r->block_addr);
            rp_json_ku64(j, "size", r->block_size);
            rp_json_ku64(j, "offset", r->kind == RP_ERR_DANGLING_STACK ? r->slot - r->block_addr
                                                                      : r->addr - r->block_addr);
            rp_json_key(j, "alloc_site");
            site_obj(j, m, r->alloc_site);
            rp_json_key(j, "alloc_stack");
            stack_obj(j, m, sym, r->alloc_stack);
            rp_json_obj_end(j);
        }
        if (r->kind == RP_ERR_DANGLING_STACK) {
            rp_json_khex(j, "slot", r->slot);
            rp_json_kbool(j, "slot_global", r->slot_global);
            rp_json_kstr(j, "local", rp_site_var(m, r->site));
        }
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    rp_json_obj_end(j);
}

static void dtors_section(rp_json *j, rp_model *m, const rp_outopts *o) {
    const rp_dtors *d = &m->dt;
    rp_json_key(j, "destructors");
    rp_json_obj(j);
    rp_json_ku64(j, "max_depth", d->max_depth);
    rp_json_ku64(j, "unmatched_ends", d->unmatched_ends);
    rp_json_ku64(j, "unclosed", d->unclosed);
    rp_json_key(j, "by_site");
    rp_json_arr(j);
    for (size_t i = 0; i < lim(o, d->n); i++) {
        const rp_dtorstat *s = &d->v[i];
        const ms_site *ms = s->site < m->nsites ? m->sites[s->site].s : NULL;
        rp_json_obj(j);
        rp_json_kstr(j, "callee", ms && ms->callee && *ms->callee ? ms->callee : NULL);
        rp_json_key(j, "site");
        site_obj(j, m, s->site);
        rp_json_ku64(j, "calls", s->calls);
        rp_json_ku64(j, "total_ns", s->total_ns);
        rp_json_ku64(j, "max_ns", s->max_ns);
        rp_json_ku64(j, "mean_ns", s->calls ? s->total_ns / s->calls : 0);
        rp_json_ku64(j, "frees", s->frees);
        rp_json_ku64(j, "freed_bytes", s->freed_bytes);
        rp_json_ku64(j, "max_depth", s->max_depth);
        rp_json_obj_end(j);
    }
    rp_json_arr_end(j);
    rp_json_obj_end(j);
}

static void tree_node(rp_json *j, const rp_ctree *t, uint32_t n, int depth, size_t maxc) {
    rp_json_obj(j);
    rp_json_kstr(j, "function", t->n[n].name);
    rp_json_ku64(j, "allocations", t->n[n].allocs);
    rp_json_ku64(j, "bytes", t->n[n].bytes);
    rp_json_ku64(j, "at_peak_bytes", t->n[n].peak);
    rp_json_key(j, "children");
    rp_json_arr(j);
    size_t k = 0;
    if (depth < 64)
        for (uint32_t c = t->n[n].first_child; c != RP_NONE && k < maxc; c = t->n[c].next_sibling, k++)
            tree_node(j, t, c, depth + 1, maxc);
    rp_json_arr_end(j);
    rp_json_obj_end(j);
}

static void calltree_section(rp_json *j, rp_model *m, rp_symbolizer *sym, const rp_outopts *o) {
    rp_json_key(j, "call_tree");
    rp_json_obj(j);
    for (int bu = 0; bu < 2; bu++) {
        rp_ctree t;
        rp_json_key(j, bu ? "bottom_up" : "top_down");
        if (rp_calltree_build(m, sym, bu, &t)) {
            rp_json_null(j);
        } else {
            tree_node(j, &t, 0, 0, o->top_n ? o->top_n : 1000);
        }
        rp_calltree_free(&t);
    }
    rp_json_obj_end(j);
}

int rp_out_json(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f) {
    rp_json j;
    rp_json_init(&j, f);
    rp_json_obj(&j);
    rp_json_ku64(&j, "schema", RP_JSON_SCHEMA);
    rp_json_kstr(&j, "tool", RP_PROG);
    trace_section(&j, m);
    rp_json_kbool(&j, "whole_heap", (m->header.flags & MS_HDR_F_WHOLE_HEAP) != 0);
    rp_json_key(&j, "warnings");
    rp_json_arr(&j);
    char lossbuf[512];
    if (rp_loss_warning(m, lossbuf, sizeof lossbuf))
        rp_json_str(&j, lossbuf);
    if (rp_scan_warning(m, lossbuf, sizeof lossbuf))
        rp_json_str(&j, lossbuf);
    for (size_t i = 0; i < rp_sym_warning_count(sym); i++)
        rp_json_str(&j, rp_sym_warning(sym, i));
    rp_json_arr_end(&j);
    totals_section(&j, m, o);
    rp_json_key(&j, "phases");
    rp_json_arr(&j);
    for (size_t i = 0; i < m->nphases; i++) {
        rp_json_obj(&j);
        rp_json_ku64(&j, "time_ns", m->phases[i].time);
        rp_json_kstr(&j, "name", rp_string(m, m->phases[i].name));
        rp_json_ku64(&j, "thread", thread_tid(m, m->phases[i].thread));
        rp_json_obj_end(&j);
    }
    rp_json_arr_end(&j);
    rp_json_key(&j, "run_summary");
    rp_json_obj(&j);
    for (size_t i = 0; i < m->nsummary; i++) {
        rp_json_key(&j, m->summary[i]->key ? m->summary[i]->key : "");
        if (m->summary[i]->s)
            rp_json_str(&j, m->summary[i]->s);
        else
            rp_json_u64(&j, m->summary[i]->u);
    }
    rp_json_obj_end(&j);
    leaks_section(&j, m, sym, o);
    sites_section(&j, m, o);
    stacks_section(&j, m, sym, o);
    types_section(&j, m, o);
    temporaries_section(&j, m, o);
    reallocs_section(&j, m, o);
    threads_section(&j, m, o);
    errors_section(&j, m, sym, o);
    dtors_section(&j, m, o);
    calltree_section(&j, m, sym, o);
    rp_json_obj_end(&j);
    return rp_json_end(&j);
}
