/*
 * report_out_folded.c - folded stacks ("outer;inner;leaf weight" per line),
 * the input of flamegraph.pl, speedscope and inferno. One line per
 * allocation stack, frames outermost first, weighted by bytes allocated,
 * allocation count, bytes at the peak or bytes still live at the end.
 */
#include <string.h>

#include "report_internal.h"

int rp_out_folded(rp_model *m, rp_symbolizer *sym, rp_order by, FILE *f) {
    for (size_t si = 1; si < m->nstacks; si++) {
        const rp_stat *st = &m->stacks[si].st;
        uint64_t w = by == RP_BY_COUNT ? st->allocs + st->reallocs
                   : by == RP_BY_PEAK  ? st->at_peak
                   : by == RP_BY_LIVE  ? st->live
                                       : st->bytes;
        if (!w)
            continue;
        size_t n = 0;
        const rp_frame *fr = rp_sym_stack(sym, m, (uint32_t)si, &n);
        if (!n)
            continue;
        for (size_t k = n; k-- > 0;) {
            if (fr[k].function) {
                /* ';' and ' ' separate frames and the weight: keep names clean */
                for (const char *c = fr[k].function; *c; c++)
                    fputc(*c == ';' || *c == ' ' ? '_' : *c, f);
            } else {
                fprintf(f, "0x%llx", (unsigned long long)fr[k].addr);
            }
            fputc(k ? ';' : ' ', f);
        }
        fprintf(f, "%llu\n", (unsigned long long)w);
    }
    fflush(f);
    return ferror(f) ? -1 : 0;
}
