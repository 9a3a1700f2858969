/*
 * rt_prog - scenarios for the runtime's end-to-end tests. Linked like
 * memscope-cc links executables (whole static runtime + dynamic list); calls
 * the pass's entry points directly with hand-made site records, so no pass
 * is needed. Usage: rt_prog SCENARIO [args]; test_rt_e2e.c checks the traces.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memscope.h"
#include "memscope_abi.h"
#include "rt_prog_sites.h"

#define SITE_REC(name, k)                                                                  \
    __attribute__((used, section("memscope_sites"), aligned(8))) const memscope_site name = \
        {MEMSCOPE_SITE_MAGIC, k, 0, __LINE__, idx_##name + 1, 0, 0, 0, 0, 0, 0, 0};
RT_PROG_SITES(SITE_REC)

extern const memscope_site __start_memscope_sites[], __stop_memscope_sites[];
__attribute__((constructor(101))) static void register_sites(void) {
    __memscope_init_v1(__start_memscope_sites, __stop_memscope_sites);
}

static void msleep(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The pass's calling-context value (defined by the runtime). */
extern __thread uint64_t __memscope_ctx;

/* ---- basic ----------------------------------------------------------------- */
static int basic(void) {
    void *v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = __memscope_malloc(100, &site_malloc);
    for (int i = 0; i < 1000; i++)
        __memscope_free(v[i], &site_free);
    __memscope_free(NULL, &site_free); /* not recorded */
    for (int i = 0; i < 10; i++)
        __memscope_free(__memscope_calloc(3, 7, &site_calloc), &site_free);
    char *p = __memscope_malloc(10, &site_malloc2);
    for (int i = 0; i < 5; i++)
        p = __memscope_realloc(p, 100 << i, &site_realloc);
    __memscope_free(p, &site_free);
    char *s = __memscope_strdup("hello", &site_strdup);
    __memscope_free(s, &site_free);
    for (int i = 0; i < 5; i++) {
        void *a = NULL;
        if (__memscope_posix_memalign(&a, 64, 200, &site_pmemalign) != 0 || ((uintptr_t)a & 63))
            return 1;
        __memscope_free(a, &site_free);
    }
    void *f = __memscope_malloc(SIZE_MAX / 2, &site_fail);
    if (f)
        return 1;
    void *named = __memscope_malloc(64, &site_malloc2);
    memscope_name(named, "blockname");
    memscope_phase("phase-two");
    static char pool[256];
    memscope_alloc(pool, 32);
    memscope_free(pool);
    __memscope_scope_exit(named, &site_scope);
    __memscope_dtor_begin(named, &site_dtor);
    __memscope_free(named, &site_free);
    __memscope_dtor_end(named, &site_dtor);
    /* calling-context stack ids: what the pass keeps in __memscope_ctx */
    for (int i = 0; i < 100; i++) {
        __memscope_ctx = 0x1234567;
        void *x = __memscope_malloc(4444, &site_ctx);
        __memscope_ctx = 0;
        __memscope_free(x, &site_free);
    }
    /* whole heap: plain calls from this (uninstrumented) code and from libc */
    void *volatile q = malloc(12345);
    free(q);
    char *volatile d = strdup("abcdef");
    free(d);
    return 0;
}

/* ---- stress: threads in waves, random exits, TSD destructors that free ------ */
static long stress_n;
static pthread_key_t user_key;

static void user_dtor(void *p) { __memscope_free(p, &site_tsd_free); }

static void work(long n, uint64_t seed) {
    void *keep[16] = {0};
    for (long i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int k = (int)(seed >> 60);
        if (keep[k])
            __memscope_free(keep[k], &site_free);
        keep[k] = __memscope_malloc(16 + (seed >> 58), &site_malloc);
    }
    for (int k = 0; k < 16; k++)
        if (keep[k])
            __memscope_free(keep[k], &site_free);
}

static void *stress_thread(void *arg) {
    uintptr_t id = (uintptr_t)arg;
    pthread_setspecific(user_key, __memscope_malloc(24, &site_tsd));
    work(stress_n, id * 7919 + 1);
    if (id % 3 == 0)
        pthread_exit(NULL); /* exits through pthread_exit */
    if (id % 5 == 0)
        msleep((long)(id % 7)); /* exit at scattered times */
    return NULL;
}

static int stress(int argc, char **argv) {
    stress_n = argc > 2 ? atol(argv[2]) : 100000;
    pthread_key_create(&user_key, user_dtor);
    pthread_t th[64];
    for (int wave = 0; wave < 4; wave++) {
        for (int i = 0; i < 16; i++)
            pthread_create(&th[wave * 16 + i], NULL, stress_thread,
                           (void *)(uintptr_t)(wave * 16 + i));
        if (wave % 2)
            for (int i = 0; i < 16; i++)
                pthread_join(th[wave * 16 + i], NULL);
    }
    for (int wave = 0; wave < 4; wave += 2)
        for (int i = 0; i < 16; i++)
            pthread_join(th[wave * 16 + i], NULL);
    return 0;
}

