/*
 * report_out_text.c - the default, human-readable summary (in the spirit of
 * heaptrack_print): totals, peak consumers, leaks with their last owners,
 * temporaries, top types, realloc chains, threads, errors, destructors.
 * Every list is limited by -n; colour only when writing to a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

typedef struct {
    FILE *f;
    int color;
    size_t n;
    rp_model *m;
    rp_symbolizer *sym;
} txt;

static void head(txt *t, const char *s) {
    if (t->color)
        fprintf(t->f, "\n\033[1m%s\033[0m\n", s);
    else
        fprintf(t->f, "\n%s\n", s);
}

static const char *red(const txt *t) { return t->color ? "\033[31m" : ""; }
static const char *off(const txt *t) { return t->color ? "\033[0m" : ""; }

static void site_where(txt *t, uint32_t si, int with_type);
static void site_line(txt *t, uint32_t si) { site_where(t, si, 1); }

static void site_where(txt *t, uint32_t si, int with_type) {
    const rp_model *m = t->m;
    const char *file = rp_site_file(m, si), *fn = rp_site_func(m, si);
    if (si == RP_NONE) {
        fprintf(t->f, "<not in the event stream>");
        return;
    }
    if (!si) {
        fprintf(t->f, "<uninstrumented code>");
        return;
    }
    fprintf(t->f, "%s:%u", file ? file : "??", rp_site_line(m, si));
    if (fn)
        fprintf(t->f, " in %s", fn);
    if (!with_type)
        return;
    const char *ty = rp_site_type(m, si), *var = rp_site_var(m, si);
    if (strcmp(ty, "?"))
        fprintf(t->f, " (%s `%s`)", ty, var);
    else if (strcmp(var, "?"))
        fprintf(t->f, " (`%s`)", var);
}

static void stack_lines(txt *t, uint32_t sk, const char *indent) {
    size_t n = 0;
    const rp_frame *f = rp_sym_stack(t->sym, t->m, sk, &n);
    size_t max = n < 8 ? n : 8;
    for (size_t i = 0; i < max; i++) {
        fprintf(t->f, "%s%s 0x%llx %s", indent, f[i].inlined ? "(inlined)" : "at",
                (unsigned long long)f[i].addr, f[i].function ? f[i].function : "??");
        if (f[i].file)
            fprintf(t->f, " %s:%u", f[i].file, f[i].line);
        fputc('\n', t->f);
    }
    if (n > max)
        fprintf(t->f, "%s... %zu more frames\n", indent, n - max);
}

static size_t lim(const txt *t, size_t n) { return t->n && t->n < n ? t->n : n; }

static void summary(txt *t) {
    rp_model *m = t->m;
    const rp_totals *x = &m->tot;
    char a[32], b[32];
    uint64_t dur = x->t_last > x->t_first ? x->t_last - x->t_first : 0;
    head(t, "SUMMARY");
    const char *reason = rp_summary_str(m, "exit_reason");
    if (reason && *reason)
        fprintf(t->f, "  exit: %s\n", reason);
    fprintf(t->f, "  run time (first to last event): %s, %llu events", rp_fmt_time(dur, a),
            (unsigned long long)x->events);
    if (dur)
        fprintf(t->f, " (%.0f/s)", (double)x->events * 1e9 / (double)dur);
    fputc('\n', t->f);
    fprintf(t->f, "  allocations: %llu, frees: %llu, reallocations: %llu",
            (unsigned long long)x->allocs, (unsigned long long)x->frees,
            (unsigned long long)x->reallocs);
    if (x->custom_allocs || x->custom_frees)
        fprintf(t->f, ", custom allocations: %llu, custom frees: %llu",
                (unsigned long long)x->custom_allocs, (unsigned long long)x->custom_frees);
    fputc('\n', t->f);
    fprintf(t->f, "  bytes requested: %s\n", rp_fmt_bytes(x->bytes_requested, a));
    fprintf(t->f, "  peak heap consumption: %s in %llu blocks at %s\n", rp_fmt_bytes(x->peak, a),
            (unsigned long long)x->peak_blocks, rp_fmt_time(x->peak_time - x->t_first, b));
    fprintf(t->f, "  temporary allocations: %llu (%.1f%% of allocations)\n",
            (unsigned long long)x->temporaries,
            x->allocs ? 100.0 * (double)x->temporaries / (double)x->allocs : 0.0);
    if (x->failed_allocs || x->failed_reallocs)
        fprintf(t->f, "  failed allocations: %llu, failed reallocations: %llu\n",
                (unsigned long long)x->failed_allocs, (unsigned long long)x->failed_reallocs);
    if (!(m->header.flags & MS_HDR_F_WHOLE_HEAP))
        fprintf(t->f, "  note: no whole-heap coverage: allocations by uninstrumented code are "
                      "not in this trace\n");
}

static void peak(txt *t) {
    size_t n = 0;
    uint32_t *top = rp_top_sites(t->m, RP_BY_PEAK, &n);
    char a[32];
    head(t, "PEAK MEMORY CONSUMERS");
    for (size_t i = 0; i < lim(t, n); i++) {
        fprintf(t->f, "  %s at peak from ", rp_fmt_bytes(t->m->sites[top[i]].st.at_peak, a));
        site_line(t, top[i]);
        fputc('\n', t->f);
    }
    if (!n)
        fprintf(t->f, "  (none)\n");
    free(top);
}

static void leaks(txt *t) {
    rp_model *m = t->m;
    const rp_leaks *lk = &m->lk;
    char a[32];
    head(t, "LEAKS");
    if (!lk->scan) {
        fprintf(t->f, "  no exit-time leak scan in the trace (the program was killed or the "
                      "trace is truncated):\n  %llu blocks (%s) were live at the end\n",
                (unsigned long long)lk->live_end_blocks, rp_fmt_bytes(lk->live_end_bytes, a));
    } else {
        static const uint32_t k[] = {MS_LEAK_DEFINITE, MS_LEAK_INDIRECT, MS_LEAK_POSSIBLE,
                                     MS_LEAK_REACHABLE};
        static const char *const label[] = {"definitely lost", "indirectly lost",
                                            "possibly lost", "still reachable"};
        for (int i = 0; i < 4; i++)
            fprintf(t->f, "  %s%s: %s in %llu blocks%s\n", i == 0 && lk->blocks[k[i]] ? red(t) : "",
                    label[i], rp_fmt_bytes(lk->bytes[k[i]], a), (unsigned long long)lk->blocks[k[i]],
                    i == 0 && lk->blocks[k[i]] ? off(t) : "");
        if (lk->live_end_blocks)
            fprintf(t->f, "  live at the end of the events but not in the scan: %s in %llu blocks\n",
                    rp_fmt_bytes(lk->live_end_bytes, a), (unsigned long long)lk->live_end_blocks);
    }
    for (size_t i = 0; i < lim(t, lk->ng); i++) {
        const rp_leakgroup *g = &lk->g[i];
        fprintf(t->f, "  %s: %s in %llu blocks of %s `%s`", rp_leak_kind_name(g->kind),
                rp_fmt_bytes(g->bytes, a), (unsigned long long)g->count, rp_site_type(m, g->site),
                rp_site_var(m, g->site));
        if (g->name)
            fprintf(t->f, " named \"%s\"", rp_string(m, g->name));
        fprintf(t->f, " allocated at ");
        site_where(t, g->site, 0);
        fputc('\n', t->f);
        for (uint32_t k = 0; k < g->nowners; k++) {
            uint32_t os = g->owners[k].site;
            const char *fn = rp_site_func(m, os), *file = rp_site_file(m, os);
            fprintf(t->f, "      last owner `%s` left scope at %s:%u%s%s (%llu blocks)\n",
                    rp_site_var(m, os), file ? file : "??", rp_site_line(m, os), fn ? " in " : "",
                    fn ? fn : "", (unsigned long long)g->owners[k].count);
        }
        if (g->no_owner && g->nowners)
            fprintf(t->f, "      %llu blocks without a named owner\n",
                    (unsigned long long)g->no_owner);
        stack_lines(t, g->stack, "      ");
    }
}

static void temporaries(txt *t) {
    size_t n = 0, k = 0;
    uint32_t *top = rp_top_sites(t->m, RP_BY_COUNT, &n);
    head(t, "MOST TEMPORARY ALLOCATIONS");
    /* order by temporaries: selection over the ranked list */
    uint64_t last = UINT64_MAX;
    while (k < lim(t, n)) {
        uint64_t best = 0;
        size_t bi = n;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = t->m->sites[top[i]].st.temporaries;
            if (v > best && v < last) {
                best = v;
                bi = i;
            }
        }
        if (bi == n)
            break;
        for (size_t i = 0; i < n && k < lim(t, n); i++) {
            const rp_stat *s = &t->m->sites[top[i]].st;
            if (s->temporaries != best)
                continue;
            fprintf(t->f, "  %llu temporary of %llu allocations from ",
                    (unsigned long long)s->temporaries, (unsigned long long)s->allocs);
            site_line(t, top[i]);
            fputc('\n', t->f);
            k++;
        }
        last = best;
    }
    if (!k)
        fprintf(t->f, "  (none)\n");
    free(top);
}

