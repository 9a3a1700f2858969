/*
 * ms_payload_enc.c - MessagePack encoding of every non-event payload with
 * msgpack-c's packer (events: ms_events.c; index: ms_index.c).
 *
 * Every payload is one array of n items; every item is an array of fields
 * in the order docs/FORMAT.md lists (positional: smaller than maps, and a
 * reader skips fields a later version appends). Strings longer than
 * MS_MAX_STRING are refused (MS_ERR_TOO_LARGE) so the writer never produces
 * what the reader rejects; a NULL string is written as nil.
 */
#include <string.h>

#include <msgpack.h>

#include "ms_internal.h"

#define PK(expr)                 \
    do {                         \
        if ((expr) != 0)         \
            return MS_ERR_NOMEM; \
    } while (0)

static ms_error pack_str(msgpack_packer *pk, const char *s)
{
    if (!s) {
        PK(msgpack_pack_nil(pk));
        return MS_OK;
    }
    size_t n = strlen(s);
    RETURN_ERROR_IF(n > MS_MAX_STRING, MS_ERR_TOO_LARGE);
    PK(msgpack_pack_str_with_body(pk, s, n));
    return MS_OK;
}

static ms_error begin(ms_buf *out, msgpack_packer *pk, size_t n)
{
    RETURN_ERROR_IF(n > UINT32_MAX, MS_ERR_TOO_LARGE);
    msgpack_packer_init(pk, out, ms_buf_pack_cb);
    PK(msgpack_pack_array(pk, n));
    return MS_OK;
}

ms_error ms_enc_sites(ms_buf *out, const ms_site *s, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        PK(msgpack_pack_array(&pk, 11));
        PK(msgpack_pack_uint64(&pk, s[i].id));
        PK(msgpack_pack_uint32(&pk, s[i].kind));
        PK(msgpack_pack_uint32(&pk, s[i].line));
        PK(msgpack_pack_uint32(&pk, s[i].column));
        PK(msgpack_pack_uint32(&pk, s[i].flags));
        PK(msgpack_pack_uint64(&pk, s[i].elem_size));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].file));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].function));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].type_name));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].var_name));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].callee));
    }
    return MS_OK;
}

ms_error ms_enc_stacks(ms_buf *out, const ms_stack *s, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        RETURN_ERROR_IF(s[i].id == 0, MS_ERR_INVALID_ARG);
        RETURN_ERROR_IF(s[i].depth > MS_MAX_STACK_DEPTH, MS_ERR_TOO_LARGE);
        RETURN_ERROR_IF(s[i].depth && !s[i].frames, MS_ERR_INVALID_ARG);
        PK(msgpack_pack_array(&pk, 2));
        PK(msgpack_pack_uint32(&pk, s[i].id));
        PK(msgpack_pack_array(&pk, s[i].depth));
        for (uint32_t k = 0; k < s[i].depth; k++)
            PK(msgpack_pack_uint64(&pk, s[i].frames[k]));
    }
    return MS_OK;
}

ms_error ms_enc_modules(ms_buf *out, const ms_module *m, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        RETURN_ERROR_IF(m[i].build_id_len > MS_MAX_STRING, MS_ERR_TOO_LARGE);
        RETURN_ERROR_IF(m[i].build_id_len && !m[i].build_id, MS_ERR_INVALID_ARG);
        PK(msgpack_pack_array(&pk, 6));
        PK(msgpack_pack_uint64(&pk, m[i].time_ns));
        PK(msgpack_pack_uint64(&pk, m[i].base));
        PK(msgpack_pack_uint64(&pk, m[i].size));
        FORWARD_IF_ERROR(pack_str(&pk, m[i].path));
        PK(msgpack_pack_bin_with_body(&pk, m[i].build_id, m[i].build_id_len));
        PK(msgpack_pack_uint32(&pk, m[i].loaded));
    }
    return MS_OK;
}

ms_error ms_enc_threads(ms_buf *out, const ms_thread *t, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        PK(msgpack_pack_array(&pk, 5));
        PK(msgpack_pack_uint32(&pk, t[i].tid));
        PK(msgpack_pack_uint32(&pk, t[i].parent_tid));
        PK(msgpack_pack_uint64(&pk, t[i].start_ns));
        PK(msgpack_pack_uint64(&pk, t[i].end_ns));
        FORWARD_IF_ERROR(pack_str(&pk, t[i].name));
    }
    return MS_OK;
}

ms_error ms_enc_counters(ms_buf *out, const ms_counter *c, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        PK(msgpack_pack_array(&pk, 7));
        PK(msgpack_pack_uint64(&pk, c[i].time_ns));
        PK(msgpack_pack_uint64(&pk, c[i].rss));
        PK(msgpack_pack_uint64(&pk, c[i].heap_arena));
        PK(msgpack_pack_uint64(&pk, c[i].heap_in_use));
        PK(msgpack_pack_uint64(&pk, c[i].heap_free));
        PK(msgpack_pack_uint64(&pk, c[i].live_bytes));
        PK(msgpack_pack_uint64(&pk, c[i].live_blocks));
    }
    return MS_OK;
}

ms_error ms_enc_leaks(ms_buf *out, const ms_leak *l, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        PK(msgpack_pack_array(&pk, 3));
        PK(msgpack_pack_uint64(&pk, l[i].addr));
        PK(msgpack_pack_uint64(&pk, l[i].size));
        PK(msgpack_pack_uint32(&pk, l[i].kind));
    }
    return MS_OK;
}

ms_error ms_enc_strings(ms_buf *out, const ms_string *s, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        PK(msgpack_pack_array(&pk, 2));
        PK(msgpack_pack_uint64(&pk, s[i].id));
        FORWARD_IF_ERROR(pack_str(&pk, s[i].str));
    }
    return MS_OK;
}

ms_error ms_enc_summary(ms_buf *out, const ms_kv *kv, size_t n)
{
    msgpack_packer pk;
    FORWARD_IF_ERROR(begin(out, &pk, n));
    for (size_t i = 0; i < n; i++) {
        RETURN_ERROR_IF(!kv[i].key, MS_ERR_INVALID_ARG);
        PK(msgpack_pack_array(&pk, 2));
        FORWARD_IF_ERROR(pack_str(&pk, kv[i].key));
        if (kv[i].s)
            FORWARD_IF_ERROR(pack_str(&pk, kv[i].s));
        else
            PK(msgpack_pack_uint64(&pk, kv[i].u));
    }
    return MS_OK;
}
