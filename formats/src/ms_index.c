/*
 * ms_index.c - the index payload (chunk type MS_CHUNK_INDEX), and the
 * shared "verify, decompress, decode one chunk" step of reader and stream.
 *
 * Index payload: array of n entries, each
 *   [offset, type, codec, thread, stored_size, raw_size, items, t_first, t_last]
 * in file order. A valid index covers the data chunks contiguously: the
 * first entry starts right after the file header, each next entry right
 * after the previous chunk's payload, and the last ends at the index chunk.
 */
#include <stdlib.h>

#include <msgpack.h>

#include "ms_internal.h"
#include "ms_mpack.h"

#define INDEX_FIELDS 9

ms_error ms_enc_index(ms_buf *out, const ms_chunk_info *e, size_t n)
{
    msgpack_packer pk;
    RETURN_ERROR_IF(n > UINT32_MAX, MS_ERR_TOO_LARGE);
    msgpack_packer_init(&pk, out, ms_buf_pack_cb);
    int r = msgpack_pack_array(&pk, n);
    for (size_t i = 0; i < n && r == 0; i++) {
        r |= msgpack_pack_array(&pk, INDEX_FIELDS);
        r |= msgpack_pack_uint64(&pk, e[i].offset);
        r |= msgpack_pack_uint32(&pk, e[i].type);
        r |= msgpack_pack_uint32(&pk, e[i].codec);
        r |= msgpack_pack_uint32(&pk, e[i].thread);
        r |= msgpack_pack_uint64(&pk, e[i].stored_size);
        r |= msgpack_pack_uint64(&pk, e[i].raw_size);
        r |= msgpack_pack_uint64(&pk, e[i].items);
        r |= msgpack_pack_uint64(&pk, e[i].t_first);
        r |= msgpack_pack_uint64(&pk, e[i].t_last);
    }
    RETURN_ERROR_IF(r != 0, MS_ERR_NOMEM);
    return MS_OK;
}

ms_error ms_dec_index(const uint8_t *p, size_t len, uint64_t items, uint64_t first_offset,
                      uint64_t index_offset, ms_chunk_info **out, size_t *count,
                      const char **why)
{
    ms_mp m;
    uint32_t n, extra;
    *out = NULL;
    *count = 0;
    *why = "index payload malformed";
    ms_mp_init(&m, p, len);
    FORWARD_IF_ERROR(ms_mp_array(&m, &n));
    RETURN_ERROR_IF(n != items, MS_ERR_PAYLOAD);
    ms_chunk_info *e = calloc(n ? n : 1, sizeof *e);
    RETURN_ERROR_IF(!e, MS_ERR_NOMEM);
    uint64_t pos = first_offset;
    ms_error err = MS_OK;
    for (uint32_t i = 0; i < n && err == MS_OK; i++) {
        ms_chunk_info *c = &e[i];
        ms_chunk_hdr h = {0};
        if ((err = ms_mp_record(&m, INDEX_FIELDS, &extra)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->offset)) != MS_OK ||
            (err = ms_mp_u32(&m, &c->type)) != MS_OK ||
            (err = ms_mp_u32(&m, &c->codec)) != MS_OK ||
            (err = ms_mp_u32(&m, &c->thread)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->stored_size)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->raw_size)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->items)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->t_first)) != MS_OK ||
            (err = ms_mp_uint(&m, &c->t_last)) != MS_OK)
            break;
        for (uint32_t k = 0; k < extra && err == MS_OK; k++)
            err = ms_mp_skip(&m);
        if (err != MS_OK)
            break;
        h.type = c->type;
        h.codec = c->codec;
        h.stored_size = c->stored_size;
        h.raw_size = c->raw_size;
        h.items = c->items;
        h.t_first = c->t_first;
        h.t_last = c->t_last;
        if ((err = ms_chunk_hdr_check(&h, why)) != MS_OK)
            break;
        if (c->type == MS_CHUNK_INDEX) {
            *why = "index lists an index chunk";
            err = MS_ERR_CORRUPT;
        } else if (c->offset != pos) {
            *why = "index entries are not contiguous";
            err = MS_ERR_CORRUPT;
        } else if (c->stored_size > index_offset - pos ||
                   MS_CHUNK_HEADER_SIZE > index_offset - pos - c->stored_size) {
            *why = "index entry extends past the index chunk";
            err = MS_ERR_CORRUPT;
        } else {
            pos += MS_CHUNK_HEADER_SIZE + c->stored_size;
        }
    }
    if (err == MS_OK && m.p != m.end) {
        *why = "trailing bytes after the index";
        err = MS_ERR_PAYLOAD;
    }
    if (err == MS_OK && pos != index_offset) {
        *why = "index does not cover the file up to the index chunk";
        err = MS_ERR_CORRUPT;
    }
    if (err != MS_OK) {
        free(e);
        return err;
    }
    *why = "";
    *out = e;
    *count = n;
    return MS_OK;
}

ms_error ms_chunk_raw(const ms_chunk_hdr *h, const uint8_t *stored, void **raw)
{
    *raw = NULL;
    RETURN_ERROR_IF(!ms_checksum_ok(h->payload_hash, stored, h->stored_size),
                    MS_ERR_CHUNK_CHECKSUM);
    FORWARD_IF_ERROR(ms_decompress_precheck(h->codec, stored, h->stored_size, h->raw_size));
    void *buf = malloc(h->raw_size ? h->raw_size : 1);
    RETURN_ERROR_IF(!buf, MS_ERR_NOMEM);
    ms_error e = ms_decompress(h->codec, stored, h->stored_size, buf, h->raw_size);
    if (e != MS_OK) {
        free(buf);
        return e;
    }
    *raw = buf;
    return MS_OK;
}

ms_error ms_chunk_decode(const ms_chunk_hdr *h, const uint8_t *stored, ms_decoded **out)
{
    void *raw;
    *out = NULL;
    RETURN_ERROR_IF(h->type == MS_CHUNK_INDEX, MS_ERR_INVALID_ARG);
    if (h->codec == MS_CODEC_NONE) {
        /* decode straight from the mapping: no copy */
        RETURN_ERROR_IF(!ms_checksum_ok(h->payload_hash, stored, h->stored_size),
                        MS_ERR_CHUNK_CHECKSUM);
        FORWARD_IF_ERROR(ms_decode_payload(h->type, stored, h->raw_size, h->items, out));
    } else {
        FORWARD_IF_ERROR(ms_chunk_raw(h, stored, &raw));
        ms_error e = ms_decode_payload(h->type, raw, h->raw_size, h->items, out);
        free(raw);
        FORWARD_IF_ERROR(e);
    }
    (*out)->thread = h->thread;
    return MS_OK;
}
