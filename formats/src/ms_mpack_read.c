/*
 * ms_mpack_read.c - the bounded MessagePack reader of ms_mpack.h.
 */
#include "ms_internal.h"
#include "ms_mpack.h"

static inline int need(const ms_mp *m, size_t n)
{
    return ms_mp_left(m) >= n;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Reads a length-prefixed header of @lenbytes after the type byte. */
static ms_error read_len(ms_mp *m, unsigned lenbytes, uint32_t *n)
{
    RETURN_ERROR_IF(!need(m, 1 + lenbytes), MS_ERR_PAYLOAD);
    *n = (uint32_t)be(m->p + 1, lenbytes);
    m->p += 1 + lenbytes;
    return MS_OK;
}

ms_error ms_mp_array(ms_mp *m, uint32_t *n)
{
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    if ((t & 0xf0) == 0x90) {
        *n = t & 0x0f;
        m->p++;
    } else if (t == 0xdc) {
        FORWARD_IF_ERROR(read_len(m, 2, n));
    } else if (t == 0xdd) {
        FORWARD_IF_ERROR(read_len(m, 4, n));
    } else {
        return MS_ERR_PAYLOAD;
    }
    /* every element takes at least one byte */
    RETURN_ERROR_IF(*n > ms_mp_left(m), MS_ERR_PAYLOAD);
    return MS_OK;
}

ms_error ms_mp_map(ms_mp *m, uint32_t *n)
{
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    if ((t & 0xf0) == 0x80) {
        *n = t & 0x0f;
        m->p++;
    } else if (t == 0xde) {
        FORWARD_IF_ERROR(read_len(m, 2, n));
    } else if (t == 0xdf) {
        FORWARD_IF_ERROR(read_len(m, 4, n));
    } else {
        return MS_ERR_PAYLOAD;
    }
    RETURN_ERROR_IF((uint64_t)*n * 2 > ms_mp_left(m), MS_ERR_PAYLOAD);
    return MS_OK;
}

ms_error ms_mp_uint(ms_mp *m, uint64_t *v)
{
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    if (t <= 0x7f) {
        *v = t;
        m->p++;
        return MS_OK;
    }
    unsigned n;
    int is_signed = 0;
    switch (t) {
    case 0xcc: n = 1; break;
    case 0xcd: n = 2; break;
    case 0xce: n = 4; break;
    case 0xcf: n = 8; break;
    case 0xd0: n = 1; is_signed = 1; break;
    case 0xd1: n = 2; is_signed = 1; break;
    case 0xd2: n = 4; is_signed = 1; break;
    case 0xd3: n = 8; is_signed = 1; break;
    default: return MS_ERR_PAYLOAD;
    }
    RETURN_ERROR_IF(!need(m, 1 + n), MS_ERR_PAYLOAD);
    uint64_t x = be(m->p + 1, n);
    /* a signed encoding is accepted only for a non-negative value */
    RETURN_ERROR_IF(is_signed && (x >> (8 * n - 1)) & 1, MS_ERR_PAYLOAD);
    *v = x;
    m->p += 1 + n;
    return MS_OK;
}

ms_error ms_mp_u32(ms_mp *m, uint32_t *v)
{
    uint64_t x;
    FORWARD_IF_ERROR(ms_mp_uint(m, &x));
    RETURN_ERROR_IF(x > UINT32_MAX, MS_ERR_PAYLOAD);
    *v = (uint32_t)x;
    return MS_OK;
}

int ms_mp_next_is_str(const ms_mp *m)
{
    if (!need(m, 1))
        return 0;
    uint8_t t = *m->p;
    return (t & 0xe0) == 0xa0 || t == 0xd9 || t == 0xda || t == 0xdb;
}

ms_error ms_mp_str(ms_mp *m, int nil_ok, const uint8_t **s, uint32_t *len)
{
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    uint32_t n;
    if (t == 0xc0 && nil_ok) {
        m->p++;
        *s = NULL;
        *len = 0;
        return MS_OK;
    }
    if ((t & 0xe0) == 0xa0) {
        n = t & 0x1f;
        m->p++;
    } else if (t == 0xd9) {
        FORWARD_IF_ERROR(read_len(m, 1, &n));
    } else if (t == 0xda) {
        FORWARD_IF_ERROR(read_len(m, 2, &n));
    } else if (t == 0xdb) {
        FORWARD_IF_ERROR(read_len(m, 4, &n));
    } else {
        return MS_ERR_PAYLOAD;
    }
    RETURN_ERROR_IF(n > MS_MAX_STRING, MS_ERR_TOO_LARGE);
    RETURN_ERROR_IF(n > ms_mp_left(m), MS_ERR_PAYLOAD);
    *s = m->p;
    *len = n;
    m->p += n;
    return MS_OK;
}

ms_error ms_mp_bin(ms_mp *m, int nil_ok, const uint8_t **b, uint32_t *len)
{
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    uint32_t n;
    if (t == 0xc0 && nil_ok) {
        m->p++;
        *b = m->p;
        *len = 0;
        return MS_OK;
    }
    if (t == 0xc4) {
        FORWARD_IF_ERROR(read_len(m, 1, &n));
    } else if (t == 0xc5) {
        FORWARD_IF_ERROR(read_len(m, 2, &n));
    } else if (t == 0xc6) {
        FORWARD_IF_ERROR(read_len(m, 4, &n));
    } else {
        return MS_ERR_PAYLOAD;
    }
    RETURN_ERROR_IF(n > ms_mp_left(m), MS_ERR_PAYLOAD);
    *b = m->p;
    *len = n;
    m->p += n;
    return MS_OK;
}

static ms_error skip_depth(ms_mp *m, int depth)
{
    RETURN_ERROR_IF(depth > MS_MP_MAX_DEPTH, MS_ERR_TOO_LARGE);
    RETURN_ERROR_IF(!need(m, 1), MS_ERR_PAYLOAD);
    uint8_t t = *m->p;
    uint32_t n;
    size_t fixed = 0;
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
        m->p++;
        return MS_OK;
    }
    if ((t & 0xf0) == 0x80 || t == 0xde || t == 0xdf) {
        FORWARD_IF_ERROR(ms_mp_map(m, &n));
        for (uint64_t i = 0; i < (uint64_t)n * 2; i++)
            FORWARD_IF_ERROR(skip_depth(m, depth + 1));
        return MS_OK;
    }
    if ((t & 0xf0) == 0x90 || t == 0xdc || t == 0xdd) {
        FORWARD_IF_ERROR(ms_mp_array(m, &n));
        for (uint32_t i = 0; i < n; i++)
            FORWARD_IF_ERROR(skip_depth(m, depth + 1));
        return MS_OK;
    }
    if ((t & 0xe0) == 0xa0 || t == 0xd9 || t == 0xda || t == 0xdb) {
        const uint8_t *s;
        return ms_mp_str(m, 0, &s, &n);
    }
    switch (t) {
    case 0xc4: case 0xc5: case 0xc6: {
        const uint8_t *b;
        return ms_mp_bin(m, 0, &b, &n);
    }
    case 0xcc: case 0xd0: fixed = 1; break;
    case 0xcd: case 0xd1: fixed = 2; break;
    case 0xce: case 0xd2: case 0xca: fixed = 4; break;
    case 0xcf: case 0xd3: case 0xcb: fixed = 8; break;
    case 0xd4: fixed = 2; break;  /* fixext 1: type + data */
    case 0xd5: fixed = 3; break;
    case 0xd6: fixed = 5; break;
    case 0xd7: fixed = 9; break;
    case 0xd8: fixed = 17; break;
    case 0xc7: case 0xc8: case 0xc9: {
        unsigned lb = t == 0xc7 ? 1 : t == 0xc8 ? 2 : 4;
        FORWARD_IF_ERROR(read_len(m, lb, &n));
        RETURN_ERROR_IF((uint64_t)n + 1 > ms_mp_left(m), MS_ERR_PAYLOAD);
        m->p += (size_t)n + 1;
        return MS_OK;
    }
    default:
        return MS_ERR_PAYLOAD; /* 0xc1: never used */
    }
    RETURN_ERROR_IF(!need(m, 1 + fixed), MS_ERR_PAYLOAD);
    m->p += 1 + fixed;
    return MS_OK;
}

ms_error ms_mp_skip(ms_mp *m)
{
    return skip_depth(m, 0);
}

ms_error ms_mp_record(ms_mp *m, uint32_t min, uint32_t *extra)
{
    uint32_t n;
    FORWARD_IF_ERROR(ms_mp_array(m, &n));
    RETURN_ERROR_IF(n < min, MS_ERR_PAYLOAD);
    *extra = n - min;
    return MS_OK;
}
