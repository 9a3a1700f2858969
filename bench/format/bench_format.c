/*
 * bench_format.c - size and speed of the .ms event encoding per codec,
 * against the same events written as JSON lines.
 *
 * The synthetic stream imitates an allocation-heavy C program: T threads
 * run the same code, modelled as 64 code paths (short fixed sequences of
 * 1-6 allocation sites out of ~300, chosen with a Zipf-like popularity);
 * some steps free an earlier step's block (temporaries), the rest join a
 * long-lived pool that drains in random order, with occasional reallocs.
 * Addresses come from a simulated malloc (size classes, LIFO free lists,
 * bump allocation), so they are clustered and reused. Most sites allocate
 * one fixed size; ~30% vary, skewed small. Time between events is the
 * site's work (20-300 ns) plus jitter, with rare long gaps. Events go to
 * the writer in batches of B events per chunk, as the runtime hands over
 * its buffers.
 *
 *   bench_format [-n events_per_thread] [-t threads] [-b batch] [-d dir]
 *                [-c codec:level[,codec:level...]] [-J] [-W]
 *
 * -c runs only the listed configurations (codec none|zstd|lz4|brotli, level
 * as ms_writer_options.level; e.g. -c zstd:0,zstd:-1); -J skips the JSON
 * lines baseline; -W only writes (no read back: for profiling the writer).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msformat.h"

typedef struct {
    ms_event *ev;
    size_t n;
} stream_t;

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}
/* CPU time of the calling thread: the single-core numbers use it, so other
 * processes on a shared machine do not distort them. */
