/*
 * test_rt_bug_static_link - regression test of the driver's finding
 * "checking if CC static flag -static works... no": the runtime's malloc
 * family clashed with libc.a's ("multiple definition of malloc") and its
 * pthread_create could not find the real one without the dynamic linker.
 * rt_prog_static is linked with -static and the driver's exact link line (a
 * link failure fails the build of this test); here it must run and write a
 * complete trace with exact counts at its sites, both threads and a leak
 * scan. The dynamic case (interposition still wins) is test_rt_e2e's
 * whole-heap check plus test_dynamic_interposition_wins below.
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

#include "rt_trace_util.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    return rt_test_mkdtemp(dir, sizeof dir, "rt_static_");
}

static int teardown(void **state) {
    (void)state;
    return rt_test_rmtree(dir);
}

/* Run @prog @arg in dir with @opts; @return its exit status (-1 abnormal). */
static int run(const char *prog, const char *arg, const char *opts) {
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        setenv("MEMSCOPE_OPTIONS", opts, 1);
        if (!freopen("/dev/null", "w", stdout))
            _exit(125);
        execl(prog, prog, arg, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void load(const char *name, rt_trace *t) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(rt_trace_load(path, t), 0);
}

static void test_static_program_writes_trace(void **state) {
    (void)state;
    assert_int_equal(run(RT_PROG_STATIC, NULL, "output=static.ms"), 0);
    rt_trace t;
    load("static.ms", &t);
    assert_true(t.complete);
    uint64_t site_m = ~0ull, site_f = ~0ull;
    for (size_t i = 0; i < t.n_sites; i++) {
        if (t.sites[i].column == 1)
            site_m = t.sites[i].id;
        if (t.sites[i].column == 2)
            site_f = t.sites[i].id;
    }
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_m, 0, 0), 101);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_m, 32, 0), 50);
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, site_f, 0, 0), 100);
    assert_int_equal(rt_trace_summary(&t, "threads", 0) >= 2, 1);
    assert_int_equal(rt_trace_summary(&t, "leak_scan", 0), 1);
    assert_string_equal(rt_trace_summary_str(&t, "exit_reason"), "exit");
    /* the kept 128-byte block is live and reachable from a global */
    int found = 0;
    for (size_t i = 0; i < t.n_leaks; i++)
        if (t.leaks[i].size == 128)
            found = t.leaks[i].kind == MS_LEAK_REACHABLE;
    assert_true(found);
    /* the worker thread is named with its parent */
    int child = 0;
    for (size_t i = 0; i < t.n_threads; i++)
        child += t.threads[i].parent_tid != 0;
    assert_true(child >= 1);
    rt_trace_free(&t);
}

/* Weak definitions still interpose libc.so's malloc in a dynamic
 * executable: libc's own allocations (stdio's buffer for printf in rt_prog
 * basic) are recorded as no-site events. */
static void test_dynamic_interposition_wins(void **state) {
    (void)state;
    assert_int_equal(run(RT_PROG, "basic", "output=dyn.ms"), 0);
    rt_trace t;
    load("dyn.ms", &t);
    assert_true(t.complete);
    assert_true(rt_trace_count(&t, MS_EV_ALLOC, 0, 0, MS_EVF_NO_SITE) > 0);
    rt_trace_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_program_writes_trace),
        cmocka_unit_test(test_dynamic_interposition_wins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