/* ---- fork ------------------------------------------------------------------------ */
static int do_fork(void) {
    void *keep[50];
    for (int i = 0; i < 50; i++)
        keep[i] = __memscope_malloc(50, &site_malloc);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        for (int i = 0; i < 20; i++)
            __memscope_free(__memscope_malloc(70, &site_malloc2), &site_free);
        printf("%d\n", (int)getpid());
        fflush(stdout);
        exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    for (int i = 0; i < 50; i++)
        __memscope_free(keep[i], &site_free);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* ---- exec -------------------------------------------------------------------------- */
static int do_exec(char **argv, int after) {
    if (after) {
        for (int i = 0; i < 7; i++)
            __memscope_free(__memscope_malloc(77, &site_malloc2), &site_free);
        return 0;
    }
    for (int i = 0; i < 5; i++)
        __memscope_free(__memscope_malloc(55, &site_malloc), &site_free);
    memscope_flush();
    execl("/proc/self/exe", argv[0], "exec", "after", (char *)NULL);
    return 1;
}

/* ---- dlopen of an uninstrumented library -------------------------------------------- */
static int do_dlopen(const char *lib) {
    void *h = dlopen(lib, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    int (*fn)(int) = (int (*)(int))dlsym(h, "rt_dl_allocate");
    if (!fn)
        fn = (int (*)(int))dlsym(h, "rt_dli_allocate");
    if (!fn || fn(10) != 10)
        return 1;
    msleep(150); /* a timer flush sees the new module */
    dlclose(h);
    return 0;
}

/* ---- signal handlers that allocate ------------------------------------------------- */
static volatile sig_atomic_t handled;
static void on_alarm(int sig) {
    (void)sig;
    __memscope_free(__memscope_malloc(555, &site_signal), &site_signal_free);
    handled++;
}

static int do_signal(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    /* The main loop records without calling glibc (custom events on a static
     * pool): glibc's malloc is not async-signal-safe, so only the handler
     * calls it, while the signals land at random points of the runtime's
     * recording in the main loop. */
    static char pool[64];
    long n = 0;
    while (handled < 2000) {
        __memscope_custom_alloc(pool, 33, &site_malloc);
        __memscope_custom_free(pool, &site_free);
        n++;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("%ld %d\n", n, (int)handled);
    return 0;
}

/* ---- runs until killed ---------------------------------------------------------------- */
static int spin(void) {
    long n = 0;
    for (;;) {
        void *p = __memscope_malloc(40, &site_malloc);
        __memscope_free(p, &site_free);
        if (++n == 2000) {
            msleep(300); /* several timer flushes have happened by now */
            printf("ready\n");
            fflush(stdout);
        }
        if (n % 1000 == 0)
            msleep(1);
    }
}

/* ---- double free: glibc aborts --------------------------------------------------------- */
static int double_free(void) {
    char *p = __memscope_malloc(4242, &site_malloc);
    p[0] = 1;
    __memscope_free(p, &site_free);
    __memscope_free(p, &site_free2); /* glibc: "free(): double free detected" */
    return 0;
}

static int quick_exit_(void) {
    for (int i = 0; i < 300; i++)
        __memscope_free(__memscope_malloc(30, &site_malloc), &site_free);
    msleep(400); /* > flush_ms: the timer flush wrote them */
    _exit(0);
}

/* ---- leaks ------------------------------------------------------------------------------- */
struct node {
    struct node *next;
    char pad[40];
};
struct node *volatile global_keep;
static __thread struct node *volatile tls_keep;

static int leaks(void) {
    global_keep = __memscope_malloc(sizeof(struct node), &site_reach);
    global_keep->next = __memscope_malloc(sizeof(struct node), &site_reach);
    global_keep->next->next = NULL;
    tls_keep = __memscope_malloc(sizeof(struct node), &site_tls);
    tls_keep->next = NULL;
    struct node *lost = __memscope_malloc(sizeof(struct node), &site_lost);
    lost->next = __memscope_malloc(sizeof(struct node), &site_indirect);
    lost->next->next = NULL;
    lost = NULL;
    return 0;
}

/* Bug 2 (cross-thread free before alloc): the main thread allocates
 * XFER_N blocks; a consumer thread frees half of them, reallocs the other
 * half (then frees the new blocks) and exits, so its final buffer reaches the
 * writer at once, while main's ALLOCs stay in main's buffer until the exit
 * sweep (run with a flush_ms far beyond the run time). Then main allocates
 * XFER_N more blocks (reusing the freed addresses) and keeps them. */
#define XFER_N 1000
static void *xfer_blocks[XFER_N];
void *xfer_keep[XFER_N];
static void *xfer_consumer(void *arg) {
    (void)arg;
    for (int i = 0; i < XFER_N; i++) {
        if (i & 1) {
            void *q = __memscope_realloc(xfer_blocks[i], 3000 + (size_t)i, &site_xfer_realloc);
            __memscope_free(q, &site_xfer_free);
        } else {
            __memscope_free(xfer_blocks[i], &site_xfer_free);
        }
        xfer_blocks[i] = NULL;
    }
    return NULL;
}
static int xfer(void) {
    for (int i = 0; i < XFER_N; i++)
        xfer_blocks[i] = __memscope_malloc(24 + (size_t)(i % 5) * 16, &site_xfer);
    pthread_t th;
    if (pthread_create(&th, NULL, xfer_consumer, NULL) != 0)
        return 1;
    pthread_join(th, NULL);
    for (int i = 0; i < XFER_N; i++)
        xfer_keep[i] = __memscope_malloc(24 + (size_t)(i % 5) * 16, &site_xfer2);
    printf("ok\n");
    return 0;
}

/* Bug 3: threads created and joined leave their DTVs (allocated by ld.so's
 * allocate_dtv through calloc) live in glibc's cached descriptors; nothing
 * here leaks. */
static pthread_barrier_t dtv_bar;
static void *dtv_worker(void *arg) {
    void *volatile p = malloc(40);
    free(p);
    pthread_barrier_wait(&dtv_bar); /* all alive at once: 4 stacks, 4 DTVs */
    return arg;
}
static int dtv(void) {
    pthread_t th[4];
    pthread_barrier_init(&dtv_bar, NULL, 4);
    for (int i = 0; i < 4; i++)
        if (pthread_create(&th[i], NULL, dtv_worker, NULL) != 0)
            return 1;
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    printf("ok\n");
    return 0;
}

/* Known limit 5: a thread still running at exit holds a block only in its
 * own __thread variable (its static TLS, at the top of its stack mapping). */
static __thread void *tls_other_keep;
static pthread_mutex_t tls_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tls_cv = PTHREAD_COND_INITIALIZER;
static int tls_ready;
static void *tls_worker(void *arg) {
    tls_other_keep = __memscope_malloc(72, &site_tls_other);
    if (arg) /* the library's dynamic TLS block of this thread holds one too */
        ((void (*)(void *))arg)(__memscope_malloc(56, &site_tls_dyn));
    pthread_mutex_lock(&tls_mu);
    tls_ready = 1;
    pthread_cond_broadcast(&tls_cv);
    pthread_mutex_unlock(&tls_mu);
    for (;;)
        pause();
    return arg;
}
static int tls_other(const char *lib) {
    void *set = NULL;
    if (lib) {
        void *h = dlopen(lib, RTLD_NOW);
        if (!h || !(set = dlsym(h, "rt_tlsdl_set"))) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
    }
    pthread_t th;
    if (pthread_create(&th, NULL, tls_worker, set) != 0)
        return 1;
    pthread_mutex_lock(&tls_mu);
    while (!tls_ready)
        pthread_cond_wait(&tls_cv, &tls_mu);
    pthread_mutex_unlock(&tls_mu);
    printf("ok\n");
    return 0; /* exit() with the worker still blocked */
}

/* exit() called from a function whose live local holds a block: the
 * caller's frame is a root, the block is reachable. */
static __attribute__((noinline)) void exit_with_local(void) {
    void *volatile keep = __memscope_malloc(40, &site_exit_local);
    printf("ok %d\n", keep != NULL);
    fflush(stdout);
    exit(0);
}

static int segv(void) {
    for (int i = 0; i < 10; i++)
        __memscope_malloc(10, &site_malloc);
    volatile int *np = (volatile int *)(uintptr_t)8;
    return *np;
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "basic";
    if (!strcmp(s, "basic"))
        return basic();
    if (!strcmp(s, "stress"))
        return stress(argc, argv);
    if (!strcmp(s, "fork"))
        return do_fork();
    if (!strcmp(s, "exec"))
        return do_exec(argv, argc > 2);
    if (!strcmp(s, "dlopen"))
        return do_dlopen(argc > 2 ? argv[2] : "");
    if (!strcmp(s, "signal"))
        return do_signal();
    if (!strcmp(s, "spin"))
        return spin();
    if (!strcmp(s, "doublefree"))
        return double_free();
    if (!strcmp(s, "_exit"))
        return quick_exit_();
    if (!strcmp(s, "leaks"))
        return leaks();
    if (!strcmp(s, "segv"))
        return segv();
    if (!strcmp(s, "xfer"))
        return xfer();
    if (!strcmp(s, "exit_local"))
        exit_with_local();
    if (!strcmp(s, "dtv"))
        return dtv();
    if (!strcmp(s, "tls_other"))
        return tls_other(argc > 2 ? argv[2] : NULL);
    fprintf(stderr, "rt_prog: unknown scenario %s\n", s);
    return 2;
}
