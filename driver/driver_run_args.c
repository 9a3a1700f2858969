/*
 * driver_run_args.c - memscope-run's command line and the MEMSCOPE_OPTIONS
 * string it hands to the traced program. Pure functions.
 */
#include "driver.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static ms_drv_error bad(ms_run_args *r, const char *msg, const char *arg) {
    r->error = msg;
    r->bad_arg = arg;
    return MS_DRV_ERR_USAGE;
}

/* Option value: "--opt=V" or "--opt V" (advancing *i). NULL if missing. */
static const char *value_of(int argc, char *const *argv, int *i, const char *opt) {
    const char *a = argv[*i];
    size_t l = strlen(opt);
    if (strncmp(a, opt, l) == 0 && a[l] == '=')
        return a + l + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int opt_is(const char *a, const char *opt) {
    size_t l = strlen(opt);
    return strncmp(a, opt, l) == 0 && (a[l] == '\0' || a[l] == '=');
}

ms_drv_error ms_run_parse(int argc, char *const *argv, ms_run_args *r) {
    memset(r, 0, sizeof *r);
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (streq(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (streq(a, "-h") || streq(a, "--help")) {
            r->action = MS_RUN_HELP;
            return MS_DRV_OK;
        }
        if (streq(a, "--version")) {
            r->action = MS_RUN_VERSION;
            return MS_DRV_OK;
        }
        if (opt_is(a, "-o") || opt_is(a, "--output")) {
            const char *v = value_of(argc, argv, &i, a[1] == 'o' ? "-o" : "--output");
            if (!v || !*v)
                return bad(r, "-o needs a file name", a);
            if (strchr(v, ':'))
                return bad(r, "the output file name cannot contain ':' (MEMSCOPE_OPTIONS separator)", v);
            r->output = v;
        } else if (opt_is(a, "--compression")) {
            const char *v = value_of(argc, argv, &i, "--compression");
            if (!v)
                return bad(r, "--compression needs one of zstd, lz4, brotli, none", a);
            if (!streq(v, "zstd") && !streq(v, "lz4") && !streq(v, "brotli") && !streq(v, "none"))
                return bad(r, "--compression takes zstd, lz4, brotli or none", v);
            r->compression = v;
        } else if (opt_is(a, "--level")) {
            const char *v = value_of(argc, argv, &i, "--level");
            if (!v || !*v)
                return bad(r, "--level needs a number", a);
            char *end = NULL;
            errno = 0;
            long lv = strtol(v, &end, 10);
            if (errno || *end || lv < 0 || lv > 22)
                return bad(r, "--level takes an integer 0..22 (0: the codec's default)", v);
            r->level = v;
        } else {
            return bad(r, "unknown option", a);
        }
    }
    if (i >= argc)
        return bad(r, "no program to run", NULL);
    r->prog_index = i;
    return MS_DRV_OK;
}

char *ms_run_option_value(const char *options, const char *key) {
    if (!options)
        return NULL;
    size_t kl = strlen(key);
    const char *found = NULL;
    size_t flen = 0;
    const char *p = options;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            found = p + kl + 1;
            flen = len - kl - 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return found ? strndup(found, flen) : NULL;
}

char *ms_run_options(const char *existing, const ms_run_args *r) {
    size_t cap = (existing ? strlen(existing) : 0) + 64 + (r->output ? strlen(r->output) : 0) +
                 (r->compression ? strlen(r->compression) : 0) + (r->level ? strlen(r->level) : 0);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t n = 0;
    s[0] = '\0';
    if (existing && *existing)
        n += (size_t)snprintf(s + n, cap - n, "%s", existing);
    const char *keys[3] = {"output", "compression", "level"};
    const char *vals[3] = {r->output, r->compression, r->level};
    for (int k = 0; k < 3; k++) {
        if (!vals[k])
            continue;
        n += (size_t)snprintf(s + n, cap - n, "%s%s=%s", n ? ":" : "", keys[k], vals[k]);
    }
    return s;
}

char *ms_run_expand_output(const char *pattern, long pid, const char *exe_name) {
    char pidbuf[32];
    snprintf(pidbuf, sizeof pidbuf, "%ld", pid);
    size_t cap = 1;
    for (const char *p = pattern; *p; p++)
        cap += (*p == '%') ? strlen(pidbuf) + strlen(exe_name) + 1 : 1;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    char *w = s;
    for (const char *p = pattern; *p; p++) {
        if (*p == '%' && p[1] == 'p') {
            w = stpcpy(w, pidbuf);
            p++;
        } else if (*p == '%' && p[1] == 'e') {
            w = stpcpy(w, exe_name);
            p++;
        } else if (*p == '%' && p[1] == '%') {
            *w++ = '%';
            p++;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return s;
}