static void sources(txt *t) {
    size_t n = 0;
    uint32_t *top = rp_top_sites(t->m, RP_BY_COUNT, &n);
    char a[32];
    head(t, "MOST CALLS TO ALLOCATION FUNCTIONS");
    for (size_t i = 0; i < lim(t, n); i++) {
        const rp_stat *s = &t->m->sites[top[i]].st;
        fprintf(t->f, "  %llu calls (%s) from ", (unsigned long long)(s->allocs + s->reallocs),
                rp_fmt_bytes(s->bytes, a));
        site_line(t, top[i]);
        fputc('\n', t->f);
    }
    free(top);
}

static void most_bytes(txt *t) {
    size_t n = 0;
    uint32_t *top = rp_top_sites(t->m, RP_BY_BYTES, &n);
    char a[32];
    head(t, "MOST BYTES ALLOCATED");
    for (size_t i = 0; i < lim(t, n); i++) {
        const rp_stat *s = &t->m->sites[top[i]].st;
        fprintf(t->f, "  %s in %llu calls from ", rp_fmt_bytes(s->bytes, a),
                (unsigned long long)(s->allocs + s->reallocs));
        site_line(t, top[i]);
        fputc('\n', t->f);
    }
    free(top);
}

static void types(txt *t) {
    size_t n = 0;
    uint32_t *top = rp_top_types(t->m, RP_BY_BYTES, &n);
    char a[32], b[32], c[32], d[32];
    head(t, "TYPES");
    for (size_t i = 0; i < lim(t, n); i++) {
        const rp_type *y = &t->m->types[top[i]];
        fprintf(t->f, "  %-24s %8llu allocs %12s  peak %10s  %llu temporary  lifetime mean %s median %s\n",
                y->name, (unsigned long long)y->st.allocs, rp_fmt_bytes(y->st.bytes, a),
                rp_fmt_bytes(y->st.max_live, b), (unsigned long long)y->st.temporaries,
                rp_fmt_time(y->st.frees ? y->st.lifetime_sum / y->st.frees : 0, c),
                rp_fmt_time(rp_lt_median(y->lt_hist), d));
    }
    free(top);
}

