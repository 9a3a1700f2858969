/*
 * ms_payload_dec.c - decoding every payload type from untrusted bytes with
 * the bounded reader (ms_mpack.h), never msgpack-c's unpacker.
 *
 * Allocation is bounded by the payload length before any is made: the item
 * array holds at most min(items, bytes left) records (each item takes at
 * least one byte), and the arena for strings/frames/build ids is sized from
 * the payload length (every copied byte exists in the payload; one NUL per
 * string, and each string costs at least one payload byte). Stacks are
 * counted in a first pass so their frames get an exact allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "ms_internal.h"
#include "ms_mpack.h"

static const char k_empty[] = "";

/* Copy a string into the arena, NUL-terminated; nil/empty -> "". */
static ms_error take_str(ms_decoded *d, ms_mp *m, const char **out)
{
    const uint8_t *s;
    uint32_t n;
    FORWARD_IF_ERROR(ms_mp_str(m, 1, &s, &n));
    if (n == 0) {
        *out = k_empty;
        return MS_OK;
    }
    char *dst = ms_decoded_arena_take(d, (size_t)n + 1, 1);
    RETURN_ERROR_IF(!dst, MS_ERR_PAYLOAD);
    memcpy(dst, s, n);
    dst[n] = '\0';
    *out = dst;
    return MS_OK;
}

static ms_error skip_n(ms_mp *m, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        FORWARD_IF_ERROR(ms_mp_skip(m));
    return MS_OK;
}

/* The outer array: exactly @items records, and the record array allocated. */
static ms_error begin_items(ms_mp *m, uint64_t items, ms_decoded *d, size_t rec_size,
                            uint32_t *n)
{
    FORWARD_IF_ERROR(ms_mp_array(m, n));
    RETURN_ERROR_IF(*n != items, MS_ERR_PAYLOAD);
    d->count = *n;
    if (*n == 0)
        return MS_OK;
    ms_decoded_priv *p = d->internal_;
    p->items = calloc(*n, rec_size);
    RETURN_ERROR_IF(!p->items, MS_ERR_NOMEM);
    p->bytes += (size_t)*n * rec_size;
    d->u.any = p->items;
    return MS_OK;
}

static ms_error dec_sites(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, 2 * ms_mp_left(m) + 16));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_site), &n));
    ms_site *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 11, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].id));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].kind));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].line));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].column));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].flags));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].elem_size));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].file));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].function));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].type_name));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].var_name));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].callee));
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_stacks(ms_mp *m, uint64_t items, ms_decoded *d)
{
    /* pass 1: structure and the exact number of frames */
    ms_mp probe = *m;
    uint32_t n, extra, depth;
    uint64_t frames = 0, v;
    FORWARD_IF_ERROR(ms_mp_array(&probe, &n));
    RETURN_ERROR_IF(n != items, MS_ERR_PAYLOAD);
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(&probe, 2, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(&probe, &v));
        FORWARD_IF_ERROR(ms_mp_array(&probe, &depth));
        RETURN_ERROR_IF(depth > MS_MAX_STACK_DEPTH, MS_ERR_TOO_LARGE);
        for (uint32_t k = 0; k < depth; k++)
            FORWARD_IF_ERROR(ms_mp_uint(&probe, &v));
        FORWARD_IF_ERROR(skip_n(&probe, extra));
        frames += depth;
    }
    /* pass 2: fill */
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, (size_t)frames * sizeof(uint64_t)));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_stack), &n));
    ms_stack *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 2, &extra));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].id));
        RETURN_ERROR_IF(s[i].id == 0, MS_ERR_PAYLOAD);
        FORWARD_IF_ERROR(ms_mp_array(m, &depth));
        s[i].depth = depth;
        uint64_t *f = NULL;
        if (depth) {
            f = ms_decoded_arena_take(d, (size_t)depth * sizeof(uint64_t), 8);
            RETURN_ERROR_IF(!f, MS_ERR_PAYLOAD);
        }
        for (uint32_t k = 0; k < depth; k++)
            FORWARD_IF_ERROR(ms_mp_uint(m, &f[k]));
        s[i].frames = f;
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_modules(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra, blen;
    const uint8_t *b;
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, 2 * ms_mp_left(m) + 16));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_module), &n));
    ms_module *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 6, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].time_ns));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].base));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].size));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].path));
        FORWARD_IF_ERROR(ms_mp_bin(m, 1, &b, &blen));
        RETURN_ERROR_IF(blen > MS_MAX_STRING, MS_ERR_TOO_LARGE);
        s[i].build_id = NULL;
        s[i].build_id_len = blen;
        if (blen) {
            uint8_t *dst = ms_decoded_arena_take(d, blen, 1);
            RETURN_ERROR_IF(!dst, MS_ERR_PAYLOAD);
            memcpy(dst, b, blen);
            s[i].build_id = dst;
        }
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].loaded));
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_threads(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, 2 * ms_mp_left(m) + 16));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_thread), &n));
    ms_thread *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 5, &extra));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].tid));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].parent_tid));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].start_ns));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].end_ns));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].name));
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_counters(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_counter), &n));
    ms_counter *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 7, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].time_ns));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].rss));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].heap_arena));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].heap_in_use));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].heap_free));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].live_bytes));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].live_blocks));
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_leaks(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_leak), &n));
    ms_leak *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 3, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].addr));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].size));
        FORWARD_IF_ERROR(ms_mp_u32(m, &s[i].kind));
        s[i].reserved = 0;
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_strings(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, 2 * ms_mp_left(m) + 16));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_string), &n));
    ms_string *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 2, &extra));
        FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].id));
        FORWARD_IF_ERROR(take_str(d, m, &s[i].str));
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

