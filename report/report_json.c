/*
 * report_json.c - a small buffered JSON writer (no allocation per value,
 * hand-rolled number formatting), fast enough for `export` to stream
 * hundreds of MB/s. Commas are placed automatically per nesting level.
 */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define RP_JSON_BUF (1u << 18)

void rp_json_init(rp_json *j, FILE *f) {
    memset(j, 0, sizeof *j);
    j->f = f;
    j->buf = malloc(RP_JSON_BUF);
    j->cap = j->buf ? RP_JSON_BUF : 0;
    j->first[0] = 1;
    if (!j->buf)
        j->err = 1;
}

static void flush(rp_json *j) {
    if (j->len && !j->err && fwrite(j->buf, 1, j->len, j->f) != j->len)
        j->err = 1;
    j->len = 0;
}

static inline void reserve(rp_json *j, size_t n) {
    if (j->len + n > j->cap)
        flush(j);
}

static inline void put(rp_json *j, const char *s, size_t n) {
    if (n > j->cap) {
        flush(j);
        if (!j->err && fwrite(s, 1, n, j->f) != n)
            j->err = 1;
        return;
    }
    reserve(j, n);
    if (j->err)
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

static inline void putc_(rp_json *j, char c) {
    reserve(j, 1);
    if (j->err)
        return;
    j->buf[j->len++] = c;
}

int rp_json_end(rp_json *j) {
    putc_(j, '\n');
    flush(j);
    free(j->buf);
    j->buf = NULL;
    if (!j->err && fflush(j->f))
        j->err = 1;
    return j->err ? -1 : 0;
}

/* before a value: comma unless first at this level; a value after a key
 * never gets one */
static inline void sep(rp_json *j) {
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (!j->first[j->depth])
        putc_(j, ',');
    j->first[j->depth] = 0;
}

static void open_(rp_json *j, char c) {
    sep(j);
    putc_(j, c);
    if (j->depth < (int)sizeof j->first - 1)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_(rp_json *j, char c) {
    if (j->depth > 0)
        j->depth--;
    putc_(j, c);
}

void rp_json_obj(rp_json *j) { open_(j, '{'); }
void rp_json_obj_end(rp_json *j) { close_(j, '}'); }
void rp_json_arr(rp_json *j) { open_(j, '['); }
void rp_json_arr_end(rp_json *j) { close_(j, ']'); }

static void raw_str(rp_json *j, const char *s) {
    static const char hexd[] = "0123456789abcdef";
    putc_(j, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(j, run, (size_t)(s - run));
        char e[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\t': e[1] = 't'; break;
        case '\r': e[1] = 'r'; break;
        default:
            e[1] = 'u'; e[2] = '0'; e[3] = '0'; e[4] = hexd[c >> 4]; e[5] = hexd[c & 15];
            n = 6;
        }
        put(j, e, n);
        run = s + 1;
    }
    put(j, run, (size_t)(s - run));
    putc_(j, '"');
}

void rp_json_key(rp_json *j, const char *k) {
    sep(j);
    raw_str(j, k);
    putc_(j, ':');
    j->after_key = 1;
}

void rp_json_str(rp_json *j, const char *s) {
    if (!s) {
        rp_json_null(j);
        return;
    }
    sep(j);
    raw_str(j, s);
}

static size_t fmt_u64(char *out, uint64_t v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void rp_json_u64(rp_json *j, uint64_t v) {
    sep(j);
    char b[24];
    put(j, b, fmt_u64(b, v));
}

void rp_json_i64(rp_json *j, int64_t v) {
    sep(j);
    char b[24];
    size_t n = 0;
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        b[n++] = '-';
        u = 0 - u;
    }
    n += fmt_u64(b + n, u);
    put(j, b, n);
}

void rp_json_dbl(rp_json *j, double v) {
    sep(j);
    char b[40];
    int n = (v != v || v > 1e300 || v < -1e300) ? snprintf(b, sizeof b, "null")
                                                : snprintf(b, sizeof b, "%.6g", v);
    put(j, b, (size_t)n);
}

void rp_json_bool(rp_json *j, int v) {
    sep(j);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void rp_json_null(rp_json *j) {
    sep(j);
    put(j, "null", 4);
}

void rp_json_hex(rp_json *j, uint64_t v) {
    static const char hexd[] = "0123456789abcdef";
    sep(j);
    char b[24];
    char t[16];
    size_t n = 0, k = 0;
    do {
        t[k++] = hexd[v & 15];
        v >>= 4;
    } while (v);
    b[n++] = '"';
    b[n++] = '0';
    b[n++] = 'x';
    while (k)
        b[n++] = t[--k];
    b[n++] = '"';
    put(j, b, n);
}

void rp_json_bin(rp_json *j, const uint8_t *p, size_t len) {
    static const char hexd[] = "0123456789abcdef";
    sep(j);
    putc_(j, '"');
    for (size_t i = 0; i < len; i++) {
        char b[2] = {hexd[p[i] >> 4], hexd[p[i] & 15]};
        put(j, b, 2);
    }
    putc_(j, '"');
}

void rp_json_kstr(rp_json *j, const char *k, const char *s) { rp_json_key(j, k); rp_json_str(j, s); }
void rp_json_ku64(rp_json *j, const char *k, uint64_t v) { rp_json_key(j, k); rp_json_u64(j, v); }
void rp_json_kdbl(rp_json *j, const char *k, double v) { rp_json_key(j, k); rp_json_dbl(j, v); }
void rp_json_kbool(rp_json *j, const char *k, int v) { rp_json_key(j, k); rp_json_bool(j, v); }
void rp_json_khex(rp_json *j, const char *k, uint64_t v) { rp_json_key(j, k); rp_json_hex(j, v); }
