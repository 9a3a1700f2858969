#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

int strbuf_append(strbuf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 8;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
    return 0;
}

void strbuf_release(strbuf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