static double cpu(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

#define NCLASS 48
#define NSITES 300
#define NPAT 64
#define LIVE_MAX 8192

static size_t size_class(uint64_t sz)
{
    size_t c = (size_t)((sz + 15) / 16);
    return c < NCLASS ? c : NCLASS - 1;
}

/* A code path: a short fixed sequence of allocation sites; each step may
 * free the block of an earlier step (a temporary) or keep it (it joins the
 * long-lived pool, freed later in random order). */
typedef struct {
    uint32_t site[6];
    int8_t free_step[6]; /* -1: keep; else free the block of that earlier step */
    unsigned len;
} pattern_t;

typedef struct {
    uint64_t s;            /* rng state */
    uint64_t *freel[NCLASS];
    size_t nfree[NCLASS];
    uint64_t bump;
} heap_t;

static uint64_t heap_alloc(heap_t *h, uint64_t sz)
{
    size_t c = size_class(sz);
    if (h->nfree[c] && c < NCLASS - 1)
        return h->freel[c][--h->nfree[c]];
    uint64_t a = h->bump + 16;
    h->bump += (sz + 31) & ~15ULL;
    return a;
}

static void heap_free(heap_t *h, uint64_t addr, uint64_t sz)
{
    size_t c = size_class(sz);
    if (h->nfree[c] < 65536)
        h->freel[c][h->nfree[c]++] = addr;
}

/* Zipf-like pick in [0, n): a few hot values. */
static uint32_t zipf(uint64_t r, uint32_t n)
{
    uint64_t a = (r & 0xffff) % 1000, b = ((r >> 16) & 0xffff) % 1000;
    return (uint32_t)(a * b * n / 1000000);
}

/* Most sites allocate one type (a fixed size); ~30% vary (strings,
 * buffers), skewed small. */
static uint64_t site_size(uint32_t site, uint64_t r)
{
    uint64_t sr = (site + 1) * 0x9e3779b97f4a7c15ULL;
    if ((sr >> 60) < 11) {
        unsigned g = (unsigned)(sr >> 50) % 8;
        return (16u << (g / 2)) + ((sr >> 40) & 7) * 8;
    }
    unsigned g = (unsigned)__builtin_ctzll((r >> 40) | (1ULL << 20));
    uint64_t sz = g < 6 ? (8u << g) / 2 + ((r >> 50) & 7) * 8 / (g + 1) : 512u << (g - 6);
    return sz > (1u << 20) ? 1u << 20 : sz;
}

static void gen_stream(stream_t *st, size_t n, unsigned thread)
{
    heap_t h = {.s = 0x1234 + thread * 7777, .bump = 0x555555560000ULL + ((uint64_t)thread << 28)};
    st->ev = calloc(n, sizeof *st->ev);
    st->n = n;
    for (int c = 0; c < NCLASS; c++)
        h.freel[c] = malloc(sizeof(uint64_t) * 65536);
    pattern_t pat[NPAT];
    uint64_t ps = 99; /* the program's code is the same in every thread */
    for (int p = 0; p < NPAT; p++) {
        uint64_t r = rng(&ps);
        pat[p].len = 1 + (unsigned)(r % 6);
        for (unsigned k = 0; k < pat[p].len; k++) {
            uint64_t q = rng(&ps);
            pat[p].site[k] = zipf(q, NSITES);
            pat[p].free_step[k] = k > 0 && (q >> 40) % 3 == 0 ? (int8_t)((q >> 44) % k) : -1;
        }
    }
    uint32_t work[NSITES];
    for (int i = 0; i < NSITES; i++)
        work[i] = 20 + (uint32_t)(rng(&ps) % 280);
    struct { uint64_t addr, size; } live[LIVE_MAX];
    size_t nlive = 0;
    uint64_t t = 1000000 + thread * 1000;
    size_t i = 0;
    while (i < n) {
        uint64_t r = rng(&h.s);
        const pattern_t *p = &pat[zipf(r, NPAT)];
        uint64_t addr_of[6] = {0}, size_of[6] = {0};
        for (unsigned k = 0; k < p->len && i < n; k++) {
            uint64_t q = rng(&h.s);
            uint32_t site = p->site[k];
            /* time between events follows the code path, with jitter */
            t += work[site] + (q & 31) + ((q >> 5) % 64 == 0 ? (q >> 11) % 20000 : 0);
            ms_event *e = &st->ev[i++];
            uint64_t sz = site_size(site, q);
            e->time_ns = t;
            e->kind = MS_EV_ALLOC;
            e->size = sz;
            e->site = 0x555555554000ULL + 0x40u * site;
            e->stack = 1 + site * 4 + (uint32_t)((q >> 56) % 3 == 0 ? (q >> 58) & 3 : 0);
            e->flags = site % 7 == 0 ? MS_EVF_ZEROED : 0;
            if ((q >> 20) % 23 == 0 && nlive) {
                /* grow a long-lived block */
                size_t j = (q >> 24) % nlive;
                e->kind = MS_EV_REALLOC;
                e->aux = live[j].addr;
                heap_free(&h, live[j].addr, live[j].size);
                e->size = live[j].size * 2;
                e->addr = heap_alloc(&h, e->size);
                live[j].addr = e->addr;
                live[j].size = e->size;
                continue;
            }
            e->addr = heap_alloc(&h, sz);
            addr_of[k] = e->addr;
            size_of[k] = sz;
            int8_t f = p->free_step[k];
            if (f >= 0 && addr_of[f] && i < n) {
                ms_event *x = &st->ev[i++];
                t += 10 + (q >> 32 & 15);
                x->time_ns = t;
                x->kind = MS_EV_FREE;
                x->addr = addr_of[f];
                x->site = 0x555555554000ULL + 0x40u * (NSITES + site % 40);
                heap_free(&h, addr_of[f], size_of[f]);
                addr_of[f] = 0;
            }
        }
        /* what the path kept joins the long-lived pool; the pool drains */
        for (unsigned k = 0; k < p->len; k++) {
            if (!addr_of[k])
                continue;
            if (nlive == LIVE_MAX || (rng(&h.s) & 3) == 0) {
                if (i >= n || nlive == 0)
                    break;
                size_t j = rng(&h.s) % nlive;
                ms_event *x = &st->ev[i++];
                t += 25 + (r >> 40 & 63);
                x->time_ns = t;
                x->kind = MS_EV_FREE;
                x->addr = live[j].addr;
                x->site = 0x555555554000ULL + 0x40u * (NSITES + 40);
                heap_free(&h, live[j].addr, live[j].size);
                live[j] = live[--nlive];
            }
            if (nlive < LIVE_MAX) {
                live[nlive].addr = addr_of[k];
                live[nlive].size = size_of[k];
                nlive++;
            }
        }
    }
    for (int c = 0; c < NCLASS; c++)
        free(h.freel[c]);
}

static const char *kind_name(uint8_t k)
{
    switch (k) {
    case MS_EV_ALLOC: return "alloc";
    case MS_EV_FREE: return "free";
    case MS_EV_REALLOC: return "realloc";
    default: return "other";
    }
}

/* JSON lines with buffered write(2), the naive alternative. */
static double write_json(const char *path, stream_t *st, unsigned threads, uint64_t *bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    char *buf = malloc(1 << 20);
    size_t used = 0;
    *bytes = 0;
    double t0 = now();
    for (unsigned th = 0; th < threads; th++)
        for (size_t i = 0; i < st[th].n; i++) {
            const ms_event *e = &st[th].ev[i];
            used += (size_t)snprintf(buf + used, 512,
                "{\"tid\":%u,\"t\":%llu,\"kind\":\"%s\",\"addr\":\"0x%llx\",\"aux\":\"0x%llx\","
                "\"size\":%llu,\"site\":\"0x%llx\",\"stack\":%u,\"flags\":%u}\n",
                th, (unsigned long long)e->time_ns, kind_name(e->kind),
                (unsigned long long)e->addr, (unsigned long long)e->aux,
                (unsigned long long)e->size, (unsigned long long)e->site, e->stack, e->flags);
            if (used > (1 << 20) - 512) {
                if (write(fd, buf, used) != (ssize_t)used)
                    return -1;
                *bytes += used;
                used = 0;
            }
        }
    if (write(fd, buf, used) != (ssize_t)used)
        return -1;
    *bytes += used;
    close(fd);
    free(buf);
    return now() - t0;
}

typedef struct {
    uint64_t events;
    uint64_t sum;
} read_acc;

static int on_chunk(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d)
{
    (void)index;
    (void)info;
    read_acc *a = user;
    a->events += d->count;
    if (d->count)
        a->sum += d->u.events[d->count - 1].addr;
    ms_decoded_free(d);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 500000, batch = 65536;
    unsigned threads = 4;
    const char *dir = "/tmp";
    const char *only = NULL;
    int json = 1, read_back = 1;
    int opt;
    while ((opt = getopt(argc, argv, "n:t:b:d:c:JW")) != -1) {
        switch (opt) {
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 't': threads = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'b': batch = strtoull(optarg, NULL, 10); break;
        case 'd': dir = optarg; break;
        case 'c': only = optarg; break;
        case 'J': json = 0; break;
        case 'W': read_back = 0; break;
        default:
            fprintf(stderr,
                    "usage: %s [-n events/thread] [-t threads] [-b batch] [-d dir]"
                    " [-c codec:level,...] [-J] [-W]\n",
                    argv[0]);
            return 2;
        }
    }
    if (threads == 0 || threads > 64 || batch == 0) {
        fprintf(stderr, "%s: bad -t or -b\n", argv[0]);
        return 2;
    }
    stream_t st[64];
    for (unsigned t = 0; t < threads; t++)
        gen_stream(&st[t], n, t);
    uint64_t total = (uint64_t)n * threads;
    char path[512];
    snprintf(path, sizeof path, "%s/bench_format.json", dir);
    uint64_t json_bytes = 0;
    printf("events: %llu (%u threads x %zu, batches of %zu)\n", (unsigned long long)total,
           threads, n, batch);
    if (json) {
        double j0 = cpu();
        double jt = write_json(path, st, threads, &json_bytes);
        jt = jt < 0 ? jt : cpu() - j0;
        unlink(path);
        printf("JSON lines: %.1f MB, %.1f bytes/event, write %.1f M events/s (cpu)\n\n",
               (double)json_bytes / 1e6, (double)json_bytes / (double)total,
               (double)total / jt / 1e6);
    }
    printf("| codec | level | bytes/event | x smaller than JSON | write M ev/s (cpu) |"
           " write MB/s raw (cpu) | read 1 core M ev/s (cpu) | read MB/s raw (cpu) |"
           " read 1 thr M ev/s (wall) | read 2 thr M ev/s (wall) |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    static const struct { ms_codec c; int level; } defcfg[] = {
        {MS_CODEC_NONE, 0}, {MS_CODEC_ZSTD, 1}, {MS_CODEC_ZSTD, 0}, {MS_CODEC_ZSTD, 9},
        {MS_CODEC_LZ4, 0},  {MS_CODEC_BROTLI, 0},
    };
    struct { ms_codec c; int level; } cfg[32];
    size_t ncfg = 0;
    if (!only) {
        for (; ncfg < sizeof defcfg / sizeof defcfg[0]; ncfg++) {
            cfg[ncfg].c = defcfg[ncfg].c;
            cfg[ncfg].level = defcfg[ncfg].level;
        }
    }
    for (const char *p = only; p && *p && ncfg < 32;) {
        size_t len = strcspn(p, ":,");
        ms_codec c = MS_CODEC_MAX_;
        for (int k = 0; k < MS_CODEC_MAX_; k++)
            if (strlen(ms_codec_name((ms_codec)k)) == len &&
                strncmp(p, ms_codec_name((ms_codec)k), len) == 0)
                c = (ms_codec)k;
        if (c == MS_CODEC_MAX_) {
            fprintf(stderr, "%s: -c: unknown codec in '%s'\n", argv[0], p);
            return 2;
        }
        p += len;
        int level = 0;
        if (*p == ':') {
            char *end;
            level = (int)strtol(p + 1, &end, 10);
            p = end;
        }
        cfg[ncfg].c = c;
        cfg[ncfg].level = level;
        ncfg++;
        if (*p == ',')
            p++;
        else if (*p) {
            fprintf(stderr, "%s: -c: expected codec:level,... at '%s'\n", argv[0], p);
            return 2;
        }
    }
    snprintf(path, sizeof path, "%s/bench_format.ms", dir);
    for (size_t k = 0; k < ncfg; k++) {
        ms_writer_options o;
        ms_writer_options_init(&o);
        o.codec = cfg[k].c;
        o.level = cfg[k].level;
        ms_writer *w;
        double t0 = cpu();
        if (ms_writer_open_path(path, &o, &w) != MS_OK)
            return 1;
        /* interleave the threads' batches as a runtime's writer thread would */
        for (size_t off = 0; off < n; off += batch)
            for (unsigned t = 0; t < threads; t++) {
                size_t m = n - off < batch ? n - off : batch;
                if (ms_writer_add_events(w, t + 1, st[t].ev + off, m) != MS_OK)
                    return 1;
            }
        uint64_t bytes = ms_writer_bytes(w);
        if (ms_writer_close(w) != MS_OK)
            return 1;
        double wt = cpu() - t0;
        if (!read_back) {
            printf("| %s | %d | %.2f | - | %.1f | - | - | - | - | - |\n",
                   ms_codec_name(cfg[k].c), cfg[k].level, (double)bytes / (double)total,
                   (double)total / wt / 1e6);
            continue;
        }

        ms_reader *r;
        if (ms_reader_open(path, &r) != MS_OK)
            return 1;
        uint64_t raw = 0;
        for (size_t i = 0; i < ms_reader_chunk_count(r); i++)
            raw += ms_reader_chunk(r, i)->raw_size;
        read_acc a1 = {0, 0}, a2 = {0, 0};
        t0 = cpu();
        double w0 = now();
        ms_reader_load_type(r, MS_CHUNK_EVENTS, 1, on_chunk, &a1);
        double rt1 = cpu() - t0, rw1 = now() - w0;
        t0 = now();
        ms_reader_load_type(r, MS_CHUNK_EVENTS, 2, on_chunk, &a2);
        double rt2 = now() - t0;
        ms_reader_close(r);
        if (a1.events != total || a2.events != total || a1.sum != a2.sum) {
            fprintf(stderr, "read back %llu events, expected %llu\n",
                    (unsigned long long)a1.events, (unsigned long long)total);
            return 1;
        }
        char ratio[32] = "-"; /* x smaller than JSON, when JSON was written */
        if (json)
            snprintf(ratio, sizeof ratio, "%.1f", (double)json_bytes / (double)bytes);
        printf("| %s | %d | %.2f | %s | %.1f | %.0f | %.1f | %.0f | %.1f | %.1f |\n",
               ms_codec_name(cfg[k].c), cfg[k].level, (double)bytes / (double)total,
               ratio, (double)total / wt / 1e6,
               (double)raw / wt / 1e6, (double)total / rt1 / 1e6, (double)raw / rt1 / 1e6,
               (double)total / rw1 / 1e6, (double)total / rt2 / 1e6);
        fflush(stdout);
    }
    unlink(path);
    for (unsigned t = 0; t < threads; t++)
        free(st[t].ev);
    return 0;
}
