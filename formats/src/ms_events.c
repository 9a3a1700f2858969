/*
 * ms_events.c - the columnar event batch: the one hot payload.
 *
 * An events payload is a MessagePack array of 11 elements:
 *   [ encoding = 1, n,
 *     bin time, bin addr, bin aux, bin size,
 *     bin site_dict, bin site_idx, bin stack, bin kind, bin flags ]
 * Columns (LEB128 varints unless noted; "zz-delta" = zigzag of the
 * difference with the previous row's value, modulo 2^64, first row against 0):
 *   time      zz-delta of time_ns        (rising: 1-2 bytes)
 *   addr      zz-delta of addr           (clustered heap addresses)
 *   aux       aux as is                  (mostly 0: 1 byte)
 *   size      size as is                 (skewed small: 1-2 bytes)
 *   site_dict varint k, then k zz-deltas: the distinct site ids in order of
 *             first use
 *   site_idx  index into site_dict       (a few hundred sites: 1-2 bytes)
 *   stack     stack id as is
 *   kind      n raw bytes
 *   flags     n raw bytes
 * Grouping each field in its own column gives the chunk compressor long runs
 * of similar bytes. ms_event.reserved is not stored (decodes as 0).
 */
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "ms_internal.h"
#include "ms_mpack.h"

#define EV_ENCODING 1
#define EV_FIELDS 11

enum { C_TIME, C_ADDR, C_AUX, C_SIZE, C_DICT, C_IDX, C_STACK, C_KIND, C_FLAGS, C_N };

struct ms_ev_scratch {
    ms_buf col[C_N];
    uint64_t *keys;     /* open-addressing site -> index table */
    uint32_t *vals;     /* index + 1, 0 = empty slot */
    size_t cap;         /* power of two */
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

ms_error ms_enc_events(ms_buf *out, ms_ev_scratch *s, const ms_event *ev, size_t n,
                       uint64_t *t_first, uint64_t *t_last)
{
    RETURN_ERROR_IF(n > UINT32_MAX || (n && !ev), MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(n > MS_MAX_CHUNK_RAW / 64, MS_ERR_TOO_LARGE);
    for (int c = 0; c < C_N; c++) {
        s->col[c].len = 0;
        FORWARD_IF_ERROR(ms_buf_reserve(&s->col[c], n * 10 + 10));
    }
    FORWARD_IF_ERROR(table_reset(s, s->cap ? s->cap : 1024));
    uint8_t *pt = s->col[C_TIME].p, *pa = s->col[C_ADDR].p, *px = s->col[C_AUX].p;
    uint8_t *ps = s->col[C_SIZE].p, *pd = s->col[C_DICT].p, *pi = s->col[C_IDX].p;
    uint8_t *pk = s->col[C_STACK].p;
    uint8_t *pkind = s->col[C_KIND].p, *pflags = s->col[C_FLAGS].p;
    uint64_t pt_prev = 0, pa_prev = 0, site_prev = 0;
    uint64_t tmin = n ? ev[0].time_ns : 0, tmax = tmin;
    uint32_t sites = 0;
    for (size_t i = 0; i < n; i++) {
        const ms_event *e = &ev[i];
        pt = vput(pt, ms_zigzag(e->time_ns - pt_prev));
        pt_prev = e->time_ns;
        pa = vput(pa, ms_zigzag(e->addr - pa_prev));
        pa_prev = e->addr;
        px = vput(px, e->aux);
        ps = vput(ps, e->size);
        uint32_t idx;
        FORWARD_IF_ERROR(site_index(s, e->site, &sites, &site_prev, &pd, &idx));
        pi = vput(pi, idx);
        pk = vput(pk, e->stack);
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

/* Checked varint read; the one-byte case is the fast path. */
static inline int vget(const uint8_t **pp, const uint8_t *end, uint64_t *v)
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
    uint64_t *dict = malloc((size_t)(k ? k : 1) * sizeof *dict);
    RETURN_ERROR_IF(!dict, MS_ERR_NOMEM);
    uint64_t prev = 0;
    for (uint64_t i = 0; i < k; i++) {
        uint64_t z;
        if (!vget(&col[C_DICT].p, col[C_DICT].end, &z)) {
            free(dict);
            return MS_ERR_PAYLOAD;
        }
        prev += ms_unzigzag(z);
        dict[i] = prev;
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
    uint64_t t = 0, a = 0;
    const uint8_t *kind = col[C_KIND].p, *flags = col[C_FLAGS].p;
    ms_error err = MS_OK;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t zt, za, aux, size, idx, stack;
        if (MS_UNLIKELY(!vget(&col[C_TIME].p, col[C_TIME].end, &zt) ||
                        !vget(&col[C_ADDR].p, col[C_ADDR].end, &za) ||
                        !vget(&col[C_AUX].p, col[C_AUX].end, &aux) ||
                        !vget(&col[C_SIZE].p, col[C_SIZE].end, &size) ||
                        !vget(&col[C_IDX].p, col[C_IDX].end, &idx) ||
                        !vget(&col[C_STACK].p, col[C_STACK].end, &stack) || idx >= k ||
                        stack > UINT32_MAX)) {
            err = MS_ERR_PAYLOAD;
            break;
        }
        t += ms_unzigzag(zt);
        a += ms_unzigzag(za);
        ms_event *e = &ev[i];
        e->time_ns = t;
        e->addr = a;
        e->aux = aux;
        e->size = size;
        e->site = dict[idx];
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