static void chains(txt *t) {
    const rp_reallocs *rc = &t->m->rc;
    char a[32];
    if (!rc->chains)
        return;
    head(t, "REALLOC CHAINS");
    fprintf(t->f, "  %llu chains, %llu quadratic, %s copied at most\n",
            (unsigned long long)rc->chains, (unsigned long long)rc->quadratic_chains,
            rp_fmt_bytes(rc->copied, a));
    /* rp_out_json sorts rc->top; here the worst are found without sorting */
    size_t shown = 0;
    for (int q = 1; q >= 0; q--)
        for (size_t i = 0; i < rc->ntop && shown < lim(t, rc->ntop); i++) {
            const rp_chain *c = &rc->top[i];
            if (c->quadratic != q)
                continue;
            const char *var = rp_site_var(t->m, c->site);
            if (!strcmp(var, "?"))
                var = rp_site_var(t->m, c->alloc_site);
            fprintf(t->f, "  %s`%s`: %llu steps %llu -> %llu bytes, factor %.2f, %s copied%s%s\n",
                    c->quadratic ? red(t) : "", var, (unsigned long long)c->steps,
                    (unsigned long long)c->first_size, (unsigned long long)c->last_size,
                    rp_chain_factor(c), rp_fmt_bytes(c->copied, a),
                    c->quadratic ? " QUADRATIC (constant step)" : "", c->quadratic ? off(t) : "");
            fprintf(t->f, "      at ");
            site_line(t, c->site);
            fputc('\n', t->f);
            shown++;
        }
}

static void threads(txt *t) {
    rp_model *m = t->m;
    char a[32], b[32];
    if (m->nthreads <= 1 && !m->nxf)
        return;
    head(t, "THREADS");
    for (size_t i = 0; i < lim(t, m->nthreads); i++) {
        const rp_thread *x = &m->threads[i];
        fprintf(t->f, "  thread %u%s%s%s: %llu allocations, %s, peak %s, %llu freed by others\n",
                x->tid, *x->name ? " \"" : "", x->name, *x->name ? "\"" : "",
                (unsigned long long)x->st.allocs, rp_fmt_bytes(x->st.bytes, a),
                rp_fmt_bytes(x->st.max_live, b), (unsigned long long)x->cross_frees_out);
    }
    for (size_t i = 0; i < lim(t, m->nxf); i++) {
        const rp_xfree *x = &m->xf[i];
        fprintf(t->f, "  %llu blocks (%s) allocated by thread %u at ", (unsigned long long)x->count,
                rp_fmt_bytes(x->bytes, a), m->threads[x->alloc_thread].tid);
        site_line(t, x->alloc_site);
        fprintf(t->f, "\n      freed by thread %u at ", m->threads[x->free_thread].tid);
        site_line(t, x->free_site);
        fputc('\n', t->f);
    }
}

