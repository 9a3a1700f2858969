/*
 * ms_events_dec.c - decoding the columnar event batch, encodings 1 and 2.
 *
 * docs/FORMAT.md section 7.10 is the specification; ms_events.c (the
 * encoder) has a summary of encoding 2. Encoding 1 (traces written before
 * Nov 2026, tests/formats/golden/v1-small.ms) stays readable:
 *   [ 1, n, time, addr, aux, size, site_dict, site_idx, stack, kind, flags ]
 *   time zz(dt - site's last dt); addr 2*back+1 | 1 escape | 2*zz(addr - L);
 *   aux as in encoding 2; size and stack zz(value - site's last); kind and
 *   flags raw bytes.
 * Every declared length is checked against real bytes before anything is
 * allocated; every column must be consumed exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "ms_internal.h"
#include "ms_mpack.h"

#define MS_ALWAYS_INLINE inline __attribute__((always_inline))

#define EV_FIELDS 11 /* both encodings */
#define STACK_MRU 4 /* rows_v2 moves the list with four explicit selects */

/* Columns, the same in both encodings. */
enum { C_TIME, C_ADDR, C_AUX, C_SIZE, C_DICT, C_IDX, C_STACK, C_KIND, C_FLAGS, C_N };

/* Checked varint read; the one-byte case is the fast path. Forced inline:
 * the decode loop calls it several times per row (perf: 1.4x faster). */
static MS_ALWAYS_INLINE int vget(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (MS_LIKELY(p < end && *p < 0x80)) {
        *v = *p;
        *pp = p + 1;
        return 1;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return 0;
        uint8_t b = *p++;
        if (shift == 63 && b > 1)
            return 0; /* overflows 64 bits */
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = x;
            *pp = p;
            return 1;
        }
    }
    return 0;
}

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} col_t;

/* Back reference or literal: the aux column (both encodings) and encoding
 * 1's addr column. *literal = 1 and *val = code >> 1 for an even code. */
static MS_ALWAYS_INLINE int get_ref(const uint8_t **p, const uint8_t *end, const ms_event *ev,
                                    uint64_t i, uint64_t *val, int *literal)
{
    uint64_t code;
    if (!vget(p, end, &code))
        return 0;
    if (code & 1) {
        uint64_t back = code >> 1;
        if (back == 0) {
            *literal = 0;
            return vget(p, end, val);
        }
        if (back > i)
            return 0;
        *val = ev[i - back].addr;
        *literal = 0;
        return 1;
    }
    *val = code >> 1;
    *literal = 1;
    return 1;
}

/* Encoding 2's addr column: back reference, escape, or a literal (aligned
 * or not) relative to *lit, which it updates. */
static MS_ALWAYS_INLINE int get_addr2(const uint8_t **p, const uint8_t *end, const ms_event *ev,
                                      uint64_t i, uint64_t *lit, uint64_t *val)
{
    uint64_t code;
    if (!vget(p, end, &code))
        return 0;
    if (code & 1) {
        uint64_t back = code >> 1;
        if (back == 0)
            return vget(p, end, val);
        if (back > i)
            return 0;
        *val = ev[i - back].addr;
        return 1;
    }
    uint64_t d = ms_unzigzag(code >> 2);
    if (code & 2)
        d <<= 4;
    *lit += d;
    *val = *lit;
    return 1;
}

/* Per site of the dictionary: the id and the running predictions. */
typedef struct {
    uint64_t site;
    uint64_t size;
    uint64_t dt;
    uint64_t stack[STACK_MRU]; /* encoding 1 uses stack[0] only */
    uint8_t kind, flags;
} site_ctx;

