/*
 * test_rt_e2e - run rt_prog scenarios (static runtime, driver link line) and
 * check their traces with libmsformat: exact event counts, whole-heap
 * events, threads, fork/exec/dlopen, signals, SIGKILL, abort, _exit, leaks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "memscope_abi.h"
#include "rt_prog_sites.h"
#include "rt_trace_util.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rt_e2e_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    if (getenv("RT_KEEP"))
        return 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Run rt_prog in @dir with MEMSCOPE_OPTIONS=@opts; stdout to @out (may be
 * NULL). @kill_after_ms > 0: SIGKILL it after "ready" plus that delay.
 * @return the wait status. */
static int run(const char *opts, char *out, size_t out_len, int kill_after_ms,
               const char *preload, const char *prog, ...) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        setenv("MEMSCOPE_OPTIONS", opts, 1);
        if (preload)
            setenv("LD_PRELOAD", preload, 1);
        char *argv[8] = {(char *)prog};
        va_list ap;
        va_start(ap, prog);
        for (int i = 1; i < 7; i++)
            if (!(argv[i] = va_arg(ap, char *)))
                break;
        va_end(ap);
        execv(prog, argv);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    char tmp[4096];
    for (;;) {
        ssize_t r = read(p[0], out ? out + n : tmp, out ? out_len - 1 - n : sizeof tmp);
        if (r <= 0)
            break;
        if (out)
            n += (size_t)r;
        if (kill_after_ms > 0 && (out ? strstr(out, "ready") != NULL : 1)) {
            if (out)
                out[n] = 0;
            struct timespec ts = {kill_after_ms / 1000, (kill_after_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            kill(pid, SIGKILL);
            break;
        }
    }
    if (out)
        out[n] = 0;
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

static void path_of(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", dir, name); }

/* Site ids of rt_prog's records, found by their column in the sites chunk. */
static uint64_t site_id(const rt_trace *t, int idx) {
    for (size_t i = 0; i < t->n_sites; i++)
        if (t->sites[i].column == (uint32_t)idx + 1)
            return t->sites[i].id;
    return ~0ull;
}

static void load(const char *name, rt_trace *t) {
    char p[512];
    path_of(p, sizeof p, name);
    int rc = rt_trace_load(p, t);
    if (rc != 0)
        fail_msg("cannot read %s: %s", p, ms_error_string(t->open_err));
}

static void test_basic(void **state) {
    (void)state;
    int st = run("output=basic.ms", NULL, 0, 0, NULL, RT_PROG, "basic", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("basic.ms", &t);
    assert_true(t.complete);
    assert_int_equal(t.n_sites, RT_PROG_NSITES);
    uint64_t s_malloc = site_id(&t, idx_site_malloc), s_free = site_id(&t, idx_site_free);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, s_malloc, 100, 0), 1000);
    /* 1000 + 10 calloc + 1 realloc chain end + strdup + 5 memalign + named */
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, s_free, 0, 0),
                     1000 + 10 + 1 + 1 + 5 + 1 + 100);
    /* calling-context path: one key, one stack id, the same as unwinding gives */
    uint32_t ctx_stack = 0;
    size_t n_ctx = 0;
    for (size_t i = 0; i < t.n_ev; i++) {
        const ms_event *e = &t.ev[i].ev;
        if (e->site != site_id(&t, idx_site_ctx))
            continue;
        assert_int_equal(e->size, 4444);
        if (!ctx_stack)
            ctx_stack = e->stack;
        assert_int_not_equal(e->stack, 0);
        assert_int_equal(e->stack, ctx_stack);
        n_ctx++;
    }
    assert_int_equal(n_ctx, 100);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_calloc), 21,
                                    MS_EVF_ZEROED), 10);
    assert_int_equal(rt_trace_count(&t, MS_EV_REALLOC, site_id(&t, idx_site_realloc), 0, 0), 5);
    assert_int_equal(rt_trace_count(&t, MS_EV_REALLOC, 0, 1600, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_strdup), 6, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_pmemalign), 200,
                                    MS_EVF_ALIGNED), 5);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_fail), 0, MS_EVF_FAILED), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_SCOPE_EXIT, site_id(&t, idx_site_scope), 0, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_DTOR_BEGIN, 0, 0, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_DTOR_END, 0, 0, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_CUSTOM_ALLOC, 0, 32, 0), 1);
    assert_int_equal(rt_trace_count(&t, MS_EV_CUSTOM_FREE, 0, 0, 0), 1);
    /* name and phase strings */
    int names = 0, phases = 0;
    for (size_t i = 0; i < t.n_ev; i++) {
        const ms_event *e = &t.ev[i].ev;
        const char *s = rt_trace_string(&t, e->aux);
        if (e->kind == MS_EV_NAME && s && !strcmp(s, "blockname"))
            names++;
        if (e->kind == MS_EV_PHASE && s && !strcmp(s, "phase-two"))
            phases++;
    }
    assert_int_equal(names, 1);
    assert_int_equal(phases, 1);
    /* whole heap: the program's plain malloc and libc's strdup */
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, 0, 12345, MS_EVF_NO_SITE), 1);
    assert_true(rt_trace_count(&t, MS_EV_ALLOC, 0, 7, MS_EVF_NO_SITE) >= 1);
    /* every twin event has a stack; times never go backwards in a thread */
    for (size_t i = 0; i < t.n_ev; i++)
        if (t.ev[i].ev.site && t.ev[i].ev.kind != MS_EV_SCOPE_EXIT)
            assert_int_not_equal(t.ev[i].ev.stack, 0);
    assert_true(t.n_stacks > 0);
    assert_true(t.n_modules > 0);
    assert_true(t.n_threads >= 1);
    assert_true(t.n_counters >= 1);
    assert_int_equal(rt_trace_summary(&t, "dropped", 99), 0);
    assert_string_equal(rt_trace_summary_str(&t, "exit_reason"), "exit");
    assert_int_equal(rt_trace_summary(&t, "events", 0), t.n_ev);
    rt_trace_free(&t);
}

