/*
 * report_cmd_analyze.c - the default command: load a trace into the model,
 * run every analysis, print text, JSON, HTML or folded stacks.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"

static int need_arg(int i, int argc, const char *opt) {
    if (i + 1 >= argc) {
        fprintf(stderr, "%s: %s takes an argument\n", RP_PROG, opt);
        return 0;
    }
    return 1;
}

int rp_cmd_analyze(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    int json = 0, html = 0, force = 0, symbols = 1, color = -1, progress = 1, folded = 0;
    rp_order folded_by = RP_BY_BYTES;
    uint64_t top = 0, temp_ns = 0;
    int top_set = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--html")) {
            html = 1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!need_arg(i, argc, a))
                return RP_EXIT_USAGE;
            out = argv[++i];
        } else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
            force = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--top")) {
            if (!need_arg(i, argc, a))
                return RP_EXIT_USAGE;
            if (rp_parse_u64(argv[++i], &top)) {
                fprintf(stderr, "%s: %s takes a number, not '%s'\n", RP_PROG, a, argv[i]);
                return RP_EXIT_USAGE;
            }
            top_set = 1;
        } else if (!strcmp(a, "--temp-ns")) {
            if (!need_arg(i, argc, a))
                return RP_EXIT_USAGE;
            if (rp_parse_u64(argv[++i], &temp_ns)) {
                fprintf(stderr, "%s: %s takes a number of nanoseconds, not '%s'\n", RP_PROG, a,
                        argv[i]);
                return RP_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--folded") || !strncmp(a, "--folded=", 9)) {
            const char *w = a[8] == '=' ? a + 9 : "bytes";
            folded = 1;
            if (!strcmp(w, "bytes"))
                folded_by = RP_BY_BYTES;
            else if (!strcmp(w, "count"))
                folded_by = RP_BY_COUNT;
            else if (!strcmp(w, "peak"))
                folded_by = RP_BY_PEAK;
            else if (!strcmp(w, "live"))
                folded_by = RP_BY_LIVE;
            else {
                fprintf(stderr, "%s: --folded takes bytes, count, peak or live, not '%s'\n",
                        RP_PROG, w);
                return RP_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--no-symbols")) {
            symbols = 0;
        } else if (!strcmp(a, "--no-progress")) {
            progress = 0;
        } else if (!strcmp(a, "--color") || !strncmp(a, "--color=", 8)) {
            const char *w = a[7] == '=' ? a + 8 : NULL;
            if (!w) {
                if (!need_arg(i, argc, a))
                    return RP_EXIT_USAGE;
                w = argv[++i];
            }
            if (!strcmp(w, "auto"))
                color = -1;
            else if (!strcmp(w, "always"))
                color = 1;
            else if (!strcmp(w, "never"))
                color = 0;
            else {
                fprintf(stderr, "%s: --color takes auto, always or never, not '%s'\n", RP_PROG, w);
                return RP_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "%s: unexpected argument '%s': one trace at a time\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        }
    }
    if (!in) {
        fprintf(stderr, "%s: no trace file given (see --help)\n", RP_PROG);
        return RP_EXIT_USAGE;
    }
    if (rp_same_file(in, out)) {
        fprintf(stderr, "%s: %s: output is the input file\n", RP_PROG, out);
        return RP_EXIT_OUTPUT;
    }
    rp_options o = {temp_ns, progress && isatty(2)};
    rp_model m;
    char msg[512] = "";
    ms_error e = rp_model_load(&m, in, &o, msg, sizeof msg);
    if (e != MS_OK) {
        int rc = e == MS_ERR_NOMEM && m.reader ? RP_EXIT_INTERNAL : rp_input_error(in, e, msg);
        if (e == MS_ERR_NOMEM && m.reader)
            fprintf(stderr, "%s: %s: %s\n", RP_PROG, in, msg);
        rp_model_free(&m);
        return rc;
    }
    FILE *f = rp_open_output(out, force);
    if (!f) {
        rp_model_free(&m);
        return RP_EXIT_OUTPUT;
    }
    rp_symbolizer *sym = rp_sym_open(&m, symbols);
    rp_outopts oo = {top_set ? (size_t)top : (json ? 0 : 10),
                     color < 0 ? (f == stdout && isatty(1)) : color, symbols};
    if (!json && !oo.top_n)
        oo.top_n = SIZE_MAX;
    int rc = folded ? rp_out_folded(&m, sym, folded_by, f)
             : json ? rp_out_json(&m, sym, &oo, f)
             : html ? rp_out_html(&m, sym, &oo, f)
                    : rp_out_text(&m, sym, &oo, f);
    rp_sym_close(sym);
    rp_model_free(&m);
    if (rp_close_output(f, out) || rc)
        return RP_EXIT_OUTPUT;
    return RP_EXIT_OK;
}
