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
#define SITE_CAP0 2048 /* initial site table slots (power of two) */
#define EV_BLOCK 256 /* rows per encoding block */
#define PREFETCH_AHEAD 8 /* rows */

/* Back-reference slot: key and value side by side (one cache line per probe). */
typedef struct {
    uint64_t key;
    uint64_t val; /* gen << 32 | row; stale if gen differs */
} addr_ent;

/* Site table slot. The per-site predictions live in the slot itself, so one
 * probe finds both the dense index and the context. Slots of an older
 * generation (an earlier chunk) are empty: nothing is cleared per chunk. */
typedef struct {
    uint64_t key;
    uint64_t size;  /* last size of this site in this chunk */
    uint64_t stack; /* last stack */
    uint64_t dt;    /* last time delta */
    uint32_t gen;
    uint32_t idx;
} site_ent;

struct ms_ev_scratch {
    ms_buf col[C_N];
    site_ent *sites;    /* open addressing, linear probing */
    size_t cap;         /* power of two */
    unsigned shift;     /* 64 - log2(cap) */
    uint32_t gen;       /* generation of the current chunk, >= 1 */
    addr_ent addr[1u << ADDR_BITS];
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
    free(s->sites);
    free(s);
}

static __attribute__((noinline)) uint8_t *vput_slow(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* LEB128 without a branch on the length for small values: one unaligned
 * store, then the pointer advances by the real length. Branch mispredictions
 * on varint lengths (which vary row by row) were the encoder's main cost.
 * vput2 is branch-free below 2^14, vput3 below 2^21; larger values take the
 * (rare) loop. The caller leaves 4 bytes of slack after the worst case. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MS_VPUT_FAST 1
#else
#define MS_VPUT_FAST 0
#endif

static inline uint8_t *vput2(uint8_t *p, uint64_t v)
{
    if (MS_VPUT_FAST && MS_LIKELY(v < 0x4000)) {
        uint32_t x = (uint32_t)v, c1 = x >= 0x80;
        uint16_t w = (uint16_t)(x + (x & 0x3f80) + (c1 << 7)); /* bits 7..13 -> 8..14 */
        memcpy(p, &w, 2);
        return p + 1 + c1;
    }
    return vput_slow(p, v);
}

static inline uint8_t *vput3(uint8_t *p, uint64_t v)
{
    if (MS_VPUT_FAST && MS_LIKELY(v < (1u << 21))) {
        uint32_t x = (uint32_t)v, c1 = x >= 0x80, c2 = x >= 0x4000;
        x += x & 0x1fff80;             /* bits 7..20 -> 8..21 */
        x += x & 0x3f8000;             /* bits 15..21 -> 16..22 */
        x |= (c1 << 7) | (c2 << 15);
        memcpy(p, &x, 4);
        return p + 1 + c1 + c2;
    }
    return vput_slow(p, v);
}

/* Any length, exact bytes (dict column, escapes). */
static inline uint8_t *vput(uint8_t *p, uint64_t v)
{
    return vput_slow(p, v);
}

static inline size_t site_slot(const ms_ev_scratch *s, uint64_t site)
{
    return (size_t)((site * 0x9e3779b97f4a7c15ULL) >> s->shift);
}

/* (Re)build the site table with @cap slots, keeping the current chunk's sites. */
static ms_error site_table_resize(ms_ev_scratch *s, size_t cap)
{
    site_ent *t = calloc(cap, sizeof *t);
    RETURN_ERROR_IF(!t, MS_ERR_NOMEM);
    unsigned shift = 64 - (unsigned)__builtin_ctzll(cap);
    for (size_t i = 0; i < s->cap; i++) {
        const site_ent *e = &s->sites[i];
        if (e->gen != s->gen)
            continue;
        size_t h = (size_t)((e->key * 0x9e3779b97f4a7c15ULL) >> shift);
        while (t[h].gen == s->gen)
            h = (h + 1) & (cap - 1);
        t[h] = *e;
    }
    free(s->sites);
    s->sites = t;
    s->cap = cap;
    s->shift = shift;
    return MS_OK;
}

/* Slot of a site first seen in this chunk: claims an empty slot, growing the
 * table at a quarter load (short probes keep the lookup branch predictable),
 * and appends the site to the dict column. NULL when out of memory. */
static __attribute__((noinline)) site_ent *site_insert(ms_ev_scratch *s, uint64_t site,
                                                       uint32_t *count, uint64_t *prev_site,
                                                       uint8_t **dictp)
{
    if ((size_t)(*count + 1) * 4 > s->cap && site_table_resize(s, s->cap * 2) != MS_OK)
        return NULL;
    size_t h = site_slot(s, site);
    while (s->sites[h].gen == s->gen)
        h = (h + 1) & (s->cap - 1);
    site_ent *e = &s->sites[h];
    e->key = site;
    e->gen = s->gen;
    e->idx = (*count)++;
    e->size = e->stack = e->dt = 0; /* a site first seen starts from zero */
    *dictp = vput(*dictp, ms_zigzag(site - *prev_site));
    *prev_site = site;
    return e;
}

static inline size_t addr_slot(uint64_t a)
{
    return (size_t)((a * 0x9e3779b97f4a7c15ULL) >> (64 - ADDR_BITS));
}

/* Row of the most recent event (< i) with this addr in this chunk, or -1. */
static inline int64_t addr_find(const ms_ev_scratch *s, uint64_t a)
{
    const addr_ent *e = &s->addr[addr_slot(a)];
    uint64_t v = e->val;
    if (a == 0 || e->key != a || (uint32_t)(v >> 32) != s->gen)
        return -1;
    return (int64_t)(uint32_t)v;
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
        FORWARD_IF_ERROR(ms_buf_reserve(&s->col[c], n * per_row[c] + 16)); /* + vput slack */
    }
    if (!s->sites)
        FORWARD_IF_ERROR(site_table_resize(s, SITE_CAP0));
    if (++s->gen == 0) { /* generations wrapped: forget everything */
        memset(s->addr, 0, sizeof s->addr);
        memset(s->sites, 0, s->cap * sizeof *s->sites);
        s->gen = 1;
    }
    const uint32_t gen = s->gen;
    const uint64_t gen_hi = (uint64_t)gen << 32;
    addr_ent *at = s->addr;
    uint8_t *pt = s->col[C_TIME].p, *pa = s->col[C_ADDR].p, *px = s->col[C_AUX].p;
    uint8_t *ps = s->col[C_SIZE].p, *pd = s->col[C_DICT].p, *pi = s->col[C_IDX].p;
    uint8_t *pk = s->col[C_STACK].p;
    uint8_t *pkind = s->col[C_KIND].p, *pflags = s->col[C_FLAGS].p;
    uint64_t pt_prev = 0, lit_prev = 0, site_prev = 0;
    uint64_t tmin = n ? ev[0].time_ns : 0, tmax = tmin;
    uint32_t sites = 0;
    /* table fields in locals: the byte stores below may alias anything */
    site_ent *stab = s->sites;
    size_t smask = s->cap - 1;
    unsigned sshift = s->shift;
    /* Two passes per block of rows (the block stays in L1): addresses first,
     * then the site-predicted columns. Fewer live pointers per loop, no
     * register spills. */
    for (size_t b0 = 0; b0 < n; b0 += EV_BLOCK) {
        const size_t b1 = n - b0 < EV_BLOCK ? n : b0 + EV_BLOCK;
        for (size_t i = b0; i < b1; i++) {
            const ms_event *e = &ev[i];
            /* the table is mostly out of L1; the loop carries a dependency
             * through each lookup (the literal base, the column pointer) */
            if (MS_LIKELY(i + PREFETCH_AHEAD < n))
                __builtin_prefetch(&at[addr_slot(ev[i + PREFETCH_AHEAD].addr)], 1);
            /* addr: back reference, literal delta, or escape; the choice
             * between the first two is a select, not a branch */
            const uint64_t a = e->addr;
            addr_ent *ae = &at[addr_slot(a)];
            const uint64_t hit = (uint64_t)((a != 0) & (ae->key == a) & ((ae->val >> 32) == gen));
            const uint64_t ref = (((uint64_t)i - (uint32_t)ae->val) << 1) | 1;
            const uint64_t zz = ms_zigzag(a - lit_prev);
            /* one rarely taken branch (escape), computed without `||` so the
             * compiler does not branch on the hit itself */
            if (MS_LIKELY(((hit ^ 1) & (zz >> 63)) == 0)) {
                const uint64_t m = 0 - hit; /* all ones on a hit */
                pa = vput3(pa, (ref & m) | ((zz << 1) & ~m));
                lit_prev = (lit_prev & m) | (a & ~m);
            } else {
                *pa++ = 1;
                pa = vput(pa, a);
            }
            /* aux: looked up before this row's addr is recorded */
            const uint64_t x = e->aux;
            if (MS_LIKELY(x == 0)) {
                *px++ = 0;
            } else {
                int64_t j = addr_find(s, x);
                if (j >= 0) {
                    px = vput(px, (((uint64_t)i - (uint64_t)j) << 1) | 1);
                } else if (x < (1ULL << 63)) {
                    px = vput(px, x << 1);
                } else {
                    *px++ = 1;
                    px = vput(px, x);
                }
            }
            if (a) {
                ae->key = a;
                ae->val = gen_hi | (uint32_t)i;
            }
            pkind[i] = e->kind;
            pflags[i] = e->flags;
        }
        for (size_t i = b0; i < b1; i++) {
            const ms_event *e = &ev[i];
            if (MS_LIKELY(i + PREFETCH_AHEAD < n))
                __builtin_prefetch(
                    &stab[(ev[i + PREFETCH_AHEAD].site * 0x9e3779b97f4a7c15ULL) >> sshift], 1);
            /* site: dense index and per-site predictions */
            const uint64_t site = e->site;
            size_t h = (size_t)((site * 0x9e3779b97f4a7c15ULL) >> sshift);
            site_ent *se;
            for (;;) {
                se = &stab[h];
                if (MS_LIKELY(se->key == site && se->gen == gen))
                    break;
                if (se->gen != gen) {
                    se = site_insert(s, site, &sites, &site_prev, &pd);
                    RETURN_ERROR_IF(!se, MS_ERR_NOMEM);
                    stab = s->sites; /* the table may have grown */
                    smask = s->cap - 1;
                    sshift = s->shift;
                    break;
                }
                h = (h + 1) & smask;
            }
            pi = vput2(pi, se->idx);
            const uint64_t t = e->time_ns;
            const uint64_t dt = t - pt_prev;
            pt = vput2(pt, ms_zigzag(dt - se->dt));
            pt_prev = t;
            se->dt = dt;
            ps = vput2(ps, ms_zigzag(e->size - se->size));
            se->size = e->size;
            pk = vput2(pk, ms_zigzag((uint64_t)e->stack - se->stack));
            se->stack = e->stack;
            tmin = t < tmin ? t : tmin;
            tmax = t > tmax ? t : tmax;
        }
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
