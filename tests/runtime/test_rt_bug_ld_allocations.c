/*
 * test_rt_bug_ld_allocations - regression test of e2e bug 3: the DTVs glibc's
 * dynamic loader allocates for every thread (allocate_dtv -> calloc) stayed
 * live after pthread_join, referenced only from glibc's cached thread
 * descriptors, and the leak scan called them "definitely lost" (memcheck:
 * "possibly lost", LeakSanitizer: reachable, use_ld_allocations). The
 * loader's blocks are now roots. Also known limit 5: a block held only in
 * the __thread variable of another thread still running at exit is
 * reachable.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "memscope_abi.h"
#include "rt_prog_sites.h"
#include "rt_trace_util.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    return rt_test_mkdtemp(dir, sizeof dir, "rt_ld_");
}

static int teardown(void **state) {
    (void)state;
    return rt_test_rmtree(dir);
}

static void run_load_prog(const char *prog, const char *scenario, const char *arg,
                          rt_trace *t) {
    char opts[128], path[512];
    snprintf(opts, sizeof opts, "output=%s.ms", scenario);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        setenv("MEMSCOPE_OPTIONS", opts, 1);
        if (!freopen("/dev/null", "w", stdout))
            _exit(125);
        execl(prog, prog, scenario, arg, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(path, sizeof path, "%s/%s.ms", dir, scenario);
    assert_int_equal(rt_trace_load(path, t), 0);
    assert_true(t->complete);
    assert_int_equal(rt_trace_summary(t, "leak_scan", 0), 1);
}

static void run_load(const char *scenario, const char *arg, rt_trace *t) {
    run_load_prog(RT_PROG, scenario, arg, t);
}

static void test_joined_threads_dtvs_not_lost(void **state) {
    (void)state;
    rt_trace t;
    run_load("dtv", NULL, &t);
    /* the 4 DTVs are live blocks at exit (glibc keeps them with the cached
     * stacks; 4 threads alive at once), so the scan did classify them */
    assert_true(rt_trace_summary(&t, "threads", 0) >= 5);
    assert_true(rt_trace_summary(&t, "live_blocks_at_end", 0) >= 4);
    size_t lost = 0;
    for (size_t i = 0; i < t.n_leaks; i++)
        if (t.leaks[i].kind == MS_LEAK_DEFINITE || t.leaks[i].kind == MS_LEAK_INDIRECT) {
            fprintf(stderr, "lost: %#llx size %llu kind %u\n", (unsigned long long)t.leaks[i].addr,
                    (unsigned long long)t.leaks[i].size, (unsigned)t.leaks[i].kind);
            lost++;
        }
    assert_int_equal(lost, 0);
    rt_trace_free(&t);
}

/* Leak kind of the block allocated at rt_prog's site @idx (-1 none). */
static int kind_at_site(const rt_trace *t, int idx) {
    uint64_t site = ~0ull, addr = 0;
    for (size_t i = 0; i < t->n_sites; i++)
        if (t->sites[i].column == (uint32_t)idx + 1)
            site = t->sites[i].id;
    for (size_t i = 0; i < t->n_ev; i++)
        if (t->ev[i].ev.kind == MS_EV_ALLOC && t->ev[i].ev.site == site)
            addr = t->ev[i].ev.addr;
    if (!addr)
        return -1;
    for (size_t i = 0; i < t->n_leaks; i++)
        if (t->leaks[i].addr == addr)
            return (int)t->leaks[i].kind;
    return -1;
}

static void test_other_threads_tls_is_root(void **state) {
    (void)state;
    rt_trace t;
    run_load("tls_other", NULL, &t);
    assert_int_equal(kind_at_site(&t, idx_site_tls_other), MS_LEAK_REACHABLE);
    rt_trace_free(&t);
    /* the same with a dlopen'ed library's __thread variable: the thread's
     * dynamic TLS block comes from ld.so (a root) */
    run_load("tls_other", RT_PROG_TLSDL, &t);
    assert_int_equal(kind_at_site(&t, idx_site_tls_other), MS_LEAK_REACHABLE);
    assert_int_equal(kind_at_site(&t, idx_site_tls_dyn), MS_LEAK_REACHABLE);
    rt_trace_free(&t);
}

/* e2e_valgrind_native_leaky_list (after the pass's scope-exit fix): stale
 * copies of a dropped pointer in never-written slots of glibc's exit frames
 * made a lost block reachable. The exiting thread's stack is scanned from
 * exit()'s caller up (rt_exitframe.h); a live local of a function that calls
 * exit() still counts. */
static void test_exit_scan_skips_exit_frames(void **state) {
    (void)state;
    rt_trace t;
    run_load_prog(RT_PROG_STALE, "stale", NULL, &t);
    int kind = -1;
    for (size_t i = 0; i < t.n_leaks; i++)
        if (t.leaks[i].size == 48)
            kind = (int)t.leaks[i].kind;
    assert_int_equal(kind, MS_LEAK_DEFINITE); /* before the fix: REACHABLE */
    rt_trace_free(&t);
    run_load("exit_local", NULL, &t);
    assert_int_equal(kind_at_site(&t, idx_site_exit_local), MS_LEAK_REACHABLE);
    rt_trace_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_joined_threads_dtvs_not_lost),
        cmocka_unit_test(test_other_threads_tls_is_root),
        cmocka_unit_test(test_exit_scan_skips_exit_frames),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
