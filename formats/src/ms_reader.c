/*
 * ms_reader.c - opening a .ms file: header, then either the index (valid
 * trailer) or a recovery scan that keeps every chunk whose checksums hold
 * and stops at the first damaged one, recording what was lost and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ms_reader_internal.h"

static void set_msg(ms_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_msg(ms_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
}

static ms_error push_chunk(ms_reader *r, size_t *cap, const ms_chunk_hdr *h, uint64_t off)
{
    if (r->nchunks == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        ms_chunk_info *c = realloc(r->chunks, ncap * sizeof *c);
        RETURN_ERROR_IF(!c, MS_ERR_NOMEM);
        r->chunks = c;
        *cap = ncap;
    }
    ms_chunk_info *c = &r->chunks[r->nchunks++];
    c->type = h->type;
    c->codec = h->codec;
    c->thread = h->thread;
    c->reserved = 0;
    c->offset = off;
    c->stored_size = h->stored_size;
    c->raw_size = h->raw_size;
    c->items = h->items;
    c->t_first = h->t_first;
    c->t_last = h->t_last;
    return MS_OK;
}

/* Try the trailer and the index. MS_OK: r->chunks filled, file complete.
 * Any error: the caller scans instead (why explains it, "" = no trailer). */
static ms_error try_index(ms_reader *r, uint64_t hdr_size, char *why, size_t whylen)
{
    uint64_t idx_off, count;
    const char *w = "";
    why[0] = '\0';
    if (r->size < hdr_size + MS_CHUNK_HEADER_SIZE + MS_TRAILER_SIZE)
        return MS_ERR_NO_INDEX;
    uint64_t tr_off = r->size - MS_TRAILER_SIZE;
    if (ms_trailer_decode(r->base + tr_off, &idx_off, &count) != MS_OK)
        return MS_ERR_NO_INDEX;
    if (idx_off < hdr_size || idx_off > tr_off - MS_CHUNK_HEADER_SIZE) {
        snprintf(why, whylen, "trailer points outside the file (index offset %" PRIu64 ")",
                 idx_off);
        return MS_ERR_CORRUPT;
    }
    ms_chunk_hdr h;
    ms_error e = ms_chunk_hdr_decode(r->base + idx_off, &h, &w);
    if (e == MS_OK && (h.type != MS_CHUNK_INDEX ||
                       h.stored_size != tr_off - idx_off - MS_CHUNK_HEADER_SIZE ||
                       h.items != count)) {
        w = "index chunk does not match the trailer";
        e = MS_ERR_CORRUPT;
    }
    void *raw = NULL;
    if (e == MS_OK) {
        e = ms_chunk_raw(&h, r->base + idx_off + MS_CHUNK_HEADER_SIZE, &raw);
        w = e == MS_ERR_CHUNK_CHECKSUM ? "index payload checksum mismatch"
                                       : "index payload does not decompress";
    }
    if (e == MS_OK) {
        size_t n;
        e = ms_dec_index(raw, h.raw_size, h.items, hdr_size, idx_off, &r->chunks, &n, &w);
        r->nchunks = n;
    }
    free(raw);
    if (e != MS_OK) {
        snprintf(why, whylen, "index at offset %" PRIu64 " unusable (%s: %s)", idx_off,
                 ms_error_name(e), w);
        return e;
    }
    return MS_OK;
}

/* Scan chunk by chunk from the header; fills chunks and recovery. */
static ms_error scan(ms_reader *r, uint64_t pos, const char *why_index)
{
    size_t cap = 0;
    const char *w = "";
    char prefix[160] = "";
    if (why_index[0])
        snprintf(prefix, sizeof prefix, "%s; ", why_index);
    r->rec.complete = 0;
    for (;;) {
        size_t i = r->nchunks;
        uint64_t left = r->size - pos;
        ms_error stop = MS_OK;
        ms_chunk_hdr h;
        if (left == 0) {
            stop = MS_ERR_TRUNCATED;
            set_msg(r, "%sfile ends after chunk %zu at offset %" PRIu64
                       " without index and trailer (writer not closed)",
                    prefix, i, pos);
        } else if (left < MS_CHUNK_HEADER_SIZE) {
            stop = MS_ERR_TRUNCATED;
            set_msg(r, "%schunk %zu at offset %" PRIu64 ": header truncated (%" PRIu64
                       " of %u bytes)", prefix, i, pos, left, MS_CHUNK_HEADER_SIZE);
        } else if ((stop = ms_chunk_hdr_decode(r->base + pos, &h, &w)) != MS_OK) {
            set_msg(r, "%schunk %zu at offset %" PRIu64 ": %s", prefix, i, pos, w);
        } else if (h.stored_size > left - MS_CHUNK_HEADER_SIZE) {
            stop = MS_ERR_TRUNCATED;
            set_msg(r, "%schunk %zu at offset %" PRIu64 ": payload truncated (%" PRIu64
                       " of %" PRIu64 " bytes)", prefix, i, pos, left - MS_CHUNK_HEADER_SIZE,
                    h.stored_size);
        } else if (!ms_checksum_ok(h.payload_hash, r->base + pos + MS_CHUNK_HEADER_SIZE,
                                  h.stored_size)) {
            stop = MS_ERR_CHUNK_CHECKSUM;
            set_msg(r, "%schunk %zu at offset %" PRIu64 ": payload checksum mismatch", prefix,
                    i, pos);
        } else if (h.type == MS_CHUNK_INDEX) {
            /* a good index chunk whose trailer is missing or damaged */
            uint64_t end = pos + MS_CHUNK_HEADER_SIZE + h.stored_size;
            uint64_t tl = r->size - end;
            stop = tl < MS_TRAILER_SIZE ? MS_ERR_TRUNCATED : MS_ERR_CORRUPT;
            set_msg(r, "%strailer at offset %" PRIu64 " %s after %zu chunks", prefix, end,
                    tl < MS_TRAILER_SIZE ? "truncated" : "invalid", i);
            pos = end;
        }
        if (stop != MS_OK) {
            r->rec.stop_reason = stop;
            r->rec.stop_offset = pos;
            r->rec.valid_bytes = pos;
            r->rec.lost_bytes = r->size - pos;
            return MS_OK;
        }
        FORWARD_IF_ERROR(push_chunk(r, &cap, &h, pos));
        pos += MS_CHUNK_HEADER_SIZE + h.stored_size;
    }
}

