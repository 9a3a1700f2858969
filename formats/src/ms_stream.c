/*
 * ms_stream.c - the streaming reader: read(2) only, chunk by chunk in file
 * order, memory bounded by the largest chunk (two reused buffers), so it
 * works over files of any size and over pipes. It applies the recovery
 * rules of the mmap reader's scan: the first damaged chunk stops the stream
 * and is reported; the index chunk is checked and skipped; a clean end is a
 * checksummed trailer followed by end of file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ms_internal.h"

struct ms_stream {
    int fd;
    int owns_fd;
    ms_header_info hdr;
    char *exe;
    uint64_t pos;         /* bytes consumed */
    uint64_t good_end;    /* end of the last good structure */
    size_t nchunks;       /* data chunks delivered */
    ms_error sticky;      /* MS_OK, MS_ERR_END or the error that stopped it */
    ms_buf stored;
    ms_buf raw;
    ms_recovery rec;
    char msg[256];
};

static void set_msg(ms_stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(ms_stream *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
}

/* Read up to @n bytes; *got < n only at end of file. */
static ms_error read_full(ms_stream *s, void *buf, size_t n, size_t *got)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(s->fd, (uint8_t *)buf + done, n - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *got = done;
            s->pos += done;
            return MS_ERR_IO;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    s->pos += done;
    return MS_OK;
}

static ms_error stop(ms_stream *s, ms_error e)
{
    s->sticky = e;
    s->rec.file_size = s->pos;
    s->rec.valid_bytes = s->good_end;
    s->rec.lost_bytes = s->pos - s->good_end;
    s->rec.stop_offset = s->good_end;
    if (e == MS_ERR_END) {
        s->rec.complete = 1;
        s->rec.stop_reason = MS_OK;
        s->msg[0] = '\0';
    } else {
        s->rec.complete = 0;
        s->rec.stop_reason = e;
    }
    return e;
}

ms_error ms_stream_open_fd(int fd, ms_stream **out)
{
    RETURN_ERROR_IF(fd < 0 || !out, MS_ERR_INVALID_ARG);
    *out = NULL;
    ms_stream *s = calloc(1, sizeof *s);
    RETURN_ERROR_IF(!s, MS_ERR_NOMEM);
    s->fd = fd;
    uint8_t fixed[MS_HEADER_FIXED];
    size_t got;
    ms_header_info info;
    uint32_t exe_off, exe_len, hdr_size;
    ms_error e = read_full(s, fixed, sizeof fixed, &got);
    if (e == MS_OK) {
        e = got == 0 ? MS_ERR_TRUNCATED
                     : ms_header_decode(fixed, got, &info, &exe_off, &exe_len, &hdr_size);
        /* the fixed part alone is not enough: TRUNCATED asks for the rest */
        if (e == MS_ERR_TRUNCATED && got == sizeof fixed) {
            uint32_t elen = ms_get_le32(fixed + 36);
            e = ms_buf_append(&s->stored, fixed, sizeof fixed);
            if (e == MS_OK)
                e = ms_buf_reserve(&s->stored, (size_t)elen + 8);
            if (e == MS_OK)
                e = read_full(s, s->stored.p + sizeof fixed, (size_t)elen + 8, &got);
            if (e == MS_OK)
                e = ms_header_decode(s->stored.p, sizeof fixed + got, &info, &exe_off,
                                     &exe_len, &hdr_size);
            if (e == MS_OK) {
                s->exe = malloc((size_t)exe_len + 1);
                if (!s->exe)
                    e = MS_ERR_NOMEM;
                else {
                    memcpy(s->exe, s->stored.p + exe_off, exe_len);
                    s->exe[exe_len] = '\0';
                }
            }
        }
    }
    if (e != MS_OK) {
        ms_stream_close(s);
        return e;
    }
    s->hdr = info;
    s->hdr.exe = s->exe;
    s->good_end = s->pos;
    *out = s;
    return MS_OK;
}

ms_error ms_stream_open(const char *path, ms_stream **out)
{
    RETURN_ERROR_IF(!path || !out, MS_ERR_INVALID_ARG);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    RETURN_ERROR_IF(fd < 0, MS_ERR_IO);
    ms_error e = ms_stream_open_fd(fd, out);
    if (e != MS_OK) {
        close(fd);
        return e;
    }
    (*out)->owns_fd = 1;
    return MS_OK;
}

const ms_header_info *ms_stream_header(const ms_stream *s)
{
    return s ? &s->hdr : NULL;
}

const ms_recovery *ms_stream_recovery(const ms_stream *s)
{
    return s ? &s->rec : NULL;
}

const char *ms_stream_message(const ms_stream *s)
{
    return s ? s->msg : "";
}

/* The index chunk was read and verified: the trailer and EOF must follow. */
static ms_error finish(ms_stream *s, const ms_chunk_hdr *h, uint64_t at)
{
    uint8_t tr[MS_TRAILER_SIZE + 1];
    size_t got;
    uint64_t idx_off, count;
    if (h->items != s->nchunks) {
        set_msg(s, "index at offset %" PRIu64 " lists %" PRIu64 " chunks, stream had %zu", at,
                h->items, s->nchunks);
        return stop(s, MS_ERR_CORRUPT);
    }
    FORWARD_IF_ERROR(read_full(s, tr, sizeof tr, &got));
    if (got < MS_TRAILER_SIZE) {
        set_msg(s, "trailer at offset %" PRIu64 " truncated after %zu chunks", s->good_end,
                s->nchunks);
        return stop(s, MS_ERR_TRUNCATED);
    }
    if (ms_trailer_decode(tr, &idx_off, &count) != MS_OK || idx_off != at ||
        count != s->nchunks) {
        set_msg(s, "trailer at offset %" PRIu64 " invalid after %zu chunks", s->good_end,
                s->nchunks);
        return stop(s, MS_ERR_CORRUPT);
    }
    if (got > MS_TRAILER_SIZE) {
        s->good_end += MS_TRAILER_SIZE;
        set_msg(s, "data after the trailer at offset %" PRIu64, s->good_end);
        return stop(s, MS_ERR_CORRUPT);
    }
    s->good_end += MS_TRAILER_SIZE;
    return stop(s, MS_ERR_END);
}

ms_error ms_stream_next(ms_stream *s, ms_chunk_info *info, ms_decoded **d)
{
    RETURN_ERROR_IF(!s || !d, MS_ERR_INVALID_ARG);
    *d = NULL;
    if (s->sticky != MS_OK)
        return s->sticky;
    for (;;) {
        uint8_t hb[MS_CHUNK_HEADER_SIZE];
        size_t got;
        ms_chunk_hdr h;
        const char *why = "";
        uint64_t at = s->pos;
        size_t i = s->nchunks;
        ms_error e = read_full(s, hb, sizeof hb, &got);
        if (e != MS_OK) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": read failed", i, at);
            return stop(s, e);
        }
        if (got == 0) {
            set_msg(s, "file ends after chunk %zu at offset %" PRIu64
                       " without index and trailer (writer not closed)", i, at);
            return stop(s, MS_ERR_TRUNCATED);
        }
        if (got < sizeof hb) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": header truncated (%zu of %u bytes)",
                    i, at, got, MS_CHUNK_HEADER_SIZE);
            return stop(s, MS_ERR_TRUNCATED);
        }
        if ((e = ms_chunk_hdr_decode(hb, &h, &why)) != MS_OK) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": %s", i, at, why);
            return stop(s, e);
        }
        s->stored.len = 0;
        if ((e = ms_buf_reserve(&s->stored, h.stored_size ? h.stored_size : 1)) != MS_OK)
            return stop(s, e);
        if ((e = read_full(s, s->stored.p, h.stored_size, &got)) != MS_OK)
            return stop(s, e);
        if (got < h.stored_size) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": payload truncated (%zu of %" PRIu64
                       " bytes)", i, at, got, h.stored_size);
            return stop(s, MS_ERR_TRUNCATED);
        }
        if (!ms_checksum_ok(h.payload_hash, s->stored.p, h.stored_size)) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": payload checksum mismatch", i, at);
            return stop(s, MS_ERR_CHUNK_CHECKSUM);
        }
        if (h.type == MS_CHUNK_INDEX) {
            s->good_end = s->pos;
            return finish(s, &h, at);
        }
        const uint8_t *raw = s->stored.p;
        if (h.codec != MS_CODEC_NONE) {
            s->raw.len = 0;
            if ((e = ms_decompress_precheck(h.codec, s->stored.p, h.stored_size,
                                            h.raw_size)) != MS_OK ||
                (e = ms_buf_reserve(&s->raw, h.raw_size)) != MS_OK) {
                set_msg(s, "chunk %zu at offset %" PRIu64 ": %s payload cannot hold %" PRIu64
                           " raw bytes", i, at, ms_codec_name((ms_codec)h.codec), h.raw_size);
                return stop(s, e);
            }
            if ((e = ms_decompress(h.codec, s->stored.p, h.stored_size, s->raw.p,
                                   h.raw_size)) != MS_OK) {
                set_msg(s, "chunk %zu at offset %" PRIu64 ": %s payload does not decompress",
                        i, at, ms_codec_name((ms_codec)h.codec));
                return stop(s, e);
            }
            raw = s->raw.p;
        }
        if ((e = ms_decode_payload(h.type, raw, h.raw_size, h.items, d)) != MS_OK) {
            set_msg(s, "chunk %zu at offset %" PRIu64 ": %s payload does not decode", i, at,
                    ms_chunk_type_name(h.type));
            return stop(s, e);
        }
        (*d)->thread = h.thread;
        s->good_end = s->pos;
        s->nchunks++;
        if (info) {
            info->type = h.type;
            info->codec = h.codec;
            info->thread = h.thread;
            info->reserved = 0;
            info->offset = at;
            info->stored_size = h.stored_size;
            info->raw_size = h.raw_size;
            info->items = h.items;
            info->t_first = h.t_first;
            info->t_last = h.t_last;
        }
        return MS_OK;
    }
}

void ms_stream_close(ms_stream *s)
{
    if (!s)
        return;
    if (s->owns_fd)
        close(s->fd);
    ms_buf_free(&s->stored);
    ms_buf_free(&s->raw);
    free(s->exe);
    free(s);
}
