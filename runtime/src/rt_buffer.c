/* rt_buffer.c - buffer pool and the queue to the writer (see rt_buffer.h). */
#include "rt_buffer.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* writer waits */
    pthread_cond_t cv_free; /* producers wait for a buffer */
    pthread_cond_t cv_done; /* requesters wait */
    rt_buf *head, *tail;
    rt_buf *free_list;
    size_t nbufs;
    long threads;
    uint64_t waits;
    unsigned req;           /* pending request bits (atomic: set from signals) */
    unsigned req_gen;       /* bumped by each request */
    unsigned done_gen;      /* last generation handled by the writer */
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0};

void *rt_mmap(size_t len) {
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void rt_munmap(void *p, size_t len) {
    if (p)
        munmap(p, len);
}

/* Budget: every live thread's current buffer plus the buffers in flight
 * (queued or being written): 32 of up to 256 KiB, fewer of larger ones so
 * that they hold about 8 MiB, never fewer than 8. @cap: slots per buffer
 * (the count is rounded: a mapped buffer's cap includes its page rounding,
 * and rt_buf_get and rt_buf_recycle must agree). */
#define INFLIGHT_BYTES ((size_t)8 << 20)
static size_t budget(uint32_t cap) {
    size_t bytes = (size_t)(cap ? cap : 1) * sizeof(ms_event);
    size_t inflight = (INFLIGHT_BYTES + bytes / 2) / bytes;
    inflight = inflight > 32 ? 32 : inflight < 8 ? 8 : inflight;
    return (size_t)(q.threads > 0 ? q.threads : 1) + inflight;
}

static rt_buf *map_buf(uint32_t cap) {
    size_t len = (sizeof(rt_buf) + 63) / 64 * 64 + (size_t)cap * sizeof(ms_event);
    len = (len + 4095) & ~(size_t)4095;
    char *m = rt_mmap(len);
    if (!m)
        return NULL;
    rt_buf *b = (rt_buf *)m;
    b->ev = (ms_event *)(m + (sizeof(rt_buf) + 63) / 64 * 64);
    b->cap = (uint32_t)((len - (size_t)((char *)b->ev - m)) / sizeof(ms_event));
    b->map_len = len;
    return b;
}

void rt_buf_unmap(rt_buf *b) {
    if (b)
        rt_munmap(b, b->map_len);
}

rt_buf *rt_buf_get(uint32_t cap) {
    rt_buf *b = NULL;
    pthread_mutex_lock(&q.mu);
    for (;;) {
        rt_buf **pp = &q.free_list;
        while (*pp && (*pp)->cap < cap)
            pp = &(*pp)->next;
        if (*pp) {
            b = *pp;
            *pp = b->next;
            break;
        }
        if (q.nbufs < budget(cap) || !__atomic_load_n(&rt_proc.writer_up, __ATOMIC_ACQUIRE)) {
            q.nbufs++;
            pthread_mutex_unlock(&q.mu);
            b = map_buf(cap);
            pthread_mutex_lock(&q.mu);
            if (!b)
                q.nbufs--;
            break;
        }
        /* lossless: wait for the writer to recycle one */
        q.waits++;
        pthread_cond_signal(&q.cv_work);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&q.cv_free, &q.mu, &ts);
    }
    pthread_mutex_unlock(&q.mu);
    if (b) {
        b->next = NULL;
        b->used = b->flushed = 0;
        b->tid = 0;
        b->owner = NULL;
        b->final = 0;
        b->tids = NULL;
    }
    return b;
}

void rt_buf_submit(rt_buf *b) {
    pthread_mutex_lock(&q.mu);
    b->next = NULL;
    if (q.tail)
        q.tail->next = b;
    else
        q.head = b;
    q.tail = b;
    pthread_cond_signal(&q.cv_work);
    pthread_mutex_unlock(&q.mu);
}