static void test_stress_threads(void **state) {
    (void)state;
    int st = run("output=stress.ms:buffer_kb=64", NULL, 0, 0, NULL, RT_PROG, "stress", "100000",
                 NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("stress.ms", &t);
    assert_true(t.complete);
    uint64_t sm = site_id(&t, idx_site_malloc), sf = site_id(&t, idx_site_free);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, sm, 0, 0), 64 * 100000);
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, sf, 0, 0), 64 * 100000);
    /* the user's TSD destructors ran before our exit flush: all recorded */
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_tsd), 24, 0), 64);
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, site_id(&t, idx_site_tsd_free), 0, 0), 64);
    assert_int_equal(rt_trace_summary(&t, "dropped", 99), 0);
    /* 64 workers ended with an end time */
    size_t ended = 0;
    for (size_t i = 0; i < t.n_threads; i++)
        ended += t.threads[i].end_ns != 0 && t.threads[i].parent_tid == t.hdr.pid;
    assert_true(ended >= 64); /* ended, created by the main thread */
    /* per thread, events are in time order across its chunks' merge */
    rt_trace_free(&t);
}

static void test_fork(void **state) {
    (void)state;
    char out[256];
    int st = run("output=fork.ms", out, sizeof out, 0, NULL, RT_PROG, "fork", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    int child = atoi(out);
    assert_true(child > 0);
    rt_trace p, c;
    load("fork.ms", &p);
    char name[64];
    snprintf(name, sizeof name, "fork.%d.ms", child);
    load(name, &c);
    assert_true(p.complete);
    assert_true(c.complete);
    assert_int_equal(c.hdr.pid, (uint32_t)child);
    assert_true(c.hdr.flags & MS_HDR_F_FORK_CHILD);
    uint64_t pm = site_id(&p, idx_site_malloc), pm2 = site_id(&p, idx_site_malloc2);
    assert_int_equal(rt_trace_count(&p, MS_EV_ALLOC, pm, 50, 0), 50);
    assert_int_equal(rt_trace_count(&p, MS_EV_ALLOC, pm2, 0, 0), 0);
    assert_int_equal(rt_trace_count(&p, MS_EV_FREE, site_id(&p, idx_site_free), 0, 0), 50);
    /* child: its own 20, the parent's 50 only as inherited, never re-recorded */
    uint64_t cm = site_id(&c, idx_site_malloc), cm2 = site_id(&c, idx_site_malloc2);
    assert_int_equal(rt_trace_count(&c, MS_EV_ALLOC, cm2, 70, 0), 20);
    assert_int_equal(rt_trace_count(&c, MS_EV_ALLOC, cm, 50, MS_EVF_INHERITED), 50);
    size_t non_inh = 0;
    for (size_t i = 0; i < c.n_ev; i++)
        if (c.ev[i].ev.site == cm && !(c.ev[i].ev.flags & MS_EVF_INHERITED))
            non_inh++;
    assert_int_equal(non_inh, 0);
    rt_trace_free(&p);
    rt_trace_free(&c);
}

static void test_exec(void **state) {
    (void)state;
    char out[256];
    int st = run("output=exec.ms", out, sizeof out, 0, NULL, RT_PROG, "exec", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* the pre-exec image flushed its events; the new image did not clobber
     * them but wrote exec.<pid>.ms */
    rt_trace a, b;
    load("exec.ms", &a);
    assert_int_equal(rt_trace_count(&a, MS_EV_ALLOC, site_id(&a, idx_site_malloc), 55, 0), 5);
    assert_int_equal(rt_trace_count(&a, MS_EV_ALLOC, 0, 77, 0), 0);
    char name[64];
    snprintf(name, sizeof name, "exec.%u.ms", a.hdr.pid);
    load(name, &b);
    assert_true(b.complete);
    assert_int_equal(b.hdr.pid, a.hdr.pid);
    assert_int_equal(rt_trace_count(&b, MS_EV_ALLOC, site_id(&b, idx_site_malloc2), 77, 0), 7);
    assert_int_equal(rt_trace_count(&b, MS_EV_ALLOC, 0, 55, 0), 0);
    rt_trace_free(&a);
    rt_trace_free(&b);
}

static void test_dlopen_uninstrumented(void **state) {
    (void)state;
    int st = run("output=dl.ms", NULL, 0, 0, NULL, RT_PROG, "dlopen", RT_PROG_DL, NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("dl.ms", &t);
    assert_true(t.complete);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, 0, 777, MS_EVF_NO_SITE), 10);
    assert_true(rt_trace_has_module(&t, "librt_prog_dl.so"));
    rt_trace_free(&t);
}

static void test_dlopen_instrumented(void **state) {
    (void)state;
    int st = run("output=dli.ms", NULL, 0, 0, NULL, RT_PROG, "dlopen", RT_PROG_DLI, NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("dli.ms", &t);
    assert_true(t.complete);
    /* the library's two sites were registered and written with the program's */
    assert_int_equal(t.n_sites, RT_PROG_NSITES + 2);
    uint64_t lm = site_id(&t, 899), lf = site_id(&t, 900);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, lm, 888, 0), 10);
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, lf, 0, 0), 10);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, 0, 888, MS_EVF_NO_SITE), 0);
    assert_true(rt_trace_has_module(&t, "librt_prog_dli.so"));
    rt_trace_free(&t);
}

