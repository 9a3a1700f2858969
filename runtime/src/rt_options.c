/* rt_options.c - MEMSCOPE_OPTIONS parsing from the rt_options.inc table. */
#include "rt_options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "msformat.h"
#include "rt_log.h"

enum { T_STR, T_INT, T_BOOL, T_CODEC };

typedef struct {
    const char *name;
    int type;
    const char *def_s;
    long def_i, min, max;
    const char *desc;
    size_t off;
} opt_desc;

#define RT_OPT_DEF_STR(def) def, 0
#define RT_OPT_DEF_CODEC(def) def, 0
#define RT_OPT_DEF_INT(def) NULL, def
#define RT_OPT_DEF_BOOL(def) NULL, def
#define RT_OPT(type, name, def, mn, mx, desc) \
    {#name, T_##type, RT_OPT_DEF_##type(def), mn, mx, desc, offsetof(rt_options, name)},
static const opt_desc table[] = {
#include "rt_options.inc"
};
#undef RT_OPT

#define NOPTS (sizeof table / sizeof table[0])

static rt_options g_opts;

const rt_options *rt_opts(void) { return &g_opts; }

static int codec_parse(const char *s, size_t n, int *out) {
    static const char *names[] = {"none", "zstd", "lz4", "brotli"};
    static const int vals[] = {MS_CODEC_NONE, MS_CODEC_ZSTD, MS_CODEC_LZ4, MS_CODEC_BROTLI};
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == n && !memcmp(names[i], s, n)) {
            *out = vals[i];
            return 0;
        }
    return -1;
}

void rt_options_defaults(rt_options *o) {
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < NOPTS; i++) {
        char *f = (char *)o + table[i].off;
        switch (table[i].type) {
        case T_STR:
            strncpy(f, table[i].def_s, RT_OPT_STR_MAX - 1);
            break;
        case T_CODEC:
            codec_parse(table[i].def_s, strlen(table[i].def_s), (int *)f);
            break;
        case T_INT:
            *(long *)f = table[i].def_i;
            break;
        case T_BOOL:
            *(int *)f = (int)table[i].def_i;
            break;
        }
    }
}

static int eq(const char *a, size_t n, const char *b) {
    return strlen(b) == n && !memcmp(a, b, n);
}

/* Integer with optional k/m/g suffix, fully consumed, within [min,max]. */
static int int_parse(const char *v, size_t n, long min, long max, long *out) {
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    long x = strtol(tmp, &end, 0);
    if (errno || end == tmp)
        return -1;
    long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024L * 1024 * 1024, end++;
    if (*end || (x != 0 && (x > LONG_MAX / mul || x < LONG_MIN / mul)))
        return -1;
    x *= mul;
    if (x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

static int bool_parse(const char *v, size_t n, int *out) {
    if (eq(v, n, "1") || eq(v, n, "true") || eq(v, n, "yes") || eq(v, n, "on"))
        *out = 1;
    else if (eq(v, n, "0") || eq(v, n, "false") || eq(v, n, "no") || eq(v, n, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int apply(rt_options *o, const char *k, size_t kn, const char *v, size_t vn, int err_fd) {
    for (size_t i = 0; i < NOPTS; i++) {
        if (!eq(k, kn, table[i].name))
            continue;
        char *f = (char *)o + table[i].off;
        int bad = 0;
        switch (table[i].type) {
        case T_STR:
            if (vn == 0 || vn >= RT_OPT_STR_MAX) {
                bad = 1;
                break;
            }
            memcpy(f, v, vn);
            f[vn] = 0;
            break;
        case T_CODEC:
            bad = codec_parse(v, vn, (int *)f) != 0;
            break;
        case T_INT:
            bad = int_parse(v, vn, table[i].min, table[i].max, (long *)f) != 0;
            break;
        case T_BOOL:
            bad = bool_parse(v, vn, (int *)f) != 0;
            break;
        }
        if (bad) {
            char what[64];
            if (table[i].type == T_INT)
                rt_fmt(what, sizeof what, "an integer in [%ld, %ld]", table[i].min, table[i].max);
            else
                rt_fmt(what, sizeof what, "%s",
                       table[i].type == T_BOOL    ? "0 or 1"
                       : table[i].type == T_CODEC ? "zstd, lz4, brotli or none"
                                                  : "a non-empty string");
            char val[128];
            size_t m = vn < sizeof val - 1 ? vn : sizeof val - 1;
            memcpy(val, v, m);
            val[m] = 0;
            rt_log_fd(err_fd, "bad value '%s' for option '%s' (want %s); keeping the default",
                      val, table[i].name, what);
            return 1;
        }
        return 0;
    }
    char key[128];
    size_t n = kn < sizeof key - 1 ? kn : sizeof key - 1;
    memcpy(key, k, n);
    key[n] = 0;
    rt_log_fd(err_fd, "unknown option '%s' (MEMSCOPE_OPTIONS=help=1 lists them); ignored", key);
    return 1;
}

int rt_options_parse(rt_options *o, const char *s, int err_fd) {
    int problems = 0;
    if (!s)
        return 0;
    while (*s) {
        size_t n = strcspn(s, ":,");
        if (n > 0) {
            const char *eqp = memchr(s, '=', n);
            if (!eqp) {
                char key[128];
                size_t m = n < sizeof key - 1 ? n : sizeof key - 1;
                memcpy(key, s, m);
                key[m] = 0;
                rt_log_fd(err_fd, "option '%s' has no value (want key=value); ignored", key);
                problems++;
            } else {
                problems += apply(o, s, (size_t)(eqp - s), eqp + 1, n - (size_t)(eqp - s) - 1,
                                  err_fd);
            }
        }
        s += n;
        if (*s)
            s++;
    }
    return problems;
}

void rt_options_print_help(int fd) {
    char line[512];
    rt_write_all(fd, "memscope options (MEMSCOPE_OPTIONS=key=value:key=value):\n", 57);
    for (size_t i = 0; i < NOPTS; i++) {
        char def[64];
        if (table[i].type == T_STR || table[i].type == T_CODEC)
            rt_fmt(def, sizeof def, "%s", table[i].def_s);
        else
            rt_fmt(def, sizeof def, "%ld", table[i].def_i);
        size_t n = rt_fmt(line, sizeof line, "  %s=%s\t%s\n", table[i].name, def, table[i].desc);
        rt_write_all(fd, line, n);
    }
}

/* A program compiled with memscope-cc may define this (the driver emits it). */
extern const char *__memscope_default_options(void) __attribute__((weak));

void rt_options_load(void) {
    rt_options_defaults(&g_opts);
    if (__memscope_default_options)
        rt_options_parse(&g_opts, __memscope_default_options(), 2);
    rt_options_parse(&g_opts, getenv("MEMSCOPE_OPTIONS"), 2);
    if (g_opts.help)
        rt_options_print_help(2);
}