void rt_buf_recycle(rt_buf *b) {
    uint32_t n = b->used > b->flushed ? b->used : b->flushed;
    if (n > b->cap)
        n = b->cap;
    memset(b->ev, 0, (size_t)n * sizeof(ms_event));
    pthread_mutex_lock(&q.mu);
    if (q.nbufs > budget(b->cap) + 8) {
        /* shrink after a burst of threads */
        q.nbufs--;
        pthread_mutex_unlock(&q.mu);
        rt_buf_unmap(b);
        return;
    }
    b->next = q.free_list;
    q.free_list = b;
    pthread_cond_broadcast(&q.cv_free);
    pthread_mutex_unlock(&q.mu);
}

rt_buf *rt_queue_take(unsigned timeout_ms, unsigned *req, unsigned *gen) {
    pthread_mutex_lock(&q.mu);
    if (!q.head && !__atomic_load_n(&q.req, __ATOMIC_ACQUIRE) && timeout_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t ns = (uint64_t)ts.tv_nsec + (uint64_t)timeout_ms * 1000000ull;
        ts.tv_sec += (time_t)(ns / 1000000000ull);
        ts.tv_nsec = (long)(ns % 1000000000ull);
        pthread_cond_timedwait(&q.cv_work, &q.mu, &ts);
    }
    rt_buf *b = q.head;
    q.head = q.tail = NULL;
    *gen = __atomic_load_n(&q.req_gen, __ATOMIC_ACQUIRE);
    *req = __atomic_exchange_n(&q.req, 0, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&q.mu);
    return b;
}

void rt_queue_done(unsigned gen) {
    pthread_mutex_lock(&q.mu);
    __atomic_store_n(&q.done_gen, gen, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&q.cv_done);
    pthread_mutex_unlock(&q.mu);
}

int rt_queue_request(unsigned req, int wait, unsigned timeout_ms, int signal_ctx) {
    __atomic_fetch_or(&q.req, req, __ATOMIC_ACQ_REL);
    unsigned gen = __atomic_add_fetch(&q.req_gen, 1, __ATOMIC_ACQ_REL);
    if (!signal_ctx) {
        pthread_mutex_lock(&q.mu);
        pthread_cond_signal(&q.cv_work);
        pthread_mutex_unlock(&q.mu);
    }
    if (!wait)
        return 0;
    uint64_t waited = 0;
    while ((int)(__atomic_load_n(&q.done_gen, __ATOMIC_ACQUIRE) - gen) < 0) {
        if (!__atomic_load_n(&rt_proc.writer_up, __ATOMIC_ACQUIRE))
            return -1;
        if (waited >= (uint64_t)timeout_ms * 1000000ull)
            return -1;
        if (signal_ctx) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            waited += 1000000;
        } else {
            pthread_mutex_lock(&q.mu);
            if ((int)(q.done_gen - gen) < 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 10000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&q.cv_done, &q.mu, &ts);
            }
            pthread_mutex_unlock(&q.mu);
            waited += 10000000;
        }
    }
    return 0;
}

void rt_queue_threads(int delta) {
    pthread_mutex_lock(&q.mu);
    q.threads += delta;
    if (delta < 0)
        pthread_cond_broadcast(&q.cv_free);
    pthread_mutex_unlock(&q.mu);
}

size_t rt_queue_buffers(void) { return q.nbufs; }
uint64_t rt_queue_waits(void) { return q.waits; }

void rt_queue_fork_prepare(void) { pthread_mutex_lock(&q.mu); }
void rt_queue_fork_parent(void) { pthread_mutex_unlock(&q.mu); }

void rt_queue_fork_child(void) {
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv_work, NULL);
    pthread_cond_init(&q.cv_free, NULL);
    pthread_cond_init(&q.cv_done, NULL);
    /* the parent's queued events are the parent's: drop them */
    for (rt_buf *b = q.head, *n; b; b = n) {
        n = b->next;
        b->used = b->cap;
        memset(b->ev, 0, (size_t)b->cap * sizeof(ms_event));
        b->next = q.free_list;
        q.free_list = b;
    }
    q.head = q.tail = NULL;
    q.threads = 1;
    q.req = 0;
    q.req_gen = q.done_gen = 0;
}
