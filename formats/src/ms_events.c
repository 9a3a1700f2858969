/*
 * ms_events.c - the columnar event batch: the one hot payload.
 *
 * An events payload is a MessagePack array of 11 elements:
 *   [ encoding = 1, n,
 *     bin time, bin addr, bin aux, bin size,
 *     bin site_dict, bin site_idx, bin stack, bin kind, bin flags ]
 * Every column holds n LEB128 varints (kind and flags: n raw bytes). With
 * zz(x) = zigzag of x as a signed 64-bit difference (modulo 2^64):
 *   time      zz(dt - last dt of the same site index in this chunk), where
 *             dt = time - previous row's time (modulo 2^64)
 *   addr      2*back+1  when addr equals the addr of the row `back` rows
 *                       earlier (back >= 1): frees and reused addresses
 *             1         escape: the next varint is addr itself
 *             2*zz(addr - L) otherwise, L = the last addr coded this way
 *                       (initially 0); used when zz(...) < 2^63
 *   aux       2*back+1  aux equals the addr of the row `back` rows earlier
 *             1         escape: the next varint is aux itself
 *             2*aux     otherwise (aux < 2^63)
 *   site_dict varint k, then k varints zz(site - previous dict entry):
 *             the distinct site ids in order of first use
 *   site_idx  index into site_dict                      a few hundred sites
 *   size      zz(size - last size of the same site index in this chunk)
 *   stack     zz(stack - last stack of the same site index in this chunk)
 *   kind      n raw bytes; flags: n raw bytes
 * "Last of the same site" starts at 0 for each site. Back references make a
 * free of a recent block (and an allocation reusing a freed address) one or
 * two bytes; per-site prediction makes the size and stack of a site's usual
 * call zero. ms_event.reserved is not stored (decodes as 0).
 */
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "ms_internal.h"
#include "ms_mpack.h"

#define EV_ENCODING 1
#define EV_FIELDS 11

enum { C_TIME, C_ADDR, C_AUX, C_SIZE, C_DICT, C_IDX, C_STACK, C_KIND, C_FLAGS, C_N };

#define ADDR_BITS 14 /* back-reference table: 16 Ki slots, direct mapped */

struct ms_ev_scratch {
    ms_buf col[C_N];
    uint64_t *keys;     /* open-addressing site -> index table */
    uint32_t *vals;     /* index + 1, 0 = empty slot */
    size_t cap;         /* power of two */
    uint64_t *last;     /* per site index: last size, last stack */
    size_t last_cap;
    uint64_t addr_key[1u << ADDR_BITS];
    uint64_t addr_val[1u << ADDR_BITS]; /* gen << 32 | row; stale if gen differs */
    uint32_t gen;
};

ms_ev_scratch *ms_ev_scratch_new(void)
{
    return calloc(1, sizeof(ms_ev_scratch));
}

void ms_ev_scratch_free(ms_ev_scratch *s)
{
    if (!s)
        return;
    for (int i = 0; i < C_N; i++)
        ms_buf_free(&s->col[i]);
    free(s->keys);
    free(s->vals);
    free(s->last);
    free(s);
}

