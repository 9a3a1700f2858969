/*
 * ms_mpack.h - a bounded MessagePack reader for untrusted payloads.
 *
 * msgpack-c's generic unpacker allocates per declared element before reading
 * any (msgpack-c issue #1013), so the decoders never use it. This reader
 * walks the bytes in place: every declared array/map/str/bin length is
 * checked against the bytes left before anything is returned (an array of n
 * elements needs at least n bytes, a map at least 2n), strings against
 * MS_MAX_STRING, nesting against MS_MP_MAX_DEPTH. Nothing here allocates.
 */
#ifndef MS_MPACK_H
#define MS_MPACK_H

#include <stdint.h>

#include "msformat.h"

#define MS_MP_MAX_DEPTH 32

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} ms_mp;

static inline void ms_mp_init(ms_mp *m, const void *p, size_t len)
{
    m->p = p;
    m->end = (const uint8_t *)p + len;
}
static inline size_t ms_mp_left(const ms_mp *m)
{
    return (size_t)(m->end - m->p);
}

/* Each returns MS_OK, MS_ERR_PAYLOAD (wrong type, short data, declared
 * length beyond the bytes left) or MS_ERR_TOO_LARGE (a hard bound). */
ms_error ms_mp_array(ms_mp *m, uint32_t *n);
ms_error ms_mp_map(ms_mp *m, uint32_t *n);
/*! ms_mp_uint() : positive fixint, uint 8..64, or a non-negative int 8..64. */
ms_error ms_mp_uint(ms_mp *m, uint64_t *v);
ms_error ms_mp_u32(ms_mp *m, uint32_t *v);
/*! ms_mp_str() : a str (or nil, giving *s = NULL, *len = 0 when @nil_ok). */
ms_error ms_mp_str(ms_mp *m, int nil_ok, const uint8_t **s, uint32_t *len);
/*! ms_mp_bin() : a bin (or nil as an empty bin when @nil_ok). */
ms_error ms_mp_bin(ms_mp *m, int nil_ok, const uint8_t **b, uint32_t *len);
/*! ms_mp_skip() : skip one object of any type (bounded depth). */
ms_error ms_mp_skip(ms_mp *m);
/*! ms_mp_next_is_str() : 1 when the next object is a str (any width). */
int ms_mp_next_is_str(const ms_mp *m);

/*! ms_mp_record() : an item array with at least @min fields; *extra gets
 *  the number of additional fields the caller must ms_mp_skip() after the
 *  known ones (later format versions may append fields). */
ms_error ms_mp_record(ms_mp *m, uint32_t min, uint32_t *extra);

#endif /* MS_MPACK_H */
