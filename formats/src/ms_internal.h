/*
 * ms_internal.h - declarations shared inside libmsformat (not installed).
 */
#ifndef MS_INTERNAL_H
#define MS_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "msformat.h"
#include "ms_layout.h"

/* Error propagation, after zstd's error_private.h. */
#define RETURN_ERROR_IF(cond, err) \
    do {                           \
        if (cond)                  \
            return (err);          \
    } while (0)
#define FORWARD_IF_ERROR(expr)       \
    do {                             \
        ms_error e_fwd_ = (expr);    \
        if (e_fwd_ != MS_OK)         \
            return e_fwd_;           \
    } while (0)

#if defined(__GNUC__)
#define MS_LIKELY(x) __builtin_expect(!!(x), 1)
#define MS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define MS_LIKELY(x) (x)
#define MS_UNLIKELY(x) (x)
#endif

/* ---- growable byte buffer (ms_buf.c) ---------------------------------- */
typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
} ms_buf;

/*! ms_buf_reserve() : room for @extra more bytes. MS_ERR_NOMEM on failure. */
ms_error ms_buf_reserve(ms_buf *b, size_t extra);
ms_error ms_buf_append(ms_buf *b, const void *src, size_t n);
void ms_buf_free(ms_buf *b);
/*! ms_buf_pack_cb() : msgpack_packer_write callback appending to an ms_buf. */
int ms_buf_pack_cb(void *data, const char *buf, size_t len);

/* LEB128 unsigned varint (at most 10 bytes) and zigzag. */
static inline uint64_t ms_zigzag(uint64_t delta)
{
    return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
}
static inline uint64_t ms_unzigzag(uint64_t z)
{
    return (z >> 1) ^ (0 - (z & 1));
}

/* ---- codecs (ms_codec.c) ---------------------------------------------- */
typedef struct ms_cctx ms_cctx;

/*! ms_cctx_create() : a reusable compression context for @codec at @level
 *  (0 = codec default). MS_ERR_INVALID_ARG for a bad codec/level. */
ms_error ms_cctx_create(ms_codec codec, int level, ms_cctx **out);
void ms_cctx_free(ms_cctx *c);
/*! ms_cctx_compress() : compress @n bytes into @dst (replaced). Sets
 *  *used_codec to MS_CODEC_NONE (and copies) when compression does not
 *  shrink the data. */
ms_error ms_cctx_compress(ms_cctx *c, const void *src, size_t n, ms_buf *dst,
                          uint32_t *used_codec);
/*! ms_decompress() : decode exactly @raw bytes from @stored bytes of @codec
 *  into @dst. MS_ERR_CODEC on any mismatch or decoder error. */
/*! ms_decompress_precheck() : cheap plausibility of @raw for @stored bytes
 *  of @codec, done before the raw buffer is allocated: zstd must declare
 *  exactly @raw in its single frame, lz4 cannot exceed its maximum ratio. */
ms_error ms_decompress_precheck(uint32_t codec, const void *src, size_t stored, size_t raw);
ms_error ms_decompress(uint32_t codec, const void *src, size_t stored, void *dst,
                       size_t raw);

/* ---- decoded chunks (ms_decoded.c) ------------------------------------ */
typedef struct {
    atomic_uint refs;
    void *items;           /* the record array */
    void *arena;           /* strings, frames, build ids */
    size_t arena_used;
    size_t arena_cap;
    size_t bytes;          /* approximate memory held, for the cache */
} ms_decoded_priv;

/*! ms_decoded_new() : an empty decoded object with one reference. */
ms_decoded *ms_decoded_new(uint32_t type);
/*! ms_decoded_ref() : one more reference (for the reader's cache). */
ms_decoded *ms_decoded_ref(ms_decoded *d);
size_t ms_decoded_bytes(const ms_decoded *d);
/*! ms_decoded_arena_init() : allocate @cap bytes for strings/frames. */
ms_error ms_decoded_arena_init(ms_decoded *d, size_t cap);
/*! ms_decoded_arena_take() : @n bytes aligned to @align from the arena, or
 *  NULL when it would overflow (a caller bug: arenas are sized by bound). */
void *ms_decoded_arena_take(ms_decoded *d, size_t n, size_t align);

/* ---- payload encoding (ms_payload_enc.c, ms_events.c) ----------------- */
typedef struct ms_ev_scratch ms_ev_scratch;
ms_ev_scratch *ms_ev_scratch_new(void);
void ms_ev_scratch_free(ms_ev_scratch *s);

/*! ms_enc_events() : append the columnar events payload for @ev[0..n) to
 *  @out; *t_first and *t_last receive the smallest/largest time. */
ms_error ms_enc_events(ms_buf *out, ms_ev_scratch *s, const ms_event *ev, size_t n,
                       uint64_t *t_first, uint64_t *t_last);
/*! ms_dec_events() : decode an events payload into @d (type EVENTS). */
ms_error ms_dec_events(const uint8_t *p, size_t len, uint64_t items, ms_decoded *d);

ms_error ms_enc_sites(ms_buf *out, const ms_site *s, size_t n);
ms_error ms_enc_stacks(ms_buf *out, const ms_stack *s, size_t n);
ms_error ms_enc_modules(ms_buf *out, const ms_module *m, size_t n);
ms_error ms_enc_threads(ms_buf *out, const ms_thread *t, size_t n);
ms_error ms_enc_counters(ms_buf *out, const ms_counter *c, size_t n);
ms_error ms_enc_leaks(ms_buf *out, const ms_leak *l, size_t n);
ms_error ms_enc_strings(ms_buf *out, const ms_string *s, size_t n);
ms_error ms_enc_summary(ms_buf *out, const ms_kv *kv, size_t n);

/* Index entry <-> MessagePack (ms_index.c). The index payload is an array
 * of ms_chunk_info-shaped entries. */
ms_error ms_enc_index(ms_buf *out, const ms_chunk_info *e, size_t n);
/*! ms_dec_index() : decode and validate an index payload: every entry's
 *  header fields pass ms_chunk_hdr_check(), entries are contiguous from
 *  @first_offset up to @index_offset. *out is malloc'ed (n entries). */
ms_error ms_dec_index(const uint8_t *p, size_t len, uint64_t items,
                      uint64_t first_offset, uint64_t index_offset,
                      ms_chunk_info **out, size_t *n, const char **why);

/* ---- shared by reader and stream -------------------------------------- */
/*! ms_load_chunk_bytes() : verify the payload checksum of @h over @stored,
 *  decompress and decode. *out has refcount 1 and thread set. */
ms_error ms_chunk_decode(const ms_chunk_hdr *h, const uint8_t *stored,
                         ms_decoded **out);
/*! ms_chunk_raw() : verify and decompress into a malloc'ed buffer. */
ms_error ms_chunk_raw(const ms_chunk_hdr *h, const uint8_t *stored, void **raw);

#endif /* MS_INTERNAL_H */
