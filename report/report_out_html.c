/*
 * report_out_html.c - the analysis as one self-contained HTML page (--html):
 * inline CSS, no script, no external resource. The same sections as the
 * text output (report_out_text.c): header with the recovery notice, totals
 * and peak, leaks with their last owners and stacks, top sites, types,
 * temporaries, realloc chains, threads and cross-thread frees, errors with
 * both stacks, destructors. Every list is limited by -n.
 * Every string that comes from the trace (paths, functions, types,
 * variables, thread names, summary values) goes through esc(): a hostile
 * trace cannot inject markup.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

typedef struct {
    FILE *f;
    size_t n;
    rp_model *m;
    rp_symbolizer *sym;
} html;

/* writes @s with & < > " ' replaced by entities; NULL writes nothing */
static void esc(FILE *f, const char *s) {
    if (!s)
        s = "";
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static size_t lim(const html *h, size_t n) { return h->n && h->n < n ? h->n : n; }

static void head(html *h, const char *id, const char *title) {
    fprintf(h->f, "<h2 id=\"%s\">%s</h2>\n", id, title);
}

/* "file:line" cell and "function" cell of site @si */
static void site_cells(html *h, uint32_t si) {
    const rp_model *m = h->m;
    if (si == RP_NONE || !si) {
        fprintf(h->f, "<td colspan=\"2\" class=\"dim\">%s</td>",
                si ? "&lt;not in the event stream&gt;" : "&lt;uninstrumented code&gt;");
        return;
    }
    const char *file = rp_site_file(m, si), *fn = rp_site_func(m, si);
    fputs("<td class=\"loc\">", h->f);
    esc(h->f, file ? file : "??");
    fprintf(h->f, ":%u</td><td class=\"fn\">", rp_site_line(m, si));
    esc(h->f, fn ? fn : "");
    fputs("</td>", h->f);
}

/* "type" and "variable" cells of site @si */
static void tv_cells(html *h, uint32_t si) {
    fputs("<td>", h->f);
    esc(h->f, rp_site_type(h->m, si));
    fputs("</td><td class=\"var\">", h->f);
    esc(h->f, rp_site_var(h->m, si));
    fputs("</td>", h->f);
}

/* site as inline text: file:line in function (type `var`) */
static void site_inline(html *h, uint32_t si) {
    const rp_model *m = h->m;
    if (si == RP_NONE || !si) {
        fputs(si ? "&lt;not in the event stream&gt;" : "&lt;uninstrumented code&gt;", h->f);
        return;
    }
    const char *file = rp_site_file(m, si), *fn = rp_site_func(m, si);
    fputs("<span class=\"loc\">", h->f);
    esc(h->f, file ? file : "??");
    fprintf(h->f, ":%u</span>", rp_site_line(m, si));
    if (fn) {
        fputs(" in <span class=\"fn\">", h->f);
        esc(h->f, fn);
        fputs("</span>", h->f);
    }
    const char *ty = rp_site_type(m, si), *var = rp_site_var(m, si);
    if (strcmp(ty, "?") || strcmp(var, "?")) {
        fputs(" (", h->f);
        if (strcmp(ty, "?")) {
            esc(h->f, ty);
            fputc(' ', h->f);
        }
        fputs("<span class=\"var\">", h->f);
        esc(h->f, var);
        fputs("</span>)", h->f);
    }
}

static void stack_block(html *h, uint32_t sk) {
    size_t n = 0;
    const rp_frame *f = rp_sym_stack(h->sym, h->m, sk, &n);
    if (!n)
        return;
    size_t max = n < 64 ? n : 64;
    fputs("<ol class=\"stack\">", h->f);
    for (size_t i = 0; i < max; i++) {
        fprintf(h->f, "<li>%s<code>0x%llx</code> <span class=\"fn\">",
                f[i].inlined ? "<i>(inlined)</i> " : "", (unsigned long long)f[i].addr);
        esc(h->f, f[i].function ? f[i].function : "??");
        fputs("</span>", h->f);
        if (f[i].file) {
            fputs(" <span class=\"loc\">", h->f);
            esc(h->f, f[i].file);
            fprintf(h->f, ":%u</span>", f[i].line);
        }
        fputs("</li>", h->f);
    }
    if (n > max)
        fprintf(h->f, "<li class=\"dim\">... %zu more frames</li>", n - max);
    fputs("</ol>", h->f);
}

static void row_kv(html *h, const char *k, const char *v) {
    fprintf(h->f, "<tr><th>%s</th><td>%s</td></tr>\n", k, v);
}

static void summary(html *h) {
    rp_model *m = h->m;
    const rp_totals *x = &m->tot;
    char a[32], b[32], v[160];
    uint64_t dur = x->t_last > x->t_first ? x->t_last - x->t_first : 0;
    head(h, "totals", "Totals and peak");
    fputs("<table class=\"kv\">\n", h->f);
    const char *reason = rp_summary_str(m, "exit_reason");
    if (reason && *reason) {
        fputs("<tr><th>exit</th><td>", h->f);
        esc(h->f, reason);
        fputs("</td></tr>\n", h->f);
    }
    snprintf(v, sizeof v, "%s, %llu events", rp_fmt_time(dur, a), (unsigned long long)x->events);
    row_kv(h, "run time", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)x->allocs);
    row_kv(h, "allocations", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)x->frees);
    row_kv(h, "frees", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)x->reallocs);
    row_kv(h, "reallocations", v);
    if (x->custom_allocs || x->custom_frees) {
        snprintf(v, sizeof v, "%llu allocations, %llu frees",
                 (unsigned long long)x->custom_allocs, (unsigned long long)x->custom_frees);
        row_kv(h, "custom allocator", v);
    }
    snprintf(v, sizeof v, "%s (%llu bytes)", rp_fmt_bytes(x->bytes_requested, a),
             (unsigned long long)x->bytes_requested);
    row_kv(h, "bytes requested", v);
    snprintf(v, sizeof v, "<b>%s</b> (%llu bytes) in %llu blocks at %s", rp_fmt_bytes(x->peak, a),
             (unsigned long long)x->peak, (unsigned long long)x->peak_blocks,
             rp_fmt_time(x->peak_time - x->t_first, b));
    row_kv(h, "peak heap", v);
    snprintf(v, sizeof v, "%llu (%.1f%% of allocations)", (unsigned long long)x->temporaries,
             x->allocs ? 100.0 * (double)x->temporaries / (double)x->allocs : 0.0);
    row_kv(h, "temporary allocations", v);
    if (x->failed_allocs || x->failed_reallocs) {
        snprintf(v, sizeof v, "%llu allocations, %llu reallocations",
                 (unsigned long long)x->failed_allocs, (unsigned long long)x->failed_reallocs);
        row_kv(h, "failed", v);
    }
    fputs("</table>\n", h->f);
    if (!(m->header.flags & MS_HDR_F_WHOLE_HEAP))
        fputs("<p class=\"note\">No whole-heap coverage: allocations by uninstrumented code are "
              "not in this trace.</p>\n",
              h->f);
}

