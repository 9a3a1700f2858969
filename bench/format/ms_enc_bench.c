/*
 * ms_enc_bench.c - the events encoder and zstd alone, on a real trace's
 * chunks (the runtime's batches: ~5.5 K events each at buffer_kb=256).
 *
 *   ms_enc_bench [-l zstd-level] [-s skip] [-c chunks] [-r rounds] trace.ms
 *
 * Loads @chunks events chunks (after skipping @skip) into memory, then times
 * libmsformat's internal ms_enc_events over all of them, best of @rounds,
 * in thread CPU time; then encode + ZSTD_compress2 at @level (a reused
 * context, one frame per chunk, as the writer does), and reports the zstd
 * part as the difference. Printed: encode ns/event, raw payload bytes/event,
 * zstd ns/event and compressed bytes/event. Whatever encoding the trace was
 * written with, the payloads timed are the current encoder's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "ms_internal.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    ms_event *ev;
    size_t n;
} batch;

/* One pass over every batch: encode (and compress when @z). */
static int run(ms_ev_scratch *s, ms_buf *out, const batch *b, size_t nb, ZSTD_CCtx *z,
               void *zbuf, size_t zcap, size_t *raw, size_t *packed)
{
    *raw = *packed = 0;
    for (size_t c = 0; c < nb; c++) {
        uint64_t t0, t1;
        out->len = 0;
        if (ms_enc_events(out, s, b[c].ev, b[c].n, &t0, &t1) != MS_OK)
            return 0;
        *raw += out->len;
        if (z) {
            size_t zl = ZSTD_compress2(z, zbuf, zcap, out->p, out->len);
            if (ZSTD_isError(zl))
                return 0;
            *packed += zl;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    int level = 1, rounds = 5, i = 1;
    size_t skip = 0, want = 600;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-l") == 0)
            level = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-s") == 0)
            skip = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "-c") == 0)
            want = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "-r") == 0)
            rounds = atoi(argv[i + 1]);
        else
            break;
    }
    if (i + 1 != argc || rounds < 1 || want == 0) {
        fprintf(stderr, "usage: ms_enc_bench [-l zstd-level] [-s skip] [-c chunks] "
                        "[-r rounds] trace.ms\n");
        return 2;
    }
    ms_reader *r;
    if (ms_reader_open(argv[i], &r) != MS_OK) {
        fprintf(stderr, "ms_enc_bench: cannot read %s\n", argv[i]);
        return 1;
    }
    batch *b = calloc(want, sizeof *b);
    size_t nb = 0, events = 0, maxn = 0;
    for (size_t k = 0; b && k < ms_reader_chunk_count(r) && nb < want; k++) {
        if (ms_reader_chunk(r, k)->type != MS_CHUNK_EVENTS || (skip && skip--))
            continue;
        ms_decoded *d;
        if (ms_reader_load(r, k, &d) != MS_OK)
            break;
        b[nb].ev = malloc(d->count * sizeof *b[nb].ev + 1);
        if (!b[nb].ev) {
            ms_decoded_free(d);
            break;
        }
        memcpy(b[nb].ev, d->u.events, d->count * sizeof *b[nb].ev);
        b[nb].n = d->count;
        events += d->count;
        maxn = d->count > maxn ? d->count : maxn;
        nb++;
        ms_decoded_free(d);
    }
    ms_reader_close(r);
    ms_ev_scratch *s = ms_ev_scratch_new();
    ZSTD_CCtx *z = ZSTD_createCCtx();
    size_t zcap = ZSTD_compressBound(maxn * 64 + 64);
    void *zbuf = malloc(zcap);
    ms_buf out = {0};
    if (!nb || !s || !z || !zbuf ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level))) {
        fprintf(stderr, "ms_enc_bench: no events chunks, or out of memory\n");
        return 1;
    }
    double enc = 1e30, both = 1e30;
    size_t raw = 0, packed = 0;
    for (int k = 0; k < rounds; k++) {
        double t0 = cpu_now();
        int ok = run(s, &out, b, nb, NULL, NULL, 0, &raw, &packed);
        double t1 = cpu_now();
        ok = ok && run(s, &out, b, nb, z, zbuf, zcap, &raw, &packed);
        double t2 = cpu_now();
        if (!ok) {
            fprintf(stderr, "ms_enc_bench: encoding failed\n");
            return 1;
        }
        enc = t1 - t0 < enc ? t1 - t0 : enc;
        both = t2 - t1 < both ? t2 - t1 : both;
    }
    double ev = (double)events;
    printf("%zu events in %zu chunks: encode %.2f ns/event, raw %.3f B/event; "
           "zstd %d %.2f ns/event, %.3f B/event\n",
           events, nb, 1e9 * enc / ev, (double)raw / ev, level, 1e9 * (both - enc) / ev,
           (double)packed / ev);
    for (size_t k = 0; k < nb; k++)
        free(b[k].ev);
    free(b);
    free(zbuf);
    free(out.p);
    ZSTD_freeCCtx(z);
    ms_ev_scratch_free(s);
    return 0;
}