static ms_error open_common(ms_reader *r)
{
    uint32_t exe_off, exe_len, hdr_size;
    if (r->size == 0)
        return MS_ERR_TRUNCATED;
    FORWARD_IF_ERROR(
        ms_header_decode(r->base, r->size, &r->hdr, &exe_off, &exe_len, &hdr_size));
    r->exe = malloc((size_t)exe_len + 1);
    RETURN_ERROR_IF(!r->exe, MS_ERR_NOMEM);
    memcpy(r->exe, r->base + exe_off, exe_len);
    r->exe[exe_len] = '\0';
    r->hdr.exe = r->exe;
    r->rec.file_size = r->size;
    char why[200];
    ms_error e = try_index(r, hdr_size, why, sizeof why);
    if (e == MS_OK) {
        r->rec.complete = 1;
        r->rec.valid_bytes = r->size;
        r->rec.lost_bytes = 0;
        r->rec.stop_reason = MS_OK;
        r->rec.stop_offset = r->size;
        r->msg[0] = '\0';
        return MS_OK;
    }
    RETURN_ERROR_IF(e == MS_ERR_NOMEM, e);
    free(r->chunks);
    r->chunks = NULL;
    r->nchunks = 0;
    return scan(r, hdr_size, why);
}

static ms_reader *reader_new(void)
{
    ms_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

ms_error ms_reader_open_mem(const void *buf, size_t len, ms_reader **out)
{
    RETURN_ERROR_IF(!out || (!buf && len), MS_ERR_INVALID_ARG);
    *out = NULL;
    ms_reader *r = reader_new();
    RETURN_ERROR_IF(!r, MS_ERR_NOMEM);
    r->base = buf;
    r->size = len;
    ms_error e = open_common(r);
    if (e != MS_OK) {
        ms_reader_close(r);
        return e;
    }
    *out = r;
    return MS_OK;
}

ms_error ms_reader_open(const char *path, ms_reader **out)
{
    RETURN_ERROR_IF(!path || !out, MS_ERR_INVALID_ARG);
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    RETURN_ERROR_IF(fd < 0, MS_ERR_IO);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return MS_ERR_IO;
    }
    ms_reader *r = reader_new();
    if (!r) {
        close(fd);
        return MS_ERR_NOMEM;
    }
    r->size = (size_t)st.st_size;
    if (r->size) {
        void *p = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            ms_reader_close(r);
            return MS_ERR_IO;
        }
        r->base = p;
        r->mapped = 1;
    }
    close(fd);
    ms_error e = open_common(r);
    if (e != MS_OK) {
        ms_reader_close(r);
        return e;
    }
    *out = r;
    return MS_OK;
}

void ms_reader_close(ms_reader *r)
{
    if (!r)
        return;
    ms_reader_cache_clear(r);
    if (r->mapped)
        munmap((void *)r->base, r->size);
    pthread_mutex_destroy(&r->lock);
    free(r->chunks);
    free(r->exe);
    free(r);
}

const ms_header_info *ms_reader_header(const ms_reader *r)
{
    return r ? &r->hdr : NULL;
}

const ms_recovery *ms_reader_recovery(const ms_reader *r)
{
    return r ? &r->rec : NULL;
}

const char *ms_reader_message(const ms_reader *r)
{
    return r ? r->msg : "";
}

size_t ms_reader_chunk_count(const ms_reader *r)
{
    return r ? r->nchunks : 0;
}

const ms_chunk_info *ms_reader_chunk(const ms_reader *r, size_t i)
{
    if (!r || i >= r->nchunks)
        return NULL;
    return &r->chunks[i];
}

ms_error ms_reader_chunk_hdr(const ms_reader *r, size_t i, ms_chunk_hdr *h)
{
    const ms_chunk_info *c = &r->chunks[i];
    FORWARD_IF_ERROR(ms_chunk_hdr_decode(r->base + c->offset, h, NULL));
    /* with an index, the header was not read at open: it must agree */
    RETURN_ERROR_IF(h->type != c->type || h->codec != c->codec || h->thread != c->thread ||
                        h->stored_size != c->stored_size || h->raw_size != c->raw_size ||
                        h->items != c->items || h->t_first != c->t_first ||
                        h->t_last != c->t_last,
                    MS_ERR_CORRUPT);
    return MS_OK;
}