/* one table of sites ranked by @by, with the value columns the order needs */
static void site_table(html *h, rp_order by, const char *id, const char *title) {
    size_t n = 0;
    uint32_t *top = rp_top_sites(h->m, by, &n);
    char a[32];
    head(h, id, title);
    if (!n) {
        fputs("<p class=\"dim\">(none)</p>\n", h->f);
        free(top);
        return;
    }
    fprintf(h->f, "<table><tr><th>%s</th><th>calls</th><th>file:line</th><th>function</th>"
                  "<th>type</th><th>variable</th></tr>\n",
            by == RP_BY_PEAK ? "at peak" : "bytes");
    for (size_t i = 0; i < lim(h, n); i++) {
        const rp_stat *s = &h->m->sites[top[i]].st;
        uint64_t v = by == RP_BY_PEAK ? s->at_peak : s->bytes;
        fprintf(h->f, "<tr><td class=\"num\" title=\"%llu bytes\">%s</td><td class=\"num\">%llu</td>",
                (unsigned long long)v, rp_fmt_bytes(v, a), (unsigned long long)(s->allocs + s->reallocs));
        site_cells(h, top[i]);
        tv_cells(h, top[i]);
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    free(top);
}

static void leaks(html *h) {
    rp_model *m = h->m;
    const rp_leaks *lk = &m->lk;
    char a[32];
    head(h, "leaks", "Leaks");
    if (!lk->scan) {
        fprintf(h->f, "<p class=\"warn\">No exit-time leak scan in the trace (the program was killed "
                      "or the trace is truncated): %llu blocks (%s) were live at the end.</p>\n",
                (unsigned long long)lk->live_end_blocks, rp_fmt_bytes(lk->live_end_bytes, a));
    } else {
        static const uint32_t k[] = {MS_LEAK_DEFINITE, MS_LEAK_INDIRECT, MS_LEAK_POSSIBLE,
                                     MS_LEAK_REACHABLE};
        static const char *const label[] = {"definitely lost", "indirectly lost",
                                            "possibly lost", "still reachable"};
        fputs("<table><tr><th>kind</th><th>bytes</th><th>blocks</th></tr>\n", h->f);
        for (int i = 0; i < 4; i++)
            fprintf(h->f, "<tr%s><td>%s</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr>\n",
                    i == 0 && lk->blocks[k[i]] ? " class=\"bad\"" : "", label[i],
                    (unsigned long long)lk->bytes[k[i]], (unsigned long long)lk->blocks[k[i]]);
        fputs("</table>\n", h->f);
        if (lk->live_end_blocks)
            fprintf(h->f, "<p>Live at the end of the events but not in the scan: %s in %llu "
                          "blocks.</p>\n",
                    rp_fmt_bytes(lk->live_end_bytes, a), (unsigned long long)lk->live_end_blocks);
    }
    for (size_t i = 0; i < lim(h, lk->ng); i++) {
        const rp_leakgroup *g = &lk->g[i];
        fprintf(h->f, "<div class=\"group\"><p><b class=\"%s\">%s</b>: %s (%llu bytes) in %llu "
                      "blocks of ",
                g->kind == MS_LEAK_DEFINITE ? "bad" : "", rp_leak_kind_name(g->kind),
                rp_fmt_bytes(g->bytes, a), (unsigned long long)g->bytes, (unsigned long long)g->count);
        esc(h->f, rp_site_type(m, g->site));
        fputs(" <span class=\"var\">", h->f);
        esc(h->f, rp_site_var(m, g->site));
        fputs("</span>", h->f);
        if (g->name) {
            fputs(" named &quot;", h->f);
            esc(h->f, rp_string(m, g->name));
            fputs("&quot;", h->f);
        }
        fputs(" allocated at ", h->f);
        site_inline(h, g->site);
        fputs("</p>\n", h->f);
        if (g->nowners) {
            fputs("<ul>", h->f);
            for (uint32_t k = 0; k < g->nowners; k++) {
                uint32_t os = g->owners[k].site;
                const char *fn = rp_site_func(m, os), *file = rp_site_file(m, os);
                fputs("<li>last owner <span class=\"var\">", h->f);
                esc(h->f, rp_site_var(m, os));
                fputs("</span> left scope at <span class=\"loc\">", h->f);
                esc(h->f, file ? file : "??");
                fprintf(h->f, ":%u</span>", rp_site_line(m, os));
                if (fn) {
                    fputs(" in <span class=\"fn\">", h->f);
                    esc(h->f, fn);
                    fputs("</span>", h->f);
                }
                fprintf(h->f, " (%llu blocks)</li>", (unsigned long long)g->owners[k].count);
            }
            if (g->no_owner)
                fprintf(h->f, "<li>%llu blocks without a named owner</li>",
                        (unsigned long long)g->no_owner);
            fputs("</ul>\n", h->f);
        }
        stack_block(h, g->stack);
        fputs("</div>\n", h->f);
    }
}

typedef struct {
    uint64_t temporaries;
    uint32_t site;
} tmp_rank;

/* more temporaries first; equal counts keep the allocation ranking */
static int by_temporaries(const void *a, const void *b) {
    const tmp_rank *x = a, *y = b;
    if (x->temporaries != y->temporaries)
        return x->temporaries < y->temporaries ? 1 : -1;
    return x->site < y->site ? -1 : x->site > y->site;
}

static void temporaries(html *h) {
    size_t n = 0, k = 0;
    uint32_t *top = rp_top_sites(h->m, RP_BY_COUNT, &n);
    tmp_rank *r = n ? malloc(n * sizeof *r) : NULL;
    head(h, "temporaries", "Most temporary allocations");
    if (n && !r) {
        fputs("<p class=\"dim\">(out of memory)</p>\n", h->f);
        free(top);
        return;
    }
    for (size_t i = 0; i < n; i++)
        r[i] = (tmp_rank){h->m->sites[top[i]].st.temporaries, (uint32_t)i};
    if (n)
        qsort(r, n, sizeof *r, by_temporaries);
    for (size_t i = 0; i < n && k < lim(h, n); i++) {
        uint32_t si = top[r[i].site];
        const rp_stat *s = &h->m->sites[si].st;
        if (!s->temporaries)
            break;
        if (!k)
            fputs("<table><tr><th>temporary</th><th>of allocations</th><th>file:line</th>"
                  "<th>function</th><th>type</th><th>variable</th></tr>\n",
                  h->f);
        fprintf(h->f, "<tr><td class=\"num\">%llu</td><td class=\"num\">%llu</td>",
                (unsigned long long)s->temporaries, (unsigned long long)s->allocs);
        site_cells(h, si);
        tv_cells(h, si);
        fputs("</tr>\n", h->f);
        k++;
    }
    fputs(k ? "</table>\n" : "<p class=\"dim\">(none)</p>\n", h->f);
    free(r);
    free(top);
}

static void types(html *h) {
    size_t n = 0;
    uint32_t *top = rp_top_types(h->m, RP_BY_BYTES, &n);
    char a[32], b[32], c[32], d[32];
    head(h, "types", "Types");
    if (!n) {
        fputs("<p class=\"dim\">(none)</p>\n", h->f);
        free(top);
        return;
    }
    fputs("<table><tr><th>type</th><th>allocations</th><th>bytes</th><th>peak</th>"
          "<th>temporary</th><th>lifetime mean</th><th>median</th></tr>\n",
          h->f);
    for (size_t i = 0; i < lim(h, n); i++) {
        const rp_type *y = &h->m->types[top[i]];
        fputs("<tr><td>", h->f);
        esc(h->f, y->name);
        fprintf(h->f, "</td><td class=\"num\">%llu</td><td class=\"num\" title=\"%llu bytes\">%s"
                      "</td><td class=\"num\">%s</td><td class=\"num\">%llu</td>"
                      "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                (unsigned long long)y->st.allocs, (unsigned long long)y->st.bytes,
                rp_fmt_bytes(y->st.bytes, a), rp_fmt_bytes(y->st.max_live, b),
                (unsigned long long)y->st.temporaries,
                rp_fmt_time(y->st.frees ? y->st.lifetime_sum / y->st.frees : 0, c),
                rp_fmt_time(rp_lt_median(y->lt_hist), d));
    }
    fputs("</table>\n", h->f);
    free(top);
}

static void chains(html *h) {
    const rp_reallocs *rc = &h->m->rc;
    char a[32];
    if (!rc->chains)
        return;
    head(h, "chains", "Realloc chains");
    fprintf(h->f, "<p>%llu chains, %llu quadratic, %s copied at most.</p>\n",
            (unsigned long long)rc->chains, (unsigned long long)rc->quadratic_chains,
            rp_fmt_bytes(rc->copied, a));
    fputs("<table><tr><th></th><th>variable</th><th>steps</th><th>first</th><th>last</th>"
          "<th>factor</th><th>copied</th><th>file:line</th><th>function</th></tr>\n",
          h->f);
    size_t shown = 0;
    for (int q = 1; q >= 0; q--)
        for (size_t i = 0; i < rc->ntop && shown < lim(h, rc->ntop); i++) {
            const rp_chain *c = &rc->top[i];
            if (c->quadratic != q)
                continue;
            const char *var = rp_site_var(h->m, c->site);
            if (!strcmp(var, "?"))
                var = rp_site_var(h->m, c->alloc_site);
            fprintf(h->f, "<tr%s><td>%s</td><td class=\"var\">", q ? " class=\"bad\"" : "",
                    q ? "QUADRATIC" : "");
            esc(h->f, var);
            fprintf(h->f, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                          "<td class=\"num\">%llu</td><td class=\"num\">%.2f</td>"
                          "<td class=\"num\">%llu</td>",
                    (unsigned long long)c->steps, (unsigned long long)c->first_size,
                    (unsigned long long)c->last_size, rp_chain_factor(c),
                    (unsigned long long)c->copied);
            site_cells(h, c->site);
            fputs("</tr>\n", h->f);
            shown++;
        }
    fputs("</table>\n", h->f);
}

static void threads(html *h) {
    rp_model *m = h->m;
    char a[32], b[32];
    if (m->nthreads <= 1 && !m->nxf)
        return;
    head(h, "threads", "Threads");
    fputs("<table><tr><th>thread</th><th>name</th><th>allocations</th><th>bytes</th>"
          "<th>peak</th><th>freed by others</th></tr>\n",
          h->f);
    for (size_t i = 0; i < lim(h, m->nthreads); i++) {
        const rp_thread *x = &m->threads[i];
        fprintf(h->f, "<tr><td class=\"num\">%u</td><td>", x->tid);
        esc(h->f, x->name);
        fprintf(h->f, "</td><td class=\"num\">%llu</td><td class=\"num\">%s</td>"
                      "<td class=\"num\">%s</td><td class=\"num\">%llu</td></tr>\n",
                (unsigned long long)x->st.allocs, rp_fmt_bytes(x->st.bytes, a),
                rp_fmt_bytes(x->st.max_live, b), (unsigned long long)x->cross_frees_out);
    }
    fputs("</table>\n", h->f);
    if (!m->nxf)
        return;
    fputs("<h3>Cross-thread frees</h3>\n<ul>\n", h->f);
    for (size_t i = 0; i < lim(h, m->nxf); i++) {
        const rp_xfree *x = &m->xf[i];
        fprintf(h->f, "<li>%llu blocks (%llu bytes) allocated by thread %u at ",
                (unsigned long long)x->count, (unsigned long long)x->bytes,
                m->threads[x->alloc_thread].tid);
        site_inline(h, x->alloc_site);
        fprintf(h->f, "<br>freed by thread %u at ", m->threads[x->free_thread].tid);
        site_inline(h, x->free_site);
        fputs("</li>\n", h->f);
    }
    fputs("</ul>\n", h->f);
}

static void errors(html *h) {
    rp_model *m = h->m;
    const rp_errors *e = &m->err;
    if (!rp_errors_total(e))
        return;
    head(h, "errors", "Errors");
    if (!(m->header.flags & MS_HDR_F_WHOLE_HEAP))
        fputs("<p class=\"note\">Weaker claim: without whole-heap coverage an invalid free may "
              "free a block this trace did not record.</p>\n",
              h->f);
    fputs("<ul>", h->f);
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        if (e->count[k])
            fprintf(h->f, "<li class=\"bad\">%s: %llu</li>", rp_err_kind_name(k),
                    (unsigned long long)e->count[k]);
    fputs("</ul>\n", h->f);
    for (size_t i = 0; i < lim(h, e->nkept); i++) {
        const rp_err *r = &e->kept[i];
        fprintf(h->f, "<div class=\"group\"><p><b class=\"bad\">%s</b> of <code>0x%llx</code> at ",
                rp_err_kind_name(r->kind), (unsigned long long)r->addr);
        site_inline(h, r->site);
        fprintf(h->f, " (thread %u)</p>\n", m->threads[r->thread].tid);
        stack_block(h, r->stack);
        if (r->other_thread != RP_NONE) {
            const char *role = r->kind == RP_ERR_DANGLING_STACK ? "address stored"
                               : (r->kind == RP_ERR_DOUBLE_FREE || r->kind == RP_ERR_REALLOC_FREED)
                                   ? "first freed"
                                   : "block allocated";
            fprintf(h->f, "<p>%s at ", role);
            site_inline(h, r->other_site);
            fprintf(h->f, " (thread %u)</p>\n", m->threads[r->other_thread].tid);
            stack_block(h, r->other_stack);
        }
        if (r->kind == RP_ERR_DANGLING_STACK)
            fprintf(h->f, "<p>into %s slot <code>0x%llx</code>, still reachable after the local "
                          "died</p>\n",
                    r->slot_global ? "global" : "heap", (unsigned long long)r->slot);
        fputs("</div>\n", h->f);
    }
}

static void dtors(html *h) {
    const rp_dtors *d = &h->m->dt;
    char a[32], b[32];
    if (!d->n)
        return;
    head(h, "dtors", "Destructors");
    fputs("<table><tr><th>destructor</th><th>calls</th><th>total</th><th>max</th>"
          "<th>frees inside</th><th>depth</th></tr>\n",
          h->f);
    for (size_t i = 0; i < lim(h, d->n); i++) {
        const rp_dtorstat *s = &d->v[i];
        const ms_site *ms = s->site < h->m->nsites ? h->m->sites[s->site].s : NULL;
        fputs("<tr><td class=\"fn\">", h->f);
        esc(h->f, ms && ms->callee && *ms->callee ? ms->callee : "?");
        fprintf(h->f, "</td><td class=\"num\">%llu</td><td class=\"num\">%s</td>"
                      "<td class=\"num\">%s</td><td class=\"num\">%llu</td><td class=\"num\">%u"
                      "</td></tr>\n",
                (unsigned long long)s->calls, rp_fmt_time(s->total_ns, a), rp_fmt_time(s->max_ns, b),
                (unsigned long long)s->frees, s->max_depth);
    }
    fputs("</table>\n", h->f);
    if (d->unclosed || d->unmatched_ends)
        fprintf(h->f, "<p>%llu calls never ended (longjmp?), %llu ends without a begin.</p>\n",
                (unsigned long long)d->unclosed, (unsigned long long)d->unmatched_ends);
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;"
    "color:#222}\n"
    "h1{font-size:1.4em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums}.loc,code{font-family:monospace}\n"
    ".fn{font-family:monospace;color:#035}.var{font-family:monospace;color:#630}\n"
    ".bad{color:#b00}.warn,.notice{background:#fee;border:1px solid #b00;padding:.5em}\n"
    ".note{color:#555;font-style:italic}.dim{color:#888}\n"
    ".group{border-left:3px solid #ddd;padding-left:.8em;margin:.8em 0}\n"
    "ol.stack{font-family:monospace;font-size:.9em;margin:.2em 0}\n"
    "nav a{margin-right:.8em}\n";

int rp_out_html(rp_model *m, rp_symbolizer *sym, const rp_outopts *o, FILE *f) {
    html h = {f, o->top_n, m, sym};
    char buf[768];
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>memscope "
          "report: ",
          f);
    esc(f, m->path ? m->path : "-");
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
    const char *notice = rp_recovery_notice(m, buf, sizeof buf);
    if (notice) {
        fputs("<p class=\"notice\" id=\"notice\"><b>", f);
        esc(f, notice);
        fputs("</b></p>\n", f);
    }
    fputs("<h1>memscope report</h1>\n<table class=\"kv\"><tr><th>trace</th><td class=\"loc\">", f);
    esc(f, m->path ? m->path : "-");
    fputs("</td></tr>\n<tr><th>program</th><td class=\"loc\">", f);
    esc(f, m->header.exe ? m->header.exe : "");
    fprintf(f, " (pid %u)</td></tr>\n<tr><th>trace state</th><td>%s</td></tr></table>\n",
            m->header.pid, notice ? "<b class=\"bad\">recovered (truncated or damaged)</b>"
                                  : "complete");
    if (rp_loss_warning(m, buf, sizeof buf)) {
        fputs("<p class=\"warn\">warning: ", f);
        esc(f, buf);
        fputs("</p>\n", f);
    }
    if (rp_scan_warning(m, buf, sizeof buf)) {
        fputs("<p class=\"warn\">warning: ", f);
        esc(f, buf);
        fputs("</p>\n", f);
    }
    for (size_t i = 0; i < rp_sym_warning_count(sym); i++) {
        fputs("<p class=\"warn\">warning: ", f);
        esc(f, rp_sym_warning(sym, i));
        fputs("</p>\n", f);
    }
    fputs("<nav><a href=\"#totals\">totals</a><a href=\"#leaks\">leaks</a><a href=\"#peak\">peak"
          "</a><a href=\"#bytes\">sites</a><a href=\"#types\">types</a><a href=\"#temporaries\">"
          "temporaries</a><a href=\"#chains\">realloc chains</a><a href=\"#threads\">threads</a>"
          "<a href=\"#errors\">errors</a><a href=\"#dtors\">destructors</a></nav>\n",
          f);
    summary(&h);
    leaks(&h);
    site_table(&h, RP_BY_PEAK, "peak", "Peak memory consumers");
    site_table(&h, RP_BY_BYTES, "bytes", "Top sites by bytes allocated");
    site_table(&h, RP_BY_COUNT, "calls", "Top sites by calls");
    types(&h);
    temporaries(&h);
    chains(&h);
    threads(&h);
    errors(&h);
    dtors(&h);
    fputs("</body>\n</html>\n", f);
    fflush(f);
    return ferror(f) ? -1 : 0;
}
