/*
 * driver_rsp.c - response files (@file): tokenized like clang does on
 * Linux (llvm::cl::TokenizeGNUCommandLine) and expanded recursively, so the
 * driver classifies exactly the arguments clang will see.
 */
#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSP_MAX_DEPTH 32
#define RSP_MAX_BYTES (64u << 20) /* larger "response files" are not ours to read */

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

ms_drv_error ms_rsp_tokenize(const char *text, size_t len, ms_strvec *out) {
    char *tok = malloc(len + 1);
    if (!tok)
        return MS_DRV_ERR_NOMEM;
    size_t i = 0;
    ms_drv_error err = MS_DRV_OK;
    while (i < len && err == MS_DRV_OK) {
        while (i < len && is_space(text[i]))
            i++;
        if (i >= len)
            break;
        size_t t = 0;
        /* One token: runs until unquoted whitespace. An empty quoted token
         * ("") is a real, empty argument. */
        while (i < len && !is_space(text[i])) {
            char c = text[i];
            if (c == '\\' && i + 1 < len) {
                tok[t++] = text[i + 1];
                i += 2;
            } else if (c == '\'' || c == '"') {
                char q = c;
                i++;
                while (i < len && text[i] != q) {
                    if (text[i] == '\\' && i + 1 < len) /* LLVM: in both quote kinds */
                        i++;
                    tok[t++] = text[i++];
                }
                if (i < len)
                    i++; /* closing quote */
            } else {
                tok[t++] = c;
                i++;
            }
        }
        err = ms_strvec_pushn(out, tok, t);
    }
    free(tok);
    return err;
}

/* Read a whole file; NULL (errno set) when it cannot. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= RSP_MAX_BYTES) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (buf && bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

/* Open "@name" relative to the cwd, else beside the response file @base.
 * *@where gets the path that was read (caller frees). */
static char *read_rsp(const char *name, const char *base, size_t *len, char **where) {
    *where = NULL;
    char *text = read_file(name, len);
    if (text || !base || name[0] == '/') {
        if (text && !(*where = strdup(name))) {
            free(text);
            return NULL;
        }
        return text;
    }
    const char *slash = strrchr(base, '/');
    if (!slash)
        return NULL;
    size_t dl = (size_t)(slash - base) + 1, nl = strlen(name);
    char *p = malloc(dl + nl + 1);
    if (!p)
        return NULL;
    memcpy(p, base, dl);
    memcpy(p + dl, name, nl + 1);
    text = read_file(p, len);
    if (text)
        *where = p;
    else
        free(p);
    return text;
}

static ms_drv_error expand_into(char *const *args, size_t n, const char *base, int depth,
                                ms_strvec *out, int *expanded) {
    for (size_t i = 0; i < n; i++) {
        const char *a = args[i];
        if (a[0] != '@' || a[1] == '\0') {
            if (ms_strvec_push(out, a) != MS_DRV_OK)
                return MS_DRV_ERR_NOMEM;
            continue;
        }
        size_t len = 0;
        char *where = NULL;
        char *text = read_rsp(a + 1, base, &len, &where);
        if (!text) { /* clang keeps an unreadable @file as an input name */
            if (ms_strvec_push(out, a) != MS_DRV_OK)
                return MS_DRV_ERR_NOMEM;
            continue;
        }
        if (depth >= RSP_MAX_DEPTH) {
            free(text);
            free(where);
            return MS_DRV_ERR_RSP_DEPTH;
        }
        ms_strvec words = {0};
        ms_drv_error err = ms_rsp_tokenize(text, len, &words);
        free(text);
        if (err == MS_DRV_OK && words.n)
            err = expand_into(words.v, words.n, where, depth + 1, out, expanded);
        ms_strvec_free(&words);
        free(where);
        if (err != MS_DRV_OK)
            return err;
        if (expanded)
            *expanded = 1;
    }
    return MS_DRV_OK;
}

ms_drv_error ms_rsp_expand(int argc, char *const *argv, ms_strvec *out, int *expanded) {
    if (expanded)
        *expanded = 0;
    if (argc <= 0)
        return MS_DRV_OK;
    /* argv[0] is the program name: never a response file. */
    if (ms_strvec_push(out, argv[0]) != MS_DRV_OK)
        return MS_DRV_ERR_NOMEM;
    return expand_into(argv + 1, (size_t)argc - 1, NULL, 0, out, expanded);
}
