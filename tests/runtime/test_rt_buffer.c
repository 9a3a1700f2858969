/* test_rt_buffer - the buffer pool and the queue to the writer: FIFO order,
 * recycling zeroes slots, the budget makes producers wait (lossless), and
 * requests are acknowledged by generation. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rt_buffer.h"

rt_process rt_proc; /* the only runtime global rt_buffer.c uses */

static void test_fifo_and_recycle(void **state) {
    (void)state;
    rt_buf *a = rt_buf_get(100), *b = rt_buf_get(100);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a->cap >= 100);
    assert_ptr_not_equal(a, b);
    a->ev[0].kind = MS_EV_ALLOC;
    a->used = 1;
    b->used = 0;
    rt_buf_submit(a);
    rt_buf_submit(b);
    unsigned req = 7, gen = 0;
    rt_buf *got = rt_queue_take(0, &req, &gen);
    assert_ptr_equal(got, a);
    assert_ptr_equal(got->next, b);
    assert_null(b->next);
    assert_int_equal(req, 0);
    rt_buf_recycle(b);
    rt_buf_recycle(a);
    assert_int_equal(a->ev[0].kind, 0); /* zeroed for the completeness protocol */
    rt_buf *c = rt_buf_get(100);
    assert_true(c == a || c == b); /* reused, not mapped again */
    assert_int_equal(c->used, 0);
    assert_int_equal(c->flushed, 0);
    rt_buf_recycle(c);
}

static rt_buf *held[64];
static int got_extra;

static void *producer(void *arg) {
    (void)arg;
    rt_buf *b = rt_buf_get(64); /* over budget: waits */
    __atomic_store_n(&got_extra, 1, __ATOMIC_RELEASE);
    rt_buf_recycle(b);
    return NULL;
}

static void test_budget_waits(void **state) {
    (void)state;
    rt_proc.writer_up = 1;
    rt_queue_threads(+1); /* budget: 1 + 32 */
    size_t n = 0;
    while (rt_queue_buffers() < 33)
        held[n++] = rt_buf_get(64);
    pthread_t th;
    pthread_create(&th, NULL, producer, NULL);
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    assert_int_equal(__atomic_load_n(&got_extra, __ATOMIC_ACQUIRE), 0);
    assert_true(rt_queue_waits() > 0);
    rt_buf_recycle(held[--n]); /* the writer frees one: the producer proceeds */
    pthread_join(th, NULL);
    assert_int_equal(got_extra, 1);
    while (n)
        rt_buf_recycle(held[--n]);
    rt_queue_threads(-1);
    rt_proc.writer_up = 0;
}

static void *fake_writer(void *arg) {
    (void)arg;
    for (int i = 0; i < 100; i++) {
        unsigned req = 0, gen = 0;
        rt_queue_take(10, &req, &gen);
        if (req) {
            rt_queue_done(gen);
            return (void *)(uintptr_t)req;
        }
    }
    return NULL;
}

static void test_request_ack(void **state) {
    (void)state;
    rt_proc.writer_up = 1;
    pthread_t th;
    pthread_create(&th, NULL, fake_writer, NULL);
    assert_int_equal(rt_queue_request(RT_REQ_FLUSH, 1, 5000, 0), 0);
    void *ret = NULL;
    pthread_join(th, &ret);
    assert_int_equal((uintptr_t)ret, RT_REQ_FLUSH);
    /* nobody answers: a bounded wait */
    assert_int_equal(rt_queue_request(RT_REQ_FLUSH, 1, 50, 1), -1);
    rt_proc.writer_up = 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_recycle),
        cmocka_unit_test(test_budget_waits),
        cmocka_unit_test(test_request_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