static void test_signal_handler_allocates(void **state) {
    (void)state;
    char out[256];
    int st = run("output=sig.ms", out, sizeof out, 0, NULL, RT_PROG, "signal", NULL);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("rt_prog signal: wait status 0x%x", st);
    long loops = 0;
    int handled = 0;
    assert_int_equal(sscanf(out, "%ld %d", &loops, &handled), 2);
    rt_trace t;
    load("sig.ms", &t);
    assert_true(t.complete);
    uint64_t dropped = rt_trace_summary(&t, "dropped", 99);
    assert_int_equal(rt_trace_count(&t, MS_EV_CUSTOM_ALLOC, site_id(&t, idx_site_malloc), 33, 0),
                     loops);
    assert_int_equal(rt_trace_count(&t, MS_EV_CUSTOM_FREE, site_id(&t, idx_site_free), 0, 0),
                     loops);
    size_t sig_allocs = rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_signal), 555, 0);
    size_t sig_frees = rt_trace_count(&t, MS_EV_FREE, site_id(&t, idx_site_signal_free), 0, 0);
    /* nothing lost silently: every handler event is in the trace or counted */
    assert_int_equal(sig_allocs + sig_frees + dropped, 2 * (size_t)handled);
    rt_trace_free(&t);
}

static void test_sigkill_prefix(void **state) {
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    int delay = 1 + (int)(rand_r(&seed) % 200);
    char out[256];
    int st = run("output=kill.ms:flush_ms=20", out, sizeof out, delay, NULL, RT_PROG, "spin", NULL);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    rt_trace t;
    load("kill.ms", &t);
    assert_false(t.complete);
    /* readable prefix: at least the 2000 events before "ready" are there */
    assert_true(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_malloc), 40, 0) >= 2000);
    rt_trace_free(&t);
}

static void test_double_free_abort(void **state) {
    (void)state;
    int st = run("output=df.ms", NULL, 0, 0, NULL, RT_PROG, "doublefree", NULL);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    rt_trace t;
    load("df.ms", &t);
    assert_true(t.complete);
    assert_string_equal(rt_trace_summary_str(&t, "exit_reason"), "signal 6");
    uint64_t addr = 0;
    for (size_t i = 0; i < t.n_ev; i++)
        if (t.ev[i].ev.kind == MS_EV_ALLOC && t.ev[i].ev.size == 4242)
            addr = t.ev[i].ev.addr;
    assert_int_not_equal(addr, 0);
    size_t frees = 0;
    for (size_t i = 0; i < t.n_ev; i++)
        frees += t.ev[i].ev.kind == MS_EV_FREE && t.ev[i].ev.addr == addr;
    assert_int_equal(frees, 2);
    assert_int_equal(rt_trace_count(&t, MS_EV_FREE, site_id(&t, idx_site_free2), 0, 0), 1);
    rt_trace_free(&t);
}

