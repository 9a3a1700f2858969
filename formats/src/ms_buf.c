/*
 * ms_buf.c - growable byte buffer used by the encoders, writer and codecs.
 */
#include <stdlib.h>
#include <string.h>

#include "ms_internal.h"

ms_error ms_buf_reserve(ms_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return MS_OK;
    if (extra > SIZE_MAX / 2 - b->len)
        return MS_ERR_TOO_LARGE;
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return MS_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return MS_OK;
}

ms_error ms_buf_append(ms_buf *b, const void *src, size_t n)
{
    FORWARD_IF_ERROR(ms_buf_reserve(b, n));
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
    return MS_OK;
}

void ms_buf_free(ms_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int ms_buf_pack_cb(void *data, const char *buf, size_t len)
{
    return ms_buf_append((ms_buf *)data, buf, len) == MS_OK ? 0 : -1;
}
