/*
 * test_support_unwind.c - frame-pointer unwinding, stack bounds and the
 * /proc/self/maps reader (runtime/src/rt_unwind.c).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt_unwind.h"

#define NOINLINE __attribute__((noinline))
/* Keeps a call from becoming a tail call (which would drop its frame). */
#define NO_TAIL() __asm__ volatile("" ::: "memory")

extern void *__libc_stack_end;

static uint64_t g_frames[256];
static size_t g_n;
static uintptr_t g_lo, g_hi;
static size_t g_skip, g_max = 256;
/* Return addresses seen by each link of the chain: g_ra[k] is the address
 * chain_k returns to. g_fp[k] is chain_k's frame address. */
static uintptr_t g_ra[4];
static uintptr_t g_fp[4];

NOINLINE void chain3(void)
{
    g_ra[3] = (uintptr_t)__builtin_return_address(0);
    g_fp[3] = (uintptr_t)__builtin_frame_address(0);
    g_n = rt_unwind_fp(g_frames, g_max, g_skip, g_lo, g_hi);
    NO_TAIL();
}

NOINLINE void chain2(void)
{
    g_ra[2] = (uintptr_t)__builtin_return_address(0);
    g_fp[2] = (uintptr_t)__builtin_frame_address(0);
    chain3();
    NO_TAIL();
}

NOINLINE void chain1(void)
{
    g_ra[1] = (uintptr_t)__builtin_return_address(0);
    g_fp[1] = (uintptr_t)__builtin_frame_address(0);
    chain2();
    NO_TAIL();
}

static void run_chain(size_t skip, size_t max)
{
    g_skip = skip;
    g_max = max;
    memset(g_frames, 0, sizeof g_frames);
    chain1();
    NO_TAIL();
}

/* The first address is a pc inside chain3, then the chain's return
 * addresses in order. */
static void check_chain_order(void)
{
    assert_true(g_n >= 4);
    assert_true(g_frames[0] > (uintptr_t)chain3);
    assert_true(g_frames[0] < (uintptr_t)chain3 + 256);
    assert_int_equal(g_frames[1], g_ra[3]);
    assert_int_equal(g_frames[2], g_ra[2]);
    assert_int_equal(g_frames[3], g_ra[1]);
    /* and the return addresses really are inside the callers */
    assert_true(g_ra[3] > (uintptr_t)chain2 && g_ra[3] < (uintptr_t)chain2 + 256);
    assert_true(g_ra[2] > (uintptr_t)chain1 && g_ra[2] < (uintptr_t)chain1 + 256);
}

static void test_chain_main_thread(void **state)
{
    (void)state;
    rt_stack_bounds(&g_lo, &g_hi);
    run_chain(0, 256);
    check_chain_order();
    /* The walk ends by itself (glibc's _start has a zero frame pointer). */
    assert_true(g_n < 256);
    /* Every address of the main thread's walk is a code address, not 0. */
    for (size_t i = 0; i < g_n; i++)
        assert_true(g_frames[i] != 0);
}

static void test_skip_and_max(void **state)
{
    (void)state;
    rt_stack_bounds(&g_lo, &g_hi);
    run_chain(1, 256);
    assert_int_equal(g_frames[0], g_ra[3]);
    assert_int_equal(g_frames[1], g_ra[2]);
    assert_int_equal(g_frames[2], g_ra[1]);
    run_chain(2, 2);
    assert_int_equal(g_n, 2);
    assert_int_equal(g_frames[0], g_ra[2]);
    assert_int_equal(g_frames[1], g_ra[1]);
    assert_int_equal(g_frames[2], 0); /* nothing written past max */
    run_chain(0, 0);
    assert_int_equal(g_n, 0);
}

/* An upper bound at chain2's frame: the walk records the pc in chain3 and
 * chain3's return address (both stored below chain2's frame) and stops. */
static void test_stops_at_upper_bound(void **state)
{
    (void)state;
    uintptr_t lo, hi;
    rt_stack_bounds(&lo, &hi);
    g_lo = lo;
    g_hi = hi;
    run_chain(0, 256); /* learn chain2's frame address */
    g_hi = g_fp[2];
    run_chain(0, 256);
    assert_int_equal(g_n, 2);
    assert_int_equal(g_frames[1], g_ra[3]);
    /* A lower bound above the walker's own frame: nothing at all. */
    g_lo = g_fp[3];
    g_hi = hi;
    run_chain(0, 256);
    assert_int_equal(g_n, 0);
    /* Empty or inverted bounds. */
    g_lo = hi;
    g_hi = lo;
    run_chain(0, 256);
    assert_int_equal(g_n, 0);
}