static void test_segv(void **state) {
    (void)state;
    int st = run("output=segv.ms", NULL, 0, 0, NULL, RT_PROG, "segv", NULL);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
    rt_trace t;
    load("segv.ms", &t);
    assert_true(t.complete);
    assert_string_equal(rt_trace_summary_str(&t, "exit_reason"), "signal 11");
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_malloc), 10, 0), 10);
    rt_trace_free(&t);
}

static void test_quick_exit(void **state) {
    (void)state;
    int st = run("output=qe.ms", NULL, 0, 0, NULL, RT_PROG, "_exit", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("qe.ms", &t);
    assert_false(t.complete); /* _exit: no trailer */
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_malloc), 30, 0), 300);
    rt_trace_free(&t);
}

static void test_leaks(void **state) {
    (void)state;
    int st = run("output=leaks.ms", NULL, 0, 0, NULL, RT_PROG, "leaks", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("leaks.ms", &t);
    assert_true(t.complete);
    uint64_t lost = 0, ind = 0;
    for (size_t i = 0; i < t.n_ev; i++) {
        if (t.ev[i].ev.site == site_id(&t, idx_site_lost))
            lost = t.ev[i].ev.addr;
        if (t.ev[i].ev.site == site_id(&t, idx_site_indirect))
            ind = t.ev[i].ev.addr;
    }
    uint64_t tls = 0;
    for (size_t i = 0; i < t.n_ev; i++)
        if (t.ev[i].ev.site == site_id(&t, idx_site_tls))
            tls = t.ev[i].ev.addr;
    int k_lost = -1, k_ind = -1, k_tls = -1, reach = 0;
    for (size_t i = 0; i < t.n_leaks; i++) {
        if (t.leaks[i].addr == tls)
            k_tls = (int)t.leaks[i].kind;
        if (t.leaks[i].addr == lost)
            k_lost = (int)t.leaks[i].kind;
        if (t.leaks[i].addr == ind)
            k_ind = (int)t.leaks[i].kind;
        reach += t.leaks[i].kind == MS_LEAK_REACHABLE;
    }
    assert_int_equal(k_lost, MS_LEAK_DEFINITE);
    assert_int_equal(k_ind, MS_LEAK_INDIRECT);
    assert_int_equal(k_tls, MS_LEAK_REACHABLE); /* a __thread pointer is a root */
    assert_true(reach >= 3);
    rt_trace_free(&t);
}

static void test_disabled_and_bad_options(void **state) {
    (void)state;
    int st = run("output=off.ms:enabled=0", NULL, 0, 0, NULL, RT_PROG, "basic", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char p[512];
    path_of(p, sizeof p, "off.ms");
    assert_int_equal(access(p, F_OK), -1);
    /* an unknown key is reported and the rest applies */
    st = run("output=lz.ms:compression=lz4:frobnicate=1", NULL, 0, 0, NULL, RT_PROG, "basic", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("lz.ms", &t);
    assert_true(t.complete);
    assert_int_equal(t.hdr.codec, MS_CODEC_LZ4);
    rt_trace_free(&t);
}

static void test_preload_shared(void **state) {
    (void)state;
    /* an uninstrumented program with the shared runtime preloaded */
    int st = run("output=pre.ms", NULL, 0, 0, RT_SHARED, "/bin/ls", "/", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rt_trace t;
    load("pre.ms", &t);
    assert_true(t.complete);
    assert_true(rt_trace_count(&t, MS_EV_ALLOC, 0, 0, MS_EVF_NO_SITE) > 0);
    rt_trace_free(&t);
    /* in a process whose executable carries the static runtime: dormant */
    st = run("output=both.ms", NULL, 0, 0, RT_SHARED, RT_PROG, "basic", NULL);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    load("both.ms", &t);
    assert_true(t.complete);
    assert_int_equal(rt_trace_count(&t, MS_EV_ALLOC, site_id(&t, idx_site_malloc), 100, 0), 1000);
    rt_trace_free(&t);
    char p[512];
    DIR *d = opendir(dir);
    int extra = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        extra += !strncmp(de->d_name, "both.", 5) && strcmp(de->d_name, "both.ms");
    if (d)
        closedir(d);
    assert_int_equal(extra, 0); /* the dormant copy wrote no file */
    (void)p;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_stress_threads),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_exec),
        cmocka_unit_test(test_dlopen_uninstrumented),
        cmocka_unit_test(test_dlopen_instrumented),
        cmocka_unit_test(test_signal_handler_allocates),
        cmocka_unit_test(test_sigkill_prefix),
        cmocka_unit_test(test_double_free_abort),
        cmocka_unit_test(test_segv),
        cmocka_unit_test(test_quick_exit),
        cmocka_unit_test(test_leaks),
        cmocka_unit_test(test_disabled_and_bad_options),
        cmocka_unit_test(test_preload_shared),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
