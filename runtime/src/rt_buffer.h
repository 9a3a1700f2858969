/*
 * rt_buffer.h - event buffers: a pool of mmap'ed buffers, the queue of full
 * buffers to the writer thread, and the requests producers and the exit path
 * send to the writer. Lossless: when the pool is exhausted a producer waits
 * for the writer to recycle a buffer.
 */
#ifndef RT_BUFFER_H
#define RT_BUFFER_H

#include "rt_core.h"

/* Requests to the writer (bits). */
enum {
    RT_REQ_FLUSH = 1u << 0,   /* write every published event, flush the file */
    RT_REQ_FINISH = 1u << 1,  /* final flush, leak scan, summary, close, exit */
};

/*! rt_buf_get() : an empty buffer of @cap_events slots for thread @tid.
 *  Takes one from the pool, maps a new one while under the budget, else
 *  waits for the writer (when the writer runs). @return NULL only when
 *  mmap fails. Not from a signal handler. */
RT_HIDDEN rt_buf *rt_buf_get(uint32_t cap_events);
/*! rt_buf_submit() : hand a buffer (b->used slots) to the writer. */
RT_HIDDEN void rt_buf_submit(rt_buf *b);
/*! rt_buf_recycle() : writer: zero the used part, return to the pool. */
RT_HIDDEN void rt_buf_recycle(rt_buf *b);
/*! rt_buf_free() : unmap a buffer (fork child cleanup). */
RT_HIDDEN void rt_buf_unmap(rt_buf *b);

/*! rt_queue_take() : writer: wait until work arrives, a request is pending or
 *  @timeout_ms passes; @return the queued buffers in FIFO order (NULL if
 *  none) and the pending requests in *@req (cleared). */
RT_HIDDEN rt_buf *rt_queue_take(unsigned timeout_ms, unsigned *req, unsigned *gen);
/*! rt_queue_done() : writer: the requests seen with generation @gen are done. */
RT_HIDDEN void rt_queue_done(unsigned gen);
/*! rt_queue_request() : post @req; when @wait, block until the writer has
 *  handled it or @timeout_ms passed (signal-safe when @signal_ctx: polls with
 *  nanosleep instead of condition variables). @return 0 done, -1 timeout. */
RT_HIDDEN int rt_queue_request(unsigned req, int wait, unsigned timeout_ms, int signal_ctx);

/*! rt_queue_threads() : budget bookkeeping, live threads +1/-1. */
RT_HIDDEN void rt_queue_threads(int delta);

/* Fork support: lock everything in prepare, unlock in parent, reset in child
 * (queued buffers of the parent are discarded, budget reset). */
RT_HIDDEN void rt_queue_fork_prepare(void);
RT_HIDDEN void rt_queue_fork_parent(void);
RT_HIDDEN void rt_queue_fork_child(void);

/* Statistics for the summary chunk. */
RT_HIDDEN size_t rt_queue_buffers(void);
RT_HIDDEN uint64_t rt_queue_waits(void);

#endif
