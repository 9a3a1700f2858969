/* rt_lifecycle.c - process start, exit, fatal signals, fork, dormant copy
 * (see rt_lifecycle.h). */
#define _GNU_SOURCE
#include "rt_lifecycle.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_buffer.h"
#include "rt_exitframe.h"
#include "rt_log.h"
#include "rt_options.h"
#include "rt_output.h"
#include "rt_stacktab.h"
#include "rt_tables.h"
#include "rt_thread.h"
#include "rt_writer.h"

rt_process rt_proc;
rt_exit_roots rt_exit_roots_v;
char rt_exit_reason[64] = "exit";

static pthread_once_t early_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t start_mu = PTHREAD_MUTEX_INITIALIZER;
static char exe_path[4096];
static char trace_path[4096];
static int handlers_installed;
static int in_fatal;

static const int fatal_sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
static struct sigaction old_act[5];

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

static void early_init(void) {
    rt_clock_init();
    rt_threads_init();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void rt_process_early(void) { pthread_once(&early_once, early_init); }

/* ---- registration entry point ------------------------------------------------ */

RT_EXPORT void __memscope_init_v1(const memscope_site *start, const memscope_site *stop) {
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    if (rt_sites_register(start, stop) != 0)
        rt_log("too many instrumented modules: sites of one are not recorded");
    rt_guard_leave(t);
    rt_ctx_seed_main(start);
    rt_process_start();
}

/* The address of this copy's own init function (a hidden alias does not
 * go through symbol interposition). */
extern void rt_init_local(const memscope_site *, const memscope_site *)
    __attribute__((alias("__memscope_init_v1"), visibility("hidden")));

/* A second copy of the runtime (libmemscope_rt.so loaded into a process whose
 * executable carries the static runtime) stays dormant. */
static int is_dormant(void) {
    void *p = dlsym(RTLD_DEFAULT, MEMSCOPE_INIT_SYMBOL);
    return p && p != (void *)&rt_init_local;
}

/* ---- exit and signals --------------------------------------------------------- */

static void on_exit_handler(void) {
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    rt_process_finish("exit", rt_opts()->leak_scan, 120000, 0);
    rt_guard_leave(t);
}

static void on_fatal(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    int idx = 0;
    while (idx < 5 && fatal_sigs[idx] != sig)
        idx++;
    int saved = errno;
    if (!__atomic_exchange_n(&in_fatal, 1, __ATOMIC_ACQ_REL) && !rt_writer_is_self()) {
        rt_tls *t = &rt_self;
        rt_guard_enter(t);
        __atomic_store_n(&rt_proc.fatal, 1, __ATOMIC_RELEASE);
        char reason[32];
        rt_fmt(reason, sizeof reason, "signal %d", sig);
        rt_process_finish(reason, 0, 10000, 1);
        rt_guard_leave(t);
    }
    /* re-raise with the original disposition */
    if (idx < 5)
        sigaction(sig, &old_act[idx], NULL);
    else
        signal(sig, SIG_DFL);
    errno = saved;
    if (si->si_code <= 0 || sig == SIGABRT)
        raise(sig); /* sent by kill/raise/abort: returning would not repeat it */
    /* a fault: returning re-executes the faulting instruction */
}

static void install_handlers(void) {
    if (handlers_installed)
        return;
    handlers_installed = 1;
    for (int i = 0; i < 5; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        if (sigaction(fatal_sigs[i], NULL, &old_act[i]) != 0)
            continue;
        /* keep a handler the program installed before us */
        if (old_act[i].sa_handler != SIG_DFL)
            continue;
        sa.sa_sigaction = on_fatal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal_sigs[i], &sa, NULL);
    }
}

/* ---- start -------------------------------------------------------------------- */

static void apply_options(void) {
    const rt_options *o = rt_opts();
    rt_stack_depth = (uint32_t)o->stack_depth;
    rt_threads_set_buffer_events((uint32_t)((size_t)o->buffer_kb * 1024 / sizeof(ms_event)));
}