/* The site dictionary column: count, then zigzag deltas. *out is calloc'ed. */
static ms_error read_dict(col_t *c, site_ctx **out, uint64_t *k)
{
    RETURN_ERROR_IF(!vget(&c->p, c->end, k), MS_ERR_PAYLOAD);
    RETURN_ERROR_IF(*k > (uint64_t)(c->end - c->p), MS_ERR_PAYLOAD);
    site_ctx *dict = calloc((size_t)(*k ? *k : 1), sizeof *dict);
    RETURN_ERROR_IF(!dict, MS_ERR_NOMEM);
    uint64_t prev = 0;
    for (uint64_t i = 0; i < *k; i++) {
        uint64_t z;
        if (!vget(&c->p, c->end, &z)) {
            free(dict);
            return MS_ERR_PAYLOAD;
        }
        prev += ms_unzigzag(z);
        dict[i].site = prev;
    }
    if (c->p != c->end) {
        free(dict);
        return MS_ERR_PAYLOAD;
    }
    *out = dict;
    return MS_OK;
}

static ms_error rows_v1(col_t *col, site_ctx *dict, uint64_t k, ms_event *ev, uint64_t n)
{
    uint64_t t = 0, lit = 0;
    const uint8_t *kind = col[C_KIND].p, *flags = col[C_FLAGS].p;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t zt, a, aux, zs, idx, zk;
        int is_lit, aux_lit;
        if (MS_UNLIKELY(!vget(&col[C_TIME].p, col[C_TIME].end, &zt) ||
                        !get_ref(&col[C_ADDR].p, col[C_ADDR].end, ev, i, &a, &is_lit) ||
                        !get_ref(&col[C_AUX].p, col[C_AUX].end, ev, i, &aux, &aux_lit) ||
                        !vget(&col[C_IDX].p, col[C_IDX].end, &idx) || idx >= k ||
                        !vget(&col[C_SIZE].p, col[C_SIZE].end, &zs) ||
                        !vget(&col[C_STACK].p, col[C_STACK].end, &zk)))
            return MS_ERR_PAYLOAD;
        if (is_lit) {
            a = lit + ms_unzigzag(a);
            lit = a;
        }
        site_ctx *c = &dict[idx];
        uint64_t stack = c->stack[0] + ms_unzigzag(zk);
        if (MS_UNLIKELY(stack > UINT32_MAX))
            return MS_ERR_PAYLOAD;
        c->dt += ms_unzigzag(zt);
        t += c->dt;
        c->size += ms_unzigzag(zs);
        c->stack[0] = stack;
        ms_event *e = &ev[i];
        e->time_ns = t;
        e->addr = a;
        e->aux = aux;
        e->size = c->size;
        e->site = c->site;
        e->stack = (uint32_t)stack;
        e->kind = kind[i];
        e->flags = flags[i];
        e->reserved = 0;
    }
    return MS_OK;
}

