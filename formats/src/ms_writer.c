/*
 * ms_writer.c - the append-only writer.
 *
 * Each chunk is encoded into a reused buffer, compressed with a reused
 * context, and appended with one writev(2) of header + payload; bytes once
 * written are never rewritten, so a crash leaves a readable prefix. close()
 * appends the index chunk and the trailer. After a failed write the writer
 * refuses further chunks (MS_ERR_STATE) because the file may end inside a
 * chunk; close() then still returns the first error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ms_internal.h"

/* Events per chunk at most: keeps one chunk's raw size far below the bound. */
#define MS_EVENTS_PER_CHUNK (1u << 18)

struct ms_writer {
    int fd;
    int owns_fd;
    ms_error err;            /* first error seen */
    ms_codec codec;
    uint64_t offset;         /* bytes written so far */
    ms_cctx *cctx;
    ms_buf raw;              /* encoded payload, reused */
    ms_buf stored;           /* compressed payload, reused */
    ms_ev_scratch *ev;
    ms_chunk_info *index;    /* one entry per data chunk */
    size_t nindex, capindex;
};

void ms_writer_options_init(ms_writer_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->codec = MS_CODEC_ZSTD;
}

static ms_error write_all(ms_writer *w, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        ssize_t r = writev(w->fd, iov, cnt);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return MS_ERR_IO;
        }
        w->offset += (uint64_t)r;
        size_t left = (size_t)r;
        while (cnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return MS_OK;
}

static ms_error fail(ms_writer *w, ms_error e)
{
    if (w->err == MS_OK)
        w->err = e;
    return e;
}

ms_error ms_writer_open_fd(int fd, int take_ownership, const ms_writer_options *o,
                           ms_writer **out)
{
    RETURN_ERROR_IF(!out || fd < 0, MS_ERR_INVALID_ARG);
    *out = NULL;
    ms_writer_options def;
    if (!o) {
        ms_writer_options_init(&def);
        o = &def;
    }
    RETURN_ERROR_IF((unsigned)o->codec >= MS_CODEC_MAX_, MS_ERR_INVALID_ARG);
    /* offsets in the index count from 0: a seekable fd must start there
     * (pipes and sockets cannot seek and are accepted) */
    off_t at = lseek(fd, 0, SEEK_CUR);
    RETURN_ERROR_IF(at > 0, MS_ERR_INVALID_ARG);
    size_t exe_len = o->exe ? strlen(o->exe) : 0;
    RETURN_ERROR_IF(exe_len > MS_MAX_STRING, MS_ERR_TOO_LARGE);
    ms_writer *w = calloc(1, sizeof *w);
    RETURN_ERROR_IF(!w, MS_ERR_NOMEM);
    w->fd = fd;
    w->codec = o->codec;
    ms_error e = ms_cctx_create(o->codec, o->level, &w->cctx);
    if (e == MS_OK && !(w->ev = ms_ev_scratch_new()))
        e = MS_ERR_NOMEM;
    if (e == MS_OK)
        e = ms_buf_reserve(&w->raw, MS_HEADER_OVERHEAD + exe_len);
    if (e == MS_OK) {
        ms_header_info h = {0};
        h.version = MS_FORMAT_VERSION;
        h.flags = o->flags;
        h.pid = o->pid;
        h.codec = o->codec;
        h.created_unix_ns = o->created_unix_ns;
        if (!h.created_unix_ns) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            h.created_unix_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        }
        size_t n = ms_header_encode(w->raw.p, &h, o->exe, (uint32_t)exe_len);
        struct iovec iov = {w->raw.p, n};
        e = write_all(w, &iov, 1);
    }
    if (e != MS_OK) {
        ms_writer_abandon(w); /* does not close fd: not owned yet */
        return e;
    }
    w->owns_fd = take_ownership;
    *out = w;
    return MS_OK;
}

ms_error ms_writer_open_path(const char *path, const ms_writer_options *o, ms_writer **out)
{
    RETURN_ERROR_IF(!path || !out, MS_ERR_INVALID_ARG);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    RETURN_ERROR_IF(fd < 0, MS_ERR_IO);
    ms_error e = ms_writer_open_fd(fd, 1, o, out);
    if (e != MS_OK)
        close(fd);
    return e;
}

