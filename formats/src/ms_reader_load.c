/*
 * ms_reader_load.c - loading chunks from an open reader: verification and
 * decoding, the LRU cache of decoded chunks, and ms_reader_load_type()'s
 * parallel decode with in-order delivery.
 *
 * Thread safety: the mapping and the chunk list are read-only after open;
 * the cache is guarded by r->lock, held only for lookups and inserts, never
 * while decoding. Two threads missing on the same chunk both decode it; the
 * first insert wins and the other copy is dropped.
 */
#include <stdlib.h>
#include <unistd.h>

#include "ms_reader_internal.h"

static ms_error decode_chunk(ms_reader *r, size_t i, ms_decoded **out)
{
    ms_chunk_hdr h;
    FORWARD_IF_ERROR(ms_reader_chunk_hdr(r, i, &h));
    return ms_chunk_decode(&h, r->base + r->chunks[i].offset + MS_CHUNK_HEADER_SIZE, out);
}

void ms_reader_cache_clear(ms_reader *r)
{
    for (int k = 0; k < MS_CACHE_SLOTS; k++) {
        ms_decoded_free(r->cache[k].d);
        r->cache[k].d = NULL;
    }
    r->cache_bytes = 0;
}

/* Under r->lock: the cached chunk @i with a new reference, or NULL. */
static ms_decoded *cache_get(ms_reader *r, size_t i)
{
    for (int k = 0; k < MS_CACHE_SLOTS; k++) {
        if (r->cache[k].d && r->cache[k].index == i) {
            r->cache[k].stamp = ++r->clock;
            return ms_decoded_ref(r->cache[k].d);
        }
    }
    return NULL;
}

/* Under r->lock: insert @d (the cache takes its own reference) unless the
 * chunk is already cached (then that copy is returned instead). */
static ms_decoded *cache_put(ms_reader *r, size_t i, ms_decoded *d)
{
    ms_decoded *have = cache_get(r, i);
    if (have) {
        ms_decoded_free(d);
        return have;
    }
    size_t bytes = ms_decoded_bytes(d);
    if (bytes > MS_CACHE_MAX_BYTES / 4)
        return d; /* too big to be worth keeping */
    for (;;) {
        int free_slot = -1, lru = -1;
        for (int k = 0; k < MS_CACHE_SLOTS; k++) {
            if (!r->cache[k].d) {
                if (free_slot < 0)
                    free_slot = k;
            } else if (lru < 0 || r->cache[k].stamp < r->cache[lru].stamp) {
                lru = k;
            }
        }
        if (free_slot >= 0 && r->cache_bytes + bytes <= MS_CACHE_MAX_BYTES) {
            r->cache[free_slot].d = ms_decoded_ref(d);
            r->cache[free_slot].index = i;
            r->cache[free_slot].stamp = ++r->clock;
            r->cache_bytes += bytes;
            return d;
        }
        /* evict the least recently used; readers holding it keep their ref */
        r->cache_bytes -= ms_decoded_bytes(r->cache[lru].d);
        ms_decoded_free(r->cache[lru].d);
        r->cache[lru].d = NULL;
    }
}

ms_error ms_reader_load(ms_reader *r, size_t i, ms_decoded **out)
{
    RETURN_ERROR_IF(!r || !out, MS_ERR_INVALID_ARG);
    *out = NULL;
    RETURN_ERROR_IF(i >= r->nchunks, MS_ERR_NOT_FOUND);
    pthread_mutex_lock(&r->lock);
    ms_decoded *d = cache_get(r, i);
    pthread_mutex_unlock(&r->lock);
    if (!d) {
        FORWARD_IF_ERROR(decode_chunk(r, i, &d));
        pthread_mutex_lock(&r->lock);
        d = cache_put(r, i, d);
        pthread_mutex_unlock(&r->lock);
    }
    *out = d;
    return MS_OK;
}

ms_error ms_reader_raw(ms_reader *r, size_t i, void **raw, size_t *len)
{
    RETURN_ERROR_IF(!r || !raw || !len, MS_ERR_INVALID_ARG);
    *raw = NULL;
    *len = 0;
    RETURN_ERROR_IF(i >= r->nchunks, MS_ERR_NOT_FOUND);
    ms_chunk_hdr h;
    FORWARD_IF_ERROR(ms_reader_chunk_hdr(r, i, &h));
    FORWARD_IF_ERROR(ms_chunk_raw(&h, r->base + r->chunks[i].offset + MS_CHUNK_HEADER_SIZE, raw));
    *len = (size_t)h.raw_size;
    return MS_OK;
}

