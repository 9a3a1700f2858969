/*
 * ms_reader_internal.h - the reader object, shared by ms_reader.c (open,
 * index, recovery scan) and ms_reader_load.c (load, cache, parallel load).
 */
#ifndef MS_READER_INTERNAL_H
#define MS_READER_INTERNAL_H

#include <pthread.h>

#include "ms_internal.h"

#define MS_CACHE_SLOTS 16
#define MS_CACHE_MAX_BYTES ((size_t)256 << 20)

typedef struct {
    size_t index;
    ms_decoded *d;          /* NULL = empty slot */
    uint64_t stamp;         /* last use, for LRU */
} ms_cache_slot;

struct ms_reader {
    const uint8_t *base;
    size_t size;
    int mapped;
    ms_header_info hdr;
    char *exe;
    ms_recovery rec;
    char msg[256];
    ms_chunk_info *chunks;  /* data chunks in file order (the index excluded) */
    size_t nchunks;
    pthread_mutex_t lock;   /* guards the cache */
    ms_cache_slot cache[MS_CACHE_SLOTS];
    uint64_t clock;
    size_t cache_bytes;
};

/*! ms_reader_chunk_hdr() : read and verify chunk @i's header in the file and
 *  check it agrees with the chunk list (index or scan). */
ms_error ms_reader_chunk_hdr(const struct ms_reader *r, size_t i, ms_chunk_hdr *h);
void ms_reader_cache_clear(struct ms_reader *r);

#endif
