#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "words.h"

#include <stdlib.h>
#include <string.h>

static int push(words *ws, const char *s, size_t len) {
    if (ws->n == ws->cap) {
        size_t cap = ws->cap ? ws->cap * 2 : 4;
        char **w = realloc(ws->w, cap * sizeof *w);
        if (!w)
            return -1;
        ws->w = w;
        ws->cap = cap;
    }
#ifdef HAVE_STRNDUP
    char *copy = strndup(s, len);
#else
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
#endif
    if (!copy)
        return -1;
    ws->w[ws->n++] = copy;
    return 0;
}

int words_split(words *out, const char *text) {
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if (p > start && push(out, start, (size_t)(p - start)) != 0)
            return -1;
    }
    return 0;
}

void words_clear(words *ws) {
    for (size_t i = 0; i < ws->n; i++)
        free(ws->w[i]);
    free(ws->w);
    ws->w = NULL;
    ws->n = ws->cap = 0;
}
