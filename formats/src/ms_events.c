/*
 * ms_events.c - the columnar event batch: the one hot payload (encoder).
 *
 * The writer emits events encoding 2 (docs/FORMAT.md section 7.10; the
 * decoders of encodings 1 and 2 are in ms_events_dec.c). The payload is a
 * MessagePack array of 11 elements:
 *   [ encoding = 2, n,
 *     bin time, bin addr, bin aux, bin size,
 *     bin site_dict, bin site_idx, bin stack, bin kind, bin flags ]
 * With zz() = zigzag of a signed 64-bit difference (modulo 2^64) and "last"
 * values kept per site index in this chunk (starting at 0):
 *   time      zz(dt - last dt of the site), dt = time - previous row's time
 *   addr      2*back+1 a back reference to row i-back's addr; 1 escape (the
 *             raw addr follows); 4*zz(d/16)+2 an aligned literal and 4*zz(d)
 *             a literal, d = addr - L, L = the last literal addr
 *   aux       2*back+1 (row i-back's addr), 1 escape, 2*aux
 *   site_dict varint k, then k zigzag deltas: distinct site ids in order
 *   site_idx  index into site_dict
 *   size      0 = the site's last size; 2*size+1; 2 escape (raw follows)
 *   stack     per site a move-to-front list of 4 recent stacks m[0..3]:
 *             2k = m[k], 2k+1 = m[k]+1, else 8 + zz(stack - m[0])
 *   kind      n bytes: kind ^ the site's last kind; flags likewise
 * Against encoding 1: the stack list catches a site called from a few
 * places and stack ids interned in sequence (recursive code: several
 * interleaved runs of ids), kinds and flags are nearly constant per site,
 * sizes that do not repeat are cheaper as values than as differences, and
 * heap addresses are 16-byte aligned.
 * ms_event.reserved is not stored (decodes as 0).
 */
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "ms_internal.h"
#include "ms_mpack.h"

#define EV_ENCODING 2
#define EV_FIELDS 11

enum { C_TIME, C_ADDR, C_AUX, C_SIZE, C_DICT, C_IDX, C_STACK, C_KIND, C_FLAGS, C_N };

#define ADDR_BITS 14 /* back-reference table: 16 Ki slots, direct mapped */
#define SITE_CAP0 2048 /* initial site table slots (power of two) */
#define EV_BLOCK 256 /* rows per encoding block */
#define PREFETCH_AHEAD 8 /* rows */
#define STACK_MRU 4

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
    uint64_t size;             /* last size of this site in this chunk */
    uint64_t dt;               /* last time delta */
    uint32_t stack[STACK_MRU]; /* recent stacks, latest first */
    uint32_t gen;
    uint32_t idx;
    uint8_t kind;              /* last kind */
    uint8_t flags;             /* last flags */
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
    memset(e, 0, sizeof *e); /* a site first seen starts from zero */
    e->key = site;
    e->gen = s->gen;
    e->idx = (*count)++;
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

/* Pass 1 of a block: the address columns (back references need the rows in
 * order, nothing per site). */