/* Append one chunk whose raw payload is @raw (@len bytes). */
static ms_error append_chunk(ms_writer *w, uint32_t type, uint32_t thread, const void *raw,
                             size_t len, uint64_t items, uint64_t t_first, uint64_t t_last)
{
    RETURN_ERROR_IF(len == 0 || len > MS_MAX_CHUNK_RAW, len ? MS_ERR_TOO_LARGE : MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(items > len || t_first > t_last, MS_ERR_INVALID_ARG);
    if (type != MS_CHUNK_INDEX && w->nindex == w->capindex) {
        size_t ncap = w->capindex ? w->capindex * 2 : 64;
        ms_chunk_info *ni = realloc(w->index, ncap * sizeof *ni);
        RETURN_ERROR_IF(!ni, MS_ERR_NOMEM);
        w->index = ni;
        w->capindex = ncap;
    }
    uint32_t codec;
    FORWARD_IF_ERROR(ms_cctx_compress(w->cctx, raw, len, &w->stored, &codec));
    ms_chunk_hdr h = {
        .type = type,
        .codec = codec,
        .thread = thread,
        .stored_size = w->stored.len,
        .raw_size = len,
        .items = items,
        .t_first = t_first,
        .t_last = t_last,
        .payload_hash = ms_checksum(w->stored.p, w->stored.len),
    };
    uint8_t hdr[MS_CHUNK_HEADER_SIZE];
    ms_chunk_hdr_encode(hdr, &h);
    uint64_t at = w->offset;
    struct iovec iov[2] = {{hdr, sizeof hdr}, {w->stored.p, w->stored.len}};
    ms_error e = write_all(w, iov, 2);
    if (e != MS_OK)
        return fail(w, e);
    if (type != MS_CHUNK_INDEX) {
        ms_chunk_info *c = &w->index[w->nindex++];
        c->type = type;
        c->codec = codec;
        c->thread = thread;
        c->reserved = 0;
        c->offset = at;
        c->stored_size = h.stored_size;
        c->raw_size = len;
        c->items = items;
        c->t_first = t_first;
        c->t_last = t_last;
    }
    return MS_OK;
}

ms_error ms_writer_add_raw(ms_writer *w, uint32_t type, uint32_t thread, const void *raw,
                           size_t len, uint64_t items, uint64_t t_first, uint64_t t_last)
{
    RETURN_ERROR_IF(!w || (!raw && len), MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(w->err != MS_OK, MS_ERR_STATE);
    RETURN_ERROR_IF(type == 0 || type >= MS_CHUNK_TYPE_MAX_ || type == MS_CHUNK_INDEX,
                    MS_ERR_INVALID_ARG);
    return append_chunk(w, type, thread, raw, len, items, t_first, t_last);
}

/* Encode with @enc into w->raw, then append. */
#define ADD_TYPED(w, type, thread, n, enc_call, t0, t1)                        \
    do {                                                                       \
        RETURN_ERROR_IF(!(w), MS_ERR_INVALID_ARG);                             \
        RETURN_ERROR_IF((w)->err != MS_OK, MS_ERR_STATE);                      \
        (w)->raw.len = 0;                                                      \
        FORWARD_IF_ERROR(enc_call);                                            \
        RETURN_ERROR_IF((w)->raw.len > MS_MAX_CHUNK_RAW, MS_ERR_TOO_LARGE);    \
        return append_chunk((w), (type), (thread), (w)->raw.p, (w)->raw.len,   \
                            (n), (t0), (t1));                                  \
    } while (0)

ms_error ms_writer_add_events(ms_writer *w, uint32_t thread, const ms_event *ev, size_t n)
{
    RETURN_ERROR_IF(!w || (n && !ev), MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(w->err != MS_OK, MS_ERR_STATE);
    size_t done = 0;
    do {
        size_t k = n - done;
        if (k > MS_EVENTS_PER_CHUNK)
            k = MS_EVENTS_PER_CHUNK;
        uint64_t t0, t1;
        w->raw.len = 0;
        FORWARD_IF_ERROR(ms_enc_events(&w->raw, w->ev, ev + done, k, &t0, &t1));
        FORWARD_IF_ERROR(append_chunk(w, MS_CHUNK_EVENTS, thread, w->raw.p, w->raw.len, k, t0, t1));
        done += k;
    } while (done < n);
    return MS_OK;
}

ms_error ms_writer_add_sites(ms_writer *w, const ms_site *s, size_t n)
{
    RETURN_ERROR_IF(n && !s, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_SITES, 0, n, ms_enc_sites(&w->raw, s, n), 0, 0);
}

ms_error ms_writer_add_stacks(ms_writer *w, const ms_stack *s, size_t n)
{
    RETURN_ERROR_IF(n && !s, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_STACKS, 0, n, ms_enc_stacks(&w->raw, s, n), 0, 0);
}

static void time_range(const uint64_t *first, size_t stride, size_t n, uint64_t *t0,
                       uint64_t *t1)
{
    *t0 = *t1 = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = *(const uint64_t *)((const uint8_t *)first + i * stride);
        if (i == 0 || t < *t0)
            *t0 = t;
        if (i == 0 || t > *t1)
            *t1 = t;
    }
}

ms_error ms_writer_add_modules(ms_writer *w, const ms_module *m, size_t n)
{
    RETURN_ERROR_IF(n && !m, MS_ERR_INVALID_ARG);
    uint64_t t0, t1;
    time_range(n ? &m->time_ns : NULL, sizeof *m, n, &t0, &t1);
    ADD_TYPED(w, MS_CHUNK_MODULES, 0, n, ms_enc_modules(&w->raw, m, n), t0, t1);
}

ms_error ms_writer_add_threads(ms_writer *w, const ms_thread *t, size_t n)
{
    RETURN_ERROR_IF(n && !t, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_THREADS, 0, n, ms_enc_threads(&w->raw, t, n), 0, 0);
}

ms_error ms_writer_add_counters(ms_writer *w, const ms_counter *c, size_t n)
{
    RETURN_ERROR_IF(n && !c, MS_ERR_INVALID_ARG);
    uint64_t t0, t1;
    time_range(n ? &c->time_ns : NULL, sizeof *c, n, &t0, &t1);
    ADD_TYPED(w, MS_CHUNK_COUNTERS, 0, n, ms_enc_counters(&w->raw, c, n), t0, t1);
}

ms_error ms_writer_add_leaks(ms_writer *w, const ms_leak *l, size_t n)
{
    RETURN_ERROR_IF(n && !l, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_LEAKS, 0, n, ms_enc_leaks(&w->raw, l, n), 0, 0);
}

ms_error ms_writer_add_strings(ms_writer *w, const ms_string *s, size_t n)
{
    RETURN_ERROR_IF(n && !s, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_STRINGS, 0, n, ms_enc_strings(&w->raw, s, n), 0, 0);
}

ms_error ms_writer_add_summary(ms_writer *w, const ms_kv *kv, size_t n)
{
    RETURN_ERROR_IF(n && !kv, MS_ERR_INVALID_ARG);
    ADD_TYPED(w, MS_CHUNK_SUMMARY, 0, n, ms_enc_summary(&w->raw, kv, n), 0, 0);
}

ms_error ms_writer_flush(ms_writer *w, int durable)
{
    RETURN_ERROR_IF(!w, MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(w->err != MS_OK, MS_ERR_STATE);
    /* chunks are written with writev as they are added: nothing is held back */
    if (durable && fdatasync(w->fd) != 0 && errno != EINVAL && errno != EROFS)
        return fail(w, MS_ERR_IO);
    return MS_OK;
}

uint64_t ms_writer_bytes(const ms_writer *w)
{
    return w ? w->offset : 0;
}

ms_error ms_writer_close(ms_writer *w)
{
    if (!w)
        return MS_OK;
    ms_error e = w->err;
    if (e == MS_OK) {
        w->raw.len = 0;
        uint64_t at = w->offset;
        e = ms_enc_index(&w->raw, w->index, w->nindex);
        if (e == MS_OK)
            e = w->raw.len > MS_MAX_CHUNK_RAW ? MS_ERR_TOO_LARGE : MS_OK;
        if (e == MS_OK)
            e = append_chunk(w, MS_CHUNK_INDEX, 0, w->raw.p, w->raw.len, w->nindex, 0, 0);
        if (e == MS_OK) {
            uint8_t tr[MS_TRAILER_SIZE];
            ms_trailer_encode(tr, at, w->nindex);
            struct iovec iov = {tr, sizeof tr};
            e = write_all(w, &iov, 1);
        }
    }
    if (w->owns_fd && close(w->fd) != 0 && e == MS_OK)
        e = MS_ERR_IO;
    w->owns_fd = 0;
    ms_writer_abandon(w);
    return e;
}

void ms_writer_abandon(ms_writer *w)
{
    if (!w)
        return;
    if (w->owns_fd)
        close(w->fd);
    ms_cctx_free(w->cctx);
    ms_ev_scratch_free(w->ev);
    ms_buf_free(&w->raw);
    ms_buf_free(&w->stored);
    free(w->index);
    free(w);
}