/* corrupt_link() replaces its saved caller frame pointer with @bad for the
 * duration of the walk: the walk must give exactly the pc inside
 * corrupt_link and corrupt_link's return address, then stop. */
static uintptr_t g_corrupt_ra;

NOINLINE void corrupt_link(int mode)
{
    volatile uintptr_t *fp = (volatile uintptr_t *)__builtin_frame_address(0);
    uintptr_t saved = fp[0];
    uintptr_t bad = 0;
    switch (mode) {
    case 0: bad = 0; break;                              /* null */
    case 1: bad = (uintptr_t)fp + 0x23; break;           /* misaligned, in range */
    case 2: bad = (uintptr_t)fp - 64; break;             /* going down */
    case 3: bad = g_hi + 4096; break;                    /* beyond the stack */
    case 4: bad = (uintptr_t)fp; break;                  /* self loop */
    default: bad = 0x10; break;                          /* wild low address */
    }
    g_corrupt_ra = (uintptr_t)__builtin_return_address(0);
    fp[0] = bad;
    g_n = rt_unwind_fp(g_frames, 256, 0, g_lo, g_hi);
    fp[0] = saved;
    NO_TAIL();
}

static void test_corrupt_frame_pointer(void **state)
{
    (void)state;
    rt_stack_bounds(&g_lo, &g_hi);
    for (int mode = 0; mode < 6; mode++) {
        memset(g_frames, 0, sizeof g_frames);
        corrupt_link(mode);
        NO_TAIL();
        assert_int_equal(g_n, 2);
        assert_true(g_frames[0] > (uintptr_t)corrupt_link &&
                    g_frames[0] < (uintptr_t)corrupt_link + 256);
        assert_int_equal(g_frames[1], g_corrupt_ra);
    }
}

/* Recursion deeper than max: exactly max frames, all the same return
 * address after the first. */
static uintptr_t g_rec_ra;

NOINLINE int recurse(int depth)
{
    if (depth == 0) {
        g_n = rt_unwind_fp(g_frames, 50, 0, g_lo, g_hi);
        NO_TAIL();
        return 0;
    }
    int r = recurse(depth - 1);
    g_rec_ra = (uintptr_t)__builtin_return_address(0);
    NO_TAIL();
    return r + 1;
}

static void test_deep_recursion(void **state)
{
    (void)state;
    rt_stack_bounds(&g_lo, &g_hi);
    assert_int_equal(recurse(100), 100);
    assert_int_equal(g_n, 50);
    /* frames 1..49 all return into recurse itself */
    for (size_t i = 2; i < 50; i++)
        assert_int_equal(g_frames[i], g_frames[1]);
    assert_true(g_frames[1] > (uintptr_t)recurse && g_frames[1] < (uintptr_t)recurse + 256);
}

static void test_main_bounds(void **state)
{
    (void)state;
    uintptr_t lo, hi;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    rt_stack_bounds(&lo, &hi);
    assert_true(lo < hi);
    assert_true(here >= lo && here < hi);
    assert_true(hi >= (uintptr_t)__libc_stack_end);
    assert_true(hi - lo >= 128 * 1024);
}

/* Threads: bounds around the thread's own stack, close to its size, and a
 * walk that ends cleanly at the thread's first frame. */
struct thread_result {
    uintptr_t lo, hi, local;
    size_t n;
    int order_ok;
};

static void *thread_main(void *arg)
{
    struct thread_result *r = arg;
    rt_stack_bounds(&r->lo, &r->hi);
    r->local = (uintptr_t)__builtin_frame_address(0);
    g_lo = r->lo;
    g_hi = r->hi;
    run_chain(0, 256);
    r->n = g_n;
    r->order_ok = g_n >= 4 && g_frames[1] == g_ra[3] && g_frames[2] == g_ra[2] &&
                  g_frames[3] == g_ra[1];
    for (size_t i = 0; i < g_n; i++)
        if (g_frames[i] == 0)
            r->order_ok = 0;
    return NULL;
}

static void test_thread_bounds_and_walk(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 256 * 1024};
    for (size_t k = 0; k < 2; k++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (sizes[k] != 0)
            pthread_attr_setstacksize(&attr, sizes[k]);
        size_t stacksize = 0;
        pthread_attr_getstacksize(&attr, &stacksize);
        struct thread_result r = {0};
        pthread_t t;
        assert_int_equal(pthread_create(&t, &attr, thread_main, &r), 0);
        pthread_join(t, NULL);
        pthread_attr_destroy(&attr);
        assert_true(r.local >= r.lo && r.local < r.hi);
        assert_true(r.hi - r.lo >= stacksize / 2);
        assert_true(r.hi - r.lo <= stacksize + 256 * 1024);
        assert_true(r.order_ok);
        assert_true(r.n >= 4 && r.n < 64);
    }
}