static void errors(txt *t) {
    rp_model *m = t->m;
    const rp_errors *e = &m->err;
    if (!rp_errors_total(e))
        return;
    head(t, "ERRORS");
    if (!(m->header.flags & MS_HDR_F_WHOLE_HEAP))
        fprintf(t->f, "  (weaker claim: without whole-heap coverage an invalid free may free a "
                      "block this trace did not record)\n");
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        if (e->count[k])
            fprintf(t->f, "  %s%s: %llu%s\n", red(t), rp_err_kind_name(k),
                    (unsigned long long)e->count[k], off(t));
    for (size_t i = 0; i < lim(t, e->nkept); i++) {
        const rp_err *r = &e->kept[i];
        fprintf(t->f, "  %s%s%s of 0x%llx at ", red(t), rp_err_kind_name(r->kind), off(t),
                (unsigned long long)r->addr);
        site_line(t, r->site);
        fprintf(t->f, " (thread %u)\n", m->threads[r->thread].tid);
        stack_lines(t, r->stack, "      ");
        if (r->other_thread != RP_NONE) {
            const char *role = r->kind == RP_ERR_DANGLING_STACK ? "address stored"
                               : (r->kind == RP_ERR_DOUBLE_FREE || r->kind == RP_ERR_REALLOC_FREED)
                                   ? "first freed"
                                   : "block allocated";
            fprintf(t->f, "    %s at ", role);
            site_line(t, r->other_site);
            fprintf(t->f, " (thread %u)\n", m->threads[r->other_thread].tid);
            stack_lines(t, r->other_stack, "      ");
        }
        if (r->kind == RP_ERR_DANGLING_STACK)
            fprintf(t->f, "    into %s slot 0x%llx, still reachable after the local died\n",
                    r->slot_global ? "global" : "heap", (unsigned long long)r->slot);
    }
}

static void dtors(txt *t) {
    const rp_dtors *d = &t->m->dt;
    char a[32], b[32];
    if (!d->n)
        return;
    head(t, "DESTRUCTORS");
    for (size_t i = 0; i < lim(t, d->n); i++) {
        const rp_dtorstat *s = &d->v[i];
        const ms_site *ms = s->site < t->m->nsites ? t->m->sites[s->site].s : NULL;
        fprintf(t->f, "  %s: %llu calls, total %s, max %s, %llu frees inside, depth %u\n",
                ms && ms->callee && *ms->callee ? ms->callee : "?", (unsigned long long)s->calls,
                rp_fmt_time(s->total_ns, a), rp_fmt_time(s->max_ns, b), (unsigned long long)s->frees,
                s->max_depth);
    }
    if (d->unclosed || d->unmatched_ends)
        fprintf(t->f, "  %llu calls never ended (longjmp?), %llu ends without a begin\n",
                (unsigned long long)d->unclosed, (unsigned long long)d->unmatched_ends);
}

int rp_out_text(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f) {
    txt t = {f, o->color, o->top_n, m, sym};
    char buf[768];
    const char *notice = rp_recovery_notice(m, buf, sizeof buf);
    if (notice)
        fprintf(f, "%s%s%s\n", red(&t), notice, off(&t));
    fprintf(f, "memscope-report: %s (pid %u%s%s)\n", m->path ? m->path : "-", m->header.pid,
            m->header.exe && *m->header.exe ? ", " : "", m->header.exe ? m->header.exe : "");
    char lossbuf[512];
    if (rp_loss_warning(m, lossbuf, sizeof lossbuf))
        fprintf(f, "%swarning: %s%s\n", red(&t), lossbuf, off(&t));
    if (rp_scan_warning(m, lossbuf, sizeof lossbuf))
        fprintf(f, "%swarning: %s%s\n", red(&t), lossbuf, off(&t));
    for (size_t i = 0; i < rp_sym_warning_count(sym); i++)
        fprintf(f, "warning: %s\n", rp_sym_warning(sym, i));
    summary(&t);
    peak(&t);
    leaks(&t);
    temporaries(&t);
    sources(&t);
    most_bytes(&t);
    types(&t);
    chains(&t);
    threads(&t);
    errors(&t);
    dtors(&t);
    fflush(f);
    return ferror(f) ? -1 : 0;
}