static ms_error dec_summary(ms_mp *m, uint64_t items, ms_decoded *d)
{
    uint32_t n, extra;
    FORWARD_IF_ERROR(ms_decoded_arena_init(d, 2 * ms_mp_left(m) + 16));
    FORWARD_IF_ERROR(begin_items(m, items, d, sizeof(ms_kv), &n));
    ms_kv *s = ((ms_decoded_priv *)d->internal_)->items;
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(ms_mp_record(m, 2, &extra));
        RETURN_ERROR_IF(!ms_mp_next_is_str(m), MS_ERR_PAYLOAD);
        FORWARD_IF_ERROR(take_str(d, m, &s[i].key));
        if (ms_mp_next_is_str(m)) {
            FORWARD_IF_ERROR(take_str(d, m, &s[i].s));
            s[i].u = 0;
        } else {
            FORWARD_IF_ERROR(ms_mp_uint(m, &s[i].u));
            s[i].s = NULL;
        }
        FORWARD_IF_ERROR(skip_n(m, extra));
    }
    return MS_OK;
}

ms_error ms_decode_payload(uint32_t type, const void *raw, size_t len, uint64_t items,
                           ms_decoded **out)
{
    RETURN_ERROR_IF(!out || (!raw && len), MS_ERR_INVALID_ARG);
    *out = NULL;
    RETURN_ERROR_IF(type == 0 || type >= MS_CHUNK_TYPE_MAX_ || type == MS_CHUNK_INDEX,
                    MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(len > MS_MAX_CHUNK_RAW, MS_ERR_TOO_LARGE);
    RETURN_ERROR_IF(items > len, MS_ERR_PAYLOAD);
    ms_decoded *d = ms_decoded_new(type);
    RETURN_ERROR_IF(!d, MS_ERR_NOMEM);
    ms_mp m;
    ms_mp_init(&m, raw, len);
    ms_error e;
    switch (type) {
    case MS_CHUNK_EVENTS: e = ms_dec_events(raw, len, items, d); m.p = m.end; break;
    case MS_CHUNK_SITES: e = dec_sites(&m, items, d); break;
    case MS_CHUNK_STACKS: e = dec_stacks(&m, items, d); break;
    case MS_CHUNK_MODULES: e = dec_modules(&m, items, d); break;
    case MS_CHUNK_THREADS: e = dec_threads(&m, items, d); break;
    case MS_CHUNK_COUNTERS: e = dec_counters(&m, items, d); break;
    case MS_CHUNK_SUMMARY: e = dec_summary(&m, items, d); break;
    case MS_CHUNK_LEAKS: e = dec_leaks(&m, items, d); break;
    case MS_CHUNK_STRINGS: e = dec_strings(&m, items, d); break;
    default: e = MS_ERR_INVALID_ARG; break;
    }
    /* the payload is exactly one object: trailing bytes are corruption */
    if (e == MS_OK && m.p != m.end)
        e = MS_ERR_PAYLOAD;
    if (e != MS_OK) {
        ms_decoded_free(d);
        return e;
    }
    *out = d;
    return MS_OK;
}