static inline uint8_t *vput(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static ms_error table_reset(ms_ev_scratch *s, size_t cap)
{
    if (cap != s->cap) {
        uint64_t *k = realloc(s->keys, cap * sizeof *k);
        if (k)
            s->keys = k;
        uint32_t *v = realloc(s->vals, cap * sizeof *v);
        if (v)
            s->vals = v;
        RETURN_ERROR_IF(!k || !v, MS_ERR_NOMEM);
        s->cap = cap;
    }
    memset(s->vals, 0, cap * sizeof *s->vals);
    return MS_OK;
}

static inline size_t hslot(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

/* Site -> dense index; appends new sites to the dict column. */
static ms_error site_index(ms_ev_scratch *s, uint64_t site, uint32_t *count,
                           uint64_t *prev_site, uint8_t **dictp, uint32_t *out)
{
    size_t h = hslot(site, s->cap);
    while (s->vals[h]) {
        if (s->keys[h] == site) {
            *out = s->vals[h] - 1;
            return MS_OK;
        }
        h = (h + 1) & (s->cap - 1);
    }
    if ((size_t)(*count + 1) * 2 > s->cap) {
        /* grow: rebuild the table from the dict written so far */
        size_t ncap = s->cap * 2;
        uint64_t *oldk = s->keys;
        uint32_t *oldv = s->vals;
        size_t oldcap = s->cap;
        s->keys = NULL;
        s->vals = NULL;
        s->cap = 0;
        ms_error e = table_reset(s, ncap);
        if (e != MS_OK) {
            free(oldk);
            free(oldv);
            return e;
        }
        for (size_t i = 0; i < oldcap; i++) {
            if (!oldv[i])
                continue;
            size_t j = hslot(oldk[i], ncap);
            while (s->vals[j])
                j = (j + 1) & (ncap - 1);
            s->keys[j] = oldk[i];
            s->vals[j] = oldv[i];
        }
        free(oldk);
        free(oldv);
        h = hslot(site, s->cap);
        while (s->vals[h])
            h = (h + 1) & (s->cap - 1);
    }
    s->keys[h] = site;
    s->vals[h] = ++*count;
    *dictp = vput(*dictp, ms_zigzag(site - *prev_site));
    *prev_site = site;
    *out = *count - 1;
    return MS_OK;
}

static inline size_t addr_slot(uint64_t a)
{
    return (size_t)((a * 0x9e3779b97f4a7c15ULL) >> (64 - ADDR_BITS));
}

/* Row of the most recent event (< i) with this addr in this chunk, or -1. */
static inline int64_t addr_find(const ms_ev_scratch *s, uint64_t a)
{
    size_t h = addr_slot(a);
    uint64_t v = s->addr_val[h];
    if (a == 0 || s->addr_key[h] != a || (uint32_t)(v >> 32) != s->gen)
        return -1;
    return (int64_t)(uint32_t)v;
}

static inline uint8_t *put_ref_or(uint8_t *p, int64_t j, size_t i, uint64_t lit_code,
                                  int lit_ok, uint64_t lit_raw)
{
    if (j >= 0)
        return vput(p, (((uint64_t)i - (uint64_t)j) << 1) | 1);
    if (lit_ok)
        return vput(p, lit_code << 1);
    p = vput(p, 1);
    return vput(p, lit_raw);
}

ms_error ms_enc_events(ms_buf *out, ms_ev_scratch *s, const ms_event *ev, size_t n,
                       uint64_t *t_first, uint64_t *t_last)
{
    RETURN_ERROR_IF(n > UINT32_MAX || (n && !ev), MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(n > MS_MAX_CHUNK_RAW / 64, MS_ERR_TOO_LARGE);
    /* worst case per row: an escaped 64-bit value is 11 bytes */
    static const uint8_t per_row[C_N] = {10, 11, 11, 10, 10, 5, 10, 1, 1};
    for (int c = 0; c < C_N; c++) {
        s->col[c].len = 0;
        FORWARD_IF_ERROR(ms_buf_reserve(&s->col[c], n * per_row[c] + 16));
    }
    FORWARD_IF_ERROR(table_reset(s, s->cap ? s->cap : 1024));
    if (++s->gen == 0) { /* generations wrapped: forget everything */
        memset(s->addr_val, 0, sizeof s->addr_val);
        s->gen = 1;
    }
    uint8_t *pt = s->col[C_TIME].p, *pa = s->col[C_ADDR].p, *px = s->col[C_AUX].p;
    uint8_t *ps = s->col[C_SIZE].p, *pd = s->col[C_DICT].p, *pi = s->col[C_IDX].p;
    uint8_t *pk = s->col[C_STACK].p;
    uint8_t *pkind = s->col[C_KIND].p, *pflags = s->col[C_FLAGS].p;
    uint64_t pt_prev = 0, lit_prev = 0, site_prev = 0;
    uint64_t tmin = n ? ev[0].time_ns : 0, tmax = tmin;
    uint32_t sites = 0;
    for (size_t i = 0; i < n; i++) {
        const ms_event *e = &ev[i];

        int64_t j = addr_find(s, e->addr);
        uint64_t zz = ms_zigzag(e->addr - lit_prev);
        pa = put_ref_or(pa, j, i, zz, zz < (1ULL << 63), e->addr);
        if (j < 0 && zz < (1ULL << 63))
            lit_prev = e->addr;
        j = addr_find(s, e->aux);
        px = put_ref_or(px, j, i, e->aux, e->aux < (1ULL << 63), e->aux);
        if (e->addr) {
            size_t h = addr_slot(e->addr);
            s->addr_key[h] = e->addr;
            s->addr_val[h] = ((uint64_t)s->gen << 32) | (uint32_t)i;
        }

        uint32_t idx, before = sites;
        FORWARD_IF_ERROR(site_index(s, e->site, &sites, &site_prev, &pd, &idx));
        if ((size_t)sites * 3 > s->last_cap) {
            size_t nc = s->last_cap ? s->last_cap * 2 : 1024;
            uint64_t *nl = realloc(s->last, nc * sizeof *nl);
            RETURN_ERROR_IF(!nl, MS_ERR_NOMEM);
            s->last = nl;
            s->last_cap = nc;
        }
        uint64_t *ctx = &s->last[3 * (size_t)idx];
        if (sites != before) /* a site first seen in this row starts from zero */
            ctx[0] = ctx[1] = ctx[2] = 0;
        pi = vput(pi, idx);
        uint64_t dt = e->time_ns - pt_prev;
        pt = vput(pt, ms_zigzag(dt - ctx[2]));
        pt_prev = e->time_ns;
        ctx[2] = dt;
        ps = vput(ps, ms_zigzag(e->size - ctx[0]));
        ctx[0] = e->size;
        pk = vput(pk, ms_zigzag((uint64_t)e->stack - ctx[1]));
        ctx[1] = e->stack;
        *pkind++ = e->kind;
        *pflags++ = e->flags;
        if (e->time_ns < tmin)
            tmin = e->time_ns;
        if (e->time_ns > tmax)
            tmax = e->time_ns;
    }
    s->col[C_TIME].len = (size_t)(pt - s->col[C_TIME].p);
    s->col[C_ADDR].len = (size_t)(pa - s->col[C_ADDR].p);
    s->col[C_AUX].len = (size_t)(px - s->col[C_AUX].p);
    s->col[C_SIZE].len = (size_t)(ps - s->col[C_SIZE].p);
    s->col[C_IDX].len = (size_t)(pi - s->col[C_IDX].p);
    s->col[C_STACK].len = (size_t)(pk - s->col[C_STACK].p);
    s->col[C_KIND].len = n;
    s->col[C_FLAGS].len = n;
    /* the dict column starts with its count: rewrite it in front */
    size_t dlen = (size_t)(pd - s->col[C_DICT].p);
    uint8_t cnt[10];
    size_t clen = (size_t)(vput(cnt, sites) - cnt);

    msgpack_packer pkr;
    msgpack_packer_init(&pkr, out, ms_buf_pack_cb);
    int r = msgpack_pack_array(&pkr, EV_FIELDS);
    r |= msgpack_pack_uint32(&pkr, EV_ENCODING);
    r |= msgpack_pack_uint64(&pkr, n);
    for (int c = C_TIME; c < C_N; c++) {
        if (c == C_DICT) {
            r |= msgpack_pack_bin(&pkr, clen + dlen);
            r |= msgpack_pack_bin_body(&pkr, cnt, clen);
            r |= msgpack_pack_bin_body(&pkr, s->col[c].p, dlen);
        } else {
            r |= msgpack_pack_bin_with_body(&pkr, s->col[c].p, s->col[c].len);
        }
    }
    RETURN_ERROR_IF(r != 0, MS_ERR_NOMEM);
    *t_first = tmin;
    *t_last = tmax;
    return MS_OK;
}

#define MS_ALWAYS_INLINE inline __attribute__((always_inline))

/* Checked varint read; the one-byte case is the fast path. Forced inline:
 * the decode loop calls it six times per row (perf: 1.4x faster). */
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

/* Back reference or literal (see the column table at the top). */
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

ms_error ms_dec_events(const uint8_t *raw, size_t len, uint64_t items, ms_decoded *d)
{
    ms_mp m;
    ms_mp_init(&m, raw, len);
    uint32_t nf;
    uint64_t enc, n;
    FORWARD_IF_ERROR(ms_mp_array(&m, &nf));
    RETURN_ERROR_IF(nf < EV_FIELDS, MS_ERR_PAYLOAD);
    FORWARD_IF_ERROR(ms_mp_uint(&m, &enc));
    RETURN_ERROR_IF(enc != EV_ENCODING, MS_ERR_PAYLOAD);
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
    RETURN_ERROR_IF(!vget(&col[C_DICT].p, col[C_DICT].end, &k), MS_ERR_PAYLOAD);
    RETURN_ERROR_IF(k > (uint64_t)(col[C_DICT].end - col[C_DICT].p), MS_ERR_PAYLOAD);
    /* per site: id, last size, last stack, last time delta */
    uint64_t *dict = calloc((size_t)(k ? k : 1), 4 * sizeof *dict);
    RETURN_ERROR_IF(!dict, MS_ERR_NOMEM);
    uint64_t prev = 0;
    for (uint64_t i = 0; i < k; i++) {
        uint64_t z;
        if (!vget(&col[C_DICT].p, col[C_DICT].end, &z)) {
            free(dict);
            return MS_ERR_PAYLOAD;
        }
        prev += ms_unzigzag(z);
        dict[4 * i] = prev;
    }
    if (col[C_DICT].p != col[C_DICT].end) {
        free(dict);
        return MS_ERR_PAYLOAD;
    }

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
    uint64_t t = 0, lit = 0;
    const uint8_t *kind = col[C_KIND].p, *flags = col[C_FLAGS].p;
    ms_error err = MS_OK;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t zt, a, aux, zs, idx, zk;
        int is_lit, aux_lit;
        if (MS_UNLIKELY(!vget(&col[C_TIME].p, col[C_TIME].end, &zt) ||
                        !get_ref(&col[C_ADDR].p, col[C_ADDR].end, ev, i, &a, &is_lit) ||
                        !get_ref(&col[C_AUX].p, col[C_AUX].end, ev, i, &aux, &aux_lit) ||
                        !vget(&col[C_IDX].p, col[C_IDX].end, &idx) || idx >= k ||
                        !vget(&col[C_SIZE].p, col[C_SIZE].end, &zs) ||
                        !vget(&col[C_STACK].p, col[C_STACK].end, &zk))) {
            err = MS_ERR_PAYLOAD;
            break;
        }
        if (is_lit) {
            a = lit + ms_unzigzag(a);
            lit = a;
        }
        uint64_t *ctx = &dict[4 * idx];
        uint64_t stack = ctx[2] + ms_unzigzag(zk);
        if (MS_UNLIKELY(stack > UINT32_MAX)) {
            err = MS_ERR_PAYLOAD;
            break;
        }
        ctx[3] += ms_unzigzag(zt);
        t += ctx[3];
        ctx[1] += ms_unzigzag(zs);
        ctx[2] = stack;
        ms_event *e = &ev[i];
        e->time_ns = t;
        e->addr = a;
        e->aux = aux;
        e->size = ctx[1];
        e->site = ctx[0];
        e->stack = (uint32_t)stack;
        e->kind = kind[i];
        e->flags = flags[i];
        e->reserved = 0;
    }
    free(dict);
    FORWARD_IF_ERROR(err);
    for (int c = C_TIME; c <= C_STACK; c++)
        RETURN_ERROR_IF(c != C_DICT && col[c].p != col[c].end, MS_ERR_PAYLOAD);
    return MS_OK;
}