void rt_process_start(void) {
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    rt_process_early();
    pthread_mutex_lock(&start_mu);
    int ps = rt_proc.state;
    if (ps == RT_PS_EARLY || ps == RT_PS_CHILD) {
        int child = ps == RT_PS_CHILD;
        int next = RT_PS_OFF;
        rt_proc.pid = getpid();
        if (!child) {
            rt_options_load();
            apply_options();
            ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
            exe_path[n > 0 ? n : 0] = 0;
        }
        const rt_options *o = rt_opts();
        if (!child && is_dormant()) {
            if (o->verbosity >= 1)
                rt_log("another memscope runtime is active in this process; this copy stays dormant");
        } else if (o->enabled) {
            const char *base = strrchr(exe_path, '/');
            base = base ? base + 1 : exe_path;
            int fd = -1;
            if (rt_output_open(o->output, (uint32_t)rt_proc.pid, base, child, trace_path,
                               sizeof trace_path, &fd, 2) == 0) {
                rt_writer_config c = {.fd = fd,
                                      .exe = exe_path,
                                      .codec = o->compression,
                                      .level = (int)o->level,
                                      .flush_ms = (unsigned)o->flush_ms,
                                      .counters_ms = (unsigned)o->counters_ms,
                                      .fork_child = child,
                                      .leak_scan = o->leak_scan,
                                      .tid = rt_gettid()};
                if (rt_writer_open(&c) == 0 && rt_writer_start() == 0) {
                    next = RT_PS_RUNNING;
                    if (!child) {
                        install_handlers();
                        atexit(on_exit_handler);
                    }
                    if (o->verbosity >= 1)
                        rt_log("recording to '%s'", trace_path);
                } else {
                    close(fd);
                }
            }
        }
        __atomic_store_n(&rt_proc.state, next, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&start_mu);
    rt_guard_leave(t);
}

__attribute__((constructor(101))) static void rt_ctor(void) { rt_process_start(); }

/* The calling thread's TLS blocks are leak-scan roots (`__thread` pointers). */
static int tls_cb(struct dl_phdr_info *info, size_t size, void *u) {
    (void)size;
    (void)u;
    if (!info->dlpi_tls_data)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_TLS && ph->p_memsz && rt_exit_roots_v.n_tls < 32) {
            uintptr_t lo = (uintptr_t)info->dlpi_tls_data;
            rt_exit_roots_v.tls[rt_exit_roots_v.n_tls].lo = lo;
            rt_exit_roots_v.tls[rt_exit_roots_v.n_tls].hi = lo + ph->p_memsz;
            rt_exit_roots_v.n_tls++;
        }
    }
    return 0;
}

void rt_process_finish(const char *reason, int leak_scan, unsigned timeout_ms, int signal_ctx) {
    if (rt_proc.state == RT_PS_CHILD && !signal_ctx)
        rt_process_start(); /* a fork child that recorded nothing yet */
    if (rt_proc.state != RT_PS_RUNNING)
        return;
    rt_fmt(rt_exit_reason, sizeof rt_exit_reason, "%s", reason);
    /* callee-saved registers may hold the only pointer to a block. setjmp
     * fills only the register part: the rest (the signal mask, ~130 bytes)
     * would be stale stack scanned as a root, so the buffer is zeroed first */
    struct {
        jmp_buf jb;
        uint64_t caller[RT_EXITFRAME_NREGS]; /* exit()'s caller's registers */
    } regs;
    memset(&regs, 0, sizeof regs);
    setjmp(regs.jb);
    rt_tls *t = &rt_self;
    rt_exit_roots_v.sp = (uintptr_t)__builtin_frame_address(0);
    /* Inside exit(): scan the program's frames only, not the stale slots of
     * glibc's exit machinery (rt_exitframe.h). */
    uintptr_t cfa;
    if (!signal_ctx && leak_scan && rt_exitframe_find(&cfa, regs.caller) &&
        cfa > rt_exit_roots_v.sp)
        rt_exit_roots_v.sp = cfa;
    rt_exit_roots_v.hi = t->state == RT_TS_ACTIVE && t->rec ? t->rec->stk_hi : 0;
    rt_exit_roots_v.regs_lo = (uintptr_t)&regs;
    rt_exit_roots_v.regs_hi = (uintptr_t)&regs + sizeof regs;
    rt_exit_roots_v.tid = t->tid;
    rt_exit_roots_v.n_tls = 0;
    if (!signal_ctx && leak_scan)
        dl_iterate_phdr(tls_cb, NULL);
    if (rt_queue_request(RT_REQ_FINISH, 1, timeout_ms, signal_ctx) != 0)
        rt_log("the trace could not be completed in time (%s)", reason);
    else if (rt_opts()->verbosity >= 1)
        rt_log("trace '%s' written (%s)", trace_path, reason);
}

/* ---- fork ------------------------------------------------------------------------ */

static void fork_prepare(void) {
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    /* the child inherits the live map: bring it up to date first */
    if (rt_proc.state == RT_PS_RUNNING && !rt_writer_is_self())
        rt_queue_request(RT_REQ_FLUSH, 1, 5000, 0);
    pthread_mutex_lock(&start_mu);
    rt_writer_fork_prepare();
    rt_tables_fork_prepare();
    rt_threads_fork_prepare();
    rt_queue_fork_prepare();
}

static void fork_parent(void) {
    rt_queue_fork_parent();
    rt_threads_fork_parent();
    rt_tables_fork_parent();
    rt_writer_fork_parent();
    pthread_mutex_unlock(&start_mu);
    rt_guard_leave(&rt_self);
}

static void fork_child(void) {
    rt_queue_fork_child();
    rt_threads_fork_child();
    rt_tables_fork_child();
    rt_writer_fork_child();
    rt_stacktab_reset_after_fork();
    pthread_mutex_init(&start_mu, NULL);
    rt_proc.pid = getpid();
    rt_proc.dropped = 0;
    in_fatal = 0;
    if (rt_proc.state == RT_PS_RUNNING) {
        rt_proc.fork_child = 1;
        /* lazily: a child that only execs writes no trace */
        __atomic_store_n(&rt_proc.state, RT_PS_CHILD, __ATOMIC_RELEASE);
    }
    rt_guard_leave(&rt_self);
}