/* From a signal handler: the walk goes through the kernel's signal frame
 * (the handler's saved frame pointer is the interrupted function's) into
 * the interrupted code's callers. The signal is sent by another thread
 * while this one spins inside sig_target, so it lands in our own code. */
static volatile int g_sig_ready, g_sig_done;
static uintptr_t g_sig_target_ra;
static uint64_t g_sig_frames[64];
static volatile size_t g_sig_n;

static void on_usr1(int sig)
{
    (void)sig;
    g_sig_n = rt_unwind_fp(g_sig_frames, 64, 0, g_lo, g_hi);
    g_sig_done = 1;
}

NOINLINE void sig_target(void)
{
    g_sig_target_ra = (uintptr_t)__builtin_return_address(0);
    g_sig_ready = 1;
    while (!g_sig_done)
        __asm__ volatile("" ::: "memory");
    NO_TAIL();
}

static void *sig_sender(void *arg)
{
    while (!g_sig_ready)
        __asm__ volatile("" ::: "memory");
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

static void test_from_signal_handler(void **state)
{
    (void)state;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    rt_stack_bounds(&g_lo, &g_hi);
    pthread_t self = pthread_self(), sender;
    assert_int_equal(pthread_create(&sender, NULL, sig_sender, &self), 0);
    sig_target();
    NO_TAIL();
    pthread_join(sender, NULL);
    sigaction(SIGUSR1, &old, NULL);
    assert_true(g_sig_n >= 3);
    assert_true(g_sig_frames[0] > (uintptr_t)on_usr1 && g_sig_frames[0] < (uintptr_t)on_usr1 + 256);
    int found = 0;
    for (size_t i = 1; i < g_sig_n; i++)
        if (g_sig_frames[i] == g_sig_target_ra)
            found = 1;
    assert_true(found);
}

/* /proc/self/maps: the mapping holding a global is the executable's (its
 * path is /proc/self/exe), the one holding a local is readable+writable. */
static int g_global_in_data = 1;

struct maps_find {
    uintptr_t want_data, want_stack;
    char data_path[256];
    uint32_t data_prot, stack_prot;
    uintptr_t last_lo;
    int sorted;
};

static int maps_cb(void *user, const rt_map *m)
{
    struct maps_find *f = user;
    if (m->lo < f->last_lo || m->hi <= m->lo)
        f->sorted = 0;
    f->last_lo = m->lo;
    if (f->want_data >= m->lo && f->want_data < m->hi) {
        strncpy(f->data_path, m->path, sizeof f->data_path - 1);
        f->data_prot = m->prot;
    }
    if (f->want_stack >= m->lo && f->want_stack < m->hi)
        f->stack_prot = m->prot;
    return 0;
}

static void test_maps_reader(void **state)
{
    (void)state;
    struct maps_find f = {0};
    f.want_data = (uintptr_t)&g_global_in_data;
    f.want_stack = (uintptr_t)__builtin_frame_address(0);
    f.sorted = 1;
    long n = rt_maps_foreach(maps_cb, &f);
    assert_true(n > 5);
    assert_true(f.sorted);
    char exe[256] = {0};
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(len > 0);
    assert_string_equal(f.data_path, exe);
    assert_true(f.data_prot & RT_MAP_R);
    assert_true(f.data_prot & RT_MAP_W);
    assert_int_equal(f.stack_prot & (RT_MAP_R | RT_MAP_W), RT_MAP_R | RT_MAP_W);
    /* Count-only call agrees (give or take a mapping created meanwhile). */
    long again = rt_maps_foreach(NULL, NULL);
    assert_true(again >= n - 2 && again <= n + 2);
}

static int stop_after_two(void *user, const rt_map *m)
{
    (void)m;
    return ++*(int *)user == 2;
}

static void test_maps_stop(void **state)
{
    (void)state;
    int calls = 0;
    long n = rt_maps_foreach(stop_after_two, &calls);
    assert_int_equal(calls, 2);
    assert_int_equal(n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_main_thread),
        cmocka_unit_test(test_skip_and_max),
        cmocka_unit_test(test_stops_at_upper_bound),
        cmocka_unit_test(test_corrupt_frame_pointer),
        cmocka_unit_test(test_deep_recursion),
        cmocka_unit_test(test_main_bounds),
        cmocka_unit_test(test_thread_bounds_and_walk),
        cmocka_unit_test(test_from_signal_handler),
        cmocka_unit_test(test_maps_reader),
        cmocka_unit_test(test_maps_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