static inline void enc_addrs(ms_ev_scratch *s, const ms_event *ev, size_t n, size_t b0,
                             size_t b1, uint8_t **pap, uint8_t **pxp, uint64_t *litp)
{
    const uint32_t gen = s->gen;
    const uint64_t gen_hi = (uint64_t)gen << 32;
    addr_ent *at = s->addr;
    uint8_t *pa = *pap, *px = *pxp;
    uint64_t lit_prev = *litp;
    for (size_t i = b0; i < b1; i++) {
        const ms_event *e = &ev[i];
        /* the table is mostly out of L1; the loop carries a dependency
         * through each lookup (the literal base, the column pointer) */
        if (MS_LIKELY(i + PREFETCH_AHEAD < n))
            __builtin_prefetch(&at[addr_slot(ev[i + PREFETCH_AHEAD].addr)], 1);
        /* addr: back reference, literal (aligned or not), or escape; the
         * choice among the first three is a select, not a branch */
        const uint64_t a = e->addr;
        addr_ent *ae = &at[addr_slot(a)];
        const uint64_t hit = (uint64_t)((a != 0) & (ae->key == a) & ((ae->val >> 32) == gen));
        const uint64_t ref = (((uint64_t)i - (uint32_t)ae->val) << 1) | 1;
        const uint64_t d = a - lit_prev;
        const uint64_t al = (d & 15) == 0;
        const uint64_t zu = ms_zigzag(d), za = ms_zigzag((uint64_t)((int64_t)d >> 4));
        const uint64_t ma = 0 - al;
        const uint64_t litc = (((za << 2) | 2) & ma) | ((zu << 2) & ~ma);
        /* one rarely taken branch (escape: an unaligned delta of 2^61 or
         * more), computed without `||` so there is no branch on the hit */
        const uint64_t esc = (hit | al | ((zu >> 62) == 0)) ^ 1;
        if (MS_LIKELY(esc == 0)) {
            const uint64_t m = 0 - hit; /* all ones on a hit */
            pa = vput3(pa, (ref & m) | (litc & ~m));
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
    }
    *pap = pa;
    *pxp = px;
    *litp = lit_prev;
}

/* The stack code against the site's recent stacks, and the list updated.
 * Branch-free: which entry matches (if any) varies row by row. With SSE2 the
 * four entries are compared and shifted as one vector. */
#if defined(__SSE2__)
#include <emmintrin.h>

static inline uint64_t stack_code(site_ent *se, uint32_t st)
{
    /* off the row-to-row chain: st, st - 1 (no "+1" match for st == 0:
     * m + 1 wraps to 0 in 32 bits, not in the format) */
    const __m128i s = _mm_set1_epi32((int)st);
    const __m128i s1 = _mm_set1_epi32((int)(st - 1));
    const __m128i s1ok = _mm_set1_epi32(-(int)(st != 0));
    /* the chain through se->stack: compare, first match, move to front */
    const __m128i m = _mm_loadu_si128((const __m128i *)(void *)se->stack);
    const __m128i eqv = _mm_cmpeq_epi32(m, s);
    const __m128i p1v = _mm_and_si128(_mm_cmpeq_epi32(m, s1), s1ok);
    __m128i pre = _mm_or_si128(eqv, p1v); /* lanes >= the first match */
    pre = _mm_or_si128(pre, _mm_slli_si128(pre, 4));
    pre = _mm_or_si128(pre, _mm_slli_si128(pre, 8));
    const __m128i keep = _mm_slli_si128(pre, 4); /* lanes after it stay */
    const __m128i moved = _mm_or_si128(_mm_slli_si128(m, 4), _mm_cvtsi32_si128((int)st));
    _mm_storeu_si128((__m128i *)(void *)se->stack,
                    _mm_or_si128(_mm_and_si128(keep, m), _mm_andnot_si128(keep, moved)));
    /* the code: 2k for m[k] == st, 2k+1 for m[k] + 1 == st (first k) */
    const unsigned eq = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eqv));
    const unsigned p1 = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(p1v));
    const unsigned k = (unsigned)__builtin_ctz(eq | p1 | 1u << STACK_MRU);
    const uint64_t miss = 0 - (uint64_t)(k == STACK_MRU);
    const uint64_t hitc = 2 * k + ((~eq >> k) & 1);
    return (hitc & ~miss) | ((2 * STACK_MRU + ms_zigzag((uint64_t)st - (uint32_t)_mm_cvtsi128_si32(m))) & miss);
}
#else
static inline uint64_t stack_code(site_ent *se, uint32_t st)
{
    const uint64_t s64 = st;
    unsigned mask = 1u << (2 * STACK_MRU);
    for (unsigned k = 0; k < STACK_MRU; k++) {
        const uint64_t m = se->stack[k];
        mask |= (unsigned)(s64 == m) << (2 * k);
        mask |= (unsigned)(s64 == m + 1) << (2 * k + 1);
    }
    const unsigned c = (unsigned)__builtin_ctz(mask);
    const unsigned k = c >> 1 < STACK_MRU - 1 ? c >> 1 : STACK_MRU - 1;
    const uint64_t miss = 0 - (uint64_t)(c == 2 * STACK_MRU);
    const uint64_t code = c + (ms_zigzag(s64 - se->stack[0]) & miss);
    for (unsigned j = STACK_MRU - 1; j > 0; j--)
        se->stack[j] = j <= k ? se->stack[j - 1] : se->stack[j];
    se->stack[0] = st;
    return code;
}
#endif

ms_error ms_enc_events(ms_buf *out, ms_ev_scratch *s, const ms_event *ev, size_t n,
                       uint64_t *t_first, uint64_t *t_last)
{
    RETURN_ERROR_IF(n > UINT32_MAX || (n && !ev), MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(n > MS_MAX_CHUNK_RAW / 64, MS_ERR_TOO_LARGE);
    /* worst case per row: an escaped 64-bit value is 11 bytes */
    static const uint8_t per_row[C_N] = {10, 11, 11, 11, 10, 5, 10, 1, 1};
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
    uint8_t *pt = s->col[C_TIME].p, *pa = s->col[C_ADDR].p;
    uint8_t *px = s->col[C_AUX].p, *ps = s->col[C_SIZE].p, *pd = s->col[C_DICT].p;
    uint8_t *pi = s->col[C_IDX].p, *pk = s->col[C_STACK].p;
    uint8_t *pkind = s->col[C_KIND].p, *pflags = s->col[C_FLAGS].p;
    uint64_t t_prev = 0, lit_prev = 0, site_prev = 0;
    uint64_t tmin = n ? ev[0].time_ns : 0, tmax = tmin;
    uint32_t sites = 0;
    /* table fields in locals: the byte stores below may alias anything */
    site_ent *stab = s->sites;
    size_t smask = s->cap - 1;
    unsigned sshift = s->shift;
    /* Two passes per block of rows (the block stays in L1): addresses first,
     * then the site-predicted columns. Fewer live pointers per loop, fewer
     * register spills. */
    for (size_t b0 = 0; b0 < n; b0 += EV_BLOCK) {
        const size_t b1 = n - b0 < EV_BLOCK ? n : b0 + EV_BLOCK;
        enc_addrs(s, ev, n, b0, b1, &pa, &px, &lit_prev);
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
            /* time: the delta predicted per site */
            const uint64_t t = e->time_ns;
            const uint64_t dt = t - t_prev;
            pt = vput2(pt, ms_zigzag(dt - se->dt));
            t_prev = t;
            se->dt = dt;
            tmin = t < tmin ? t : tmin;
            tmax = t > tmax ? t : tmax;
            /* size: the site's last, or the value itself */
            const uint64_t sz = e->size;
            if (MS_LIKELY(sz < (1ULL << 63))) {
                ps = vput3(ps, sz == se->size ? 0 : (sz << 1) | 1);
            } else if (sz == se->size) {
                *ps++ = 0;
            } else {
                *ps++ = 2;
                ps = vput(ps, sz);
            }
            se->size = sz;
            pk = vput2(pk, stack_code(se, e->stack));
            pkind[i] = e->kind ^ se->kind;
            pflags[i] = e->flags ^ se->flags;
            se->kind = e->kind;
            se->flags = e->flags;
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