/* ---- parallel load of one chunk type ---------------------------------- */

typedef struct {
    ms_decoded *d;
    ms_error err;
    int done;
} lt_slot;

typedef struct {
    ms_reader *r;
    const size_t *idx;       /* chunk indices of the type, file order */
    lt_slot *slot;
    size_t count;
    size_t next;             /* next job to take */
    size_t delivered;        /* jobs handed to the callback */
    size_t window;           /* how far workers may run ahead */
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} lt_job;

static void *lt_worker(void *arg)
{
    lt_job *j = arg;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->stop && j->next < j->count && j->next >= j->delivered + j->window)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->stop || j->next >= j->count)
            break;
        size_t k = j->next++;
        pthread_mutex_unlock(&j->mu);
        ms_decoded *d = NULL;
        ms_error e = decode_chunk(j->r, j->idx[k], &d);
        pthread_mutex_lock(&j->mu);
        j->slot[k].d = d;
        j->slot[k].err = e;
        j->slot[k].done = 1;
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

static ms_error load_type_serial(ms_reader *r, const size_t *idx, size_t count,
                                 ms_chunk_cb cb, void *user)
{
    for (size_t k = 0; k < count; k++) {
        ms_decoded *d;
        FORWARD_IF_ERROR(decode_chunk(r, idx[k], &d));
        if (cb(user, idx[k], &r->chunks[idx[k]], d))
            break;
    }
    return MS_OK;
}

ms_error ms_reader_load_type(ms_reader *r, uint32_t type, unsigned threads, ms_chunk_cb cb,
                             void *user)
{
    RETURN_ERROR_IF(!r || !cb, MS_ERR_INVALID_ARG);
    RETURN_ERROR_IF(type == 0 || type >= MS_CHUNK_TYPE_MAX_ || type == MS_CHUNK_INDEX,
                    MS_ERR_INVALID_ARG);
    size_t count = 0;
    for (size_t i = 0; i < r->nchunks; i++)
        count += r->chunks[i].type == type;
    if (count == 0)
        return MS_OK;
    size_t *idx = malloc(count * sizeof *idx);
    RETURN_ERROR_IF(!idx, MS_ERR_NOMEM);
    for (size_t i = 0, k = 0; i < r->nchunks; i++)
        if (r->chunks[i].type == type)
            idx[k++] = i;
    if (threads == 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (unsigned)ncpu : 1;
    }
    if (threads > 64)
        threads = 64;
    if (threads > count)
        threads = (unsigned)count;
    if (threads <= 1) {
        ms_error e = load_type_serial(r, idx, count, cb, user);
        free(idx);
        return e;
    }

    lt_job j = {.r = r, .idx = idx, .count = count, .window = 2 * (size_t)threads};
    j.slot = calloc(count, sizeof *j.slot);
    pthread_t tid[64];
    unsigned started = 0;
    ms_error err = j.slot ? MS_OK : MS_ERR_NOMEM;
    if (err == MS_OK) {
        pthread_mutex_init(&j.mu, NULL);
        pthread_cond_init(&j.cv, NULL);
        for (; started < threads; started++)
            if (pthread_create(&tid[started], NULL, lt_worker, &j) != 0)
                break;
        if (started == 0)
            err = MS_ERR_GENERIC;
    }
    for (size_t k = 0; err == MS_OK && k < count; k++) {
        pthread_mutex_lock(&j.mu);
        while (!j.slot[k].done)
            pthread_cond_wait(&j.cv, &j.mu);
        ms_decoded *d = j.slot[k].d;
        ms_error e = j.slot[k].err;
        j.slot[k].d = NULL;
        j.delivered = k + 1;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
        if (e != MS_OK) {
            err = e;
            break;
        }
        if (cb(user, idx[k], &r->chunks[idx[k]], d))
            break;
    }
    if (j.slot) {
        pthread_mutex_lock(&j.mu);
        j.stop = 1;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        for (size_t k = 0; k < count; k++)
            ms_decoded_free(j.slot[k].d);
        pthread_mutex_destroy(&j.mu);
        pthread_cond_destroy(&j.cv);
        free(j.slot);
    }
    free(idx);
    return err;
}