static ms_error rows_v2(col_t *col, site_ctx *dict, uint64_t k, ms_event *ev, uint64_t n)
{
    uint64_t t = 0, lit = 0;
    const uint8_t *kind = col[C_KIND].p, *flags = col[C_FLAGS].p;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t zt, a, aux, cs, idx, ck;
        int aux_lit;
        if (MS_UNLIKELY(!vget(&col[C_IDX].p, col[C_IDX].end, &idx) || idx >= k ||
                        !vget(&col[C_TIME].p, col[C_TIME].end, &zt) ||
                        !get_addr2(&col[C_ADDR].p, col[C_ADDR].end, ev, i, &lit, &a) ||
                        !get_ref(&col[C_AUX].p, col[C_AUX].end, ev, i, &aux, &aux_lit) ||
                        !vget(&col[C_SIZE].p, col[C_SIZE].end, &cs) ||
                        !vget(&col[C_STACK].p, col[C_STACK].end, &ck)))
            return MS_ERR_PAYLOAD;
        site_ctx *c = &dict[idx];
        c->dt += ms_unzigzag(zt);
        t += c->dt;
        /* size: 0 = the site's last, odd = the value, 2 = escape. The
         * common codes are a select: which one comes varies row by row. */
        if (MS_UNLIKELY(cs != 0 && !(cs & 1))) {
            if (cs != 2 || !vget(&col[C_SIZE].p, col[C_SIZE].end, &c->size))
                return MS_ERR_PAYLOAD;
        } else {
            c->size = cs ? cs >> 1 : c->size;
        }
        /* stack: a recent one (or one more), else relative to the latest;
         * the list moves without branches on h */
        const uint64_t *m = c->stack;
        const int recent = ck < 2 * STACK_MRU;
        const unsigned h = recent ? (unsigned)ck >> 1 : STACK_MRU - 1;
        const uint64_t stack = recent ? m[h] + (ck & 1) : m[0] + ms_unzigzag(ck - 2 * STACK_MRU);
        if (MS_UNLIKELY(stack > UINT32_MAX))
            return MS_ERR_PAYLOAD;
        const uint64_t m0 = m[0], m1 = m[1], m2 = m[2];
        c->stack[3] = h >= 3 ? m2 : m[3];
        c->stack[2] = h >= 2 ? m1 : m2;
        c->stack[1] = h >= 1 ? m0 : m1;
        c->stack[0] = stack;
        c->kind ^= kind[i];
        c->flags ^= flags[i];
        ms_event *e = &ev[i];
        e->time_ns = t;
        e->addr = a;
        e->aux = aux;
        e->size = c->size;
        e->site = c->site;
        e->stack = (uint32_t)stack;
        e->kind = c->kind;
        e->flags = c->flags;
        e->reserved = 0;
    }
    return MS_OK;
}

ms_error ms_dec_events(const uint8_t *raw, size_t len, uint64_t items, ms_decoded *d)
{
    ms_mp m;
    ms_mp_init(&m, raw, len);
    uint32_t nf;
    uint64_t enc, n;
    FORWARD_IF_ERROR(ms_mp_array(&m, &nf));
    RETURN_ERROR_IF(nf < EV_FIELDS, MS_ERR_PAYLOAD);
    FORWARD_IF_ERROR(ms_mp_uint(&m, &enc));
    RETURN_ERROR_IF(enc != 1 && enc != 2, MS_ERR_PAYLOAD);
    FORWARD_IF_ERROR(ms_mp_uint(&m, &n));
    RETURN_ERROR_IF(n != items, MS_ERR_PAYLOAD);
    col_t col[C_N];
    for (int c = 0; c < C_N; c++) {
        uint32_t bl;
        FORWARD_IF_ERROR(ms_mp_bin(&m, 0, &col[c].p, &bl));
        col[c].end = col[c].p + bl;
    }
    for (uint32_t i = EV_FIELDS; i < nf; i++)
        FORWARD_IF_ERROR(ms_mp_skip(&m));
    RETURN_ERROR_IF(m.p != m.end, MS_ERR_PAYLOAD);
    /* n is bounded by real bytes before anything is allocated */
    RETURN_ERROR_IF((uint64_t)(col[C_KIND].end - col[C_KIND].p) != n ||
                        (uint64_t)(col[C_FLAGS].end - col[C_FLAGS].p) != n,
                    MS_ERR_PAYLOAD);

    uint64_t k;
    site_ctx *dict;
    FORWARD_IF_ERROR(read_dict(&col[C_DICT], &dict, &k));
    ms_decoded_priv *p = d->internal_;
    ms_event *ev = NULL;
    d->count = (size_t)n;
    if (n) {
        ev = malloc((size_t)n * sizeof *ev);
        if (!ev) {
            free(dict);
            return MS_ERR_NOMEM;
        }
        p->items = ev;
        p->bytes += (size_t)n * sizeof *ev;
        d->u.events = ev;
    }
    ms_error err = enc == 1 ? rows_v1(col, dict, k, ev, n) : rows_v2(col, dict, k, ev, n);
    free(dict);
    FORWARD_IF_ERROR(err);
    for (int c = C_TIME; c <= C_STACK; c++)
        RETURN_ERROR_IF(c != C_DICT && col[c].p != col[c].end, MS_ERR_PAYLOAD);
    return MS_OK;
}
