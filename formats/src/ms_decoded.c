/*
 * ms_decoded.c - lifetime of decoded chunks: one reference-counted object
 * owning its record array and an arena for strings, frames and build ids.
 * The reader's cache holds one reference; every ms_reader_load() caller
 * holds another; the last ms_decoded_free() releases the memory.
 */
#include <stdlib.h>

#include "ms_internal.h"

typedef struct {
    ms_decoded pub;
    ms_decoded_priv priv;
} ms_decoded_box;

ms_decoded *ms_decoded_new(uint32_t type)
{
    ms_decoded_box *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->pub.type = type;
    b->pub.internal_ = &b->priv;
    atomic_init(&b->priv.refs, 1);
    b->priv.bytes = sizeof *b;
    return &b->pub;
}

ms_decoded *ms_decoded_ref(ms_decoded *d)
{
    ms_decoded_priv *p = d->internal_;
    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    return d;
}

size_t ms_decoded_bytes(const ms_decoded *d)
{
    const ms_decoded_priv *p = d->internal_;
    return p->bytes;
}

void ms_decoded_free(ms_decoded *d)
{
    if (!d)
        return;
    ms_decoded_priv *p = d->internal_;
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(p->items);
    free(p->arena);
    free(d); /* d is the start of its ms_decoded_box */
}

ms_error ms_decoded_arena_init(ms_decoded *d, size_t cap)
{
    ms_decoded_priv *p = d->internal_;
    if (cap == 0)
        return MS_OK;
    p->arena = malloc(cap);
    RETURN_ERROR_IF(!p->arena, MS_ERR_NOMEM);
    p->arena_cap = cap;
    p->arena_used = 0;
    p->bytes += cap;
    return MS_OK;
}

void *ms_decoded_arena_take(ms_decoded *d, size_t n, size_t align)
{
    ms_decoded_priv *p = d->internal_;
    size_t off = (p->arena_used + (align - 1)) & ~(align - 1);
    if (off > p->arena_cap || n > p->arena_cap - off)
        return NULL;
    p->arena_used = off + n;
    return (uint8_t *)p->arena + off;
}
