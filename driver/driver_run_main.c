/*
 * driver_run_main.c - memscope-run: run a program with MEMSCOPE_OPTIONS set
 * from its own flags, preload the shared runtime when the program was not
 * built with memscope-cc (like `heaptrack ./prog`), and say on stderr where
 * the trace went. Returns the program's exit status (128 + signal if it was
 * killed); its own errors are "memscope-run: ..." with exit status 2.
 */
#include "driver.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MEMSCOPE_VERSION_STRING
#define MEMSCOPE_VERSION_STRING "0.0.0"
#endif

#define PROG "memscope-run"
#define INIT_SYMBOL "__memscope_init_v1" /* MEMSCOPE_INIT_SYMBOL in memscope_abi.h */
#define DEFAULT_OUTPUT "memscope.ms"

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " [-o FILE] [--compression zstd|lz4|brotli|none] [--level N] [--]\n"
            "                    PROGRAM [ARGS...]\n"
            "\n"
            "Runs PROGRAM with memscope tracing and reports where the trace went.\n"
            "  -o, --output FILE    trace file (%%p: process id, %%e: executable name);\n"
            "                       default: memscope.ms in the working directory\n"
            "  --compression C      chunk codec: zstd (default), lz4, brotli, none\n"
            "  --level N            compression level\n"
            "  -h, --help           this text;  --version  the version\n"
            "The options are appended to MEMSCOPE_OPTIONS (later keys win). A program\n"
            "not built with memscope-cc gets the shared runtime through LD_PRELOAD:\n"
            "its whole heap is traced with stacks, without static sites.\n");
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig) {
    if (child_pid > 0)
        kill((pid_t)child_pid, sig);
}

/* The .ms files of one directory with their times and sizes, taken before
 * the run, so that afterwards only the files the run wrote are named. */
typedef struct {
    char *name;
    struct timespec mtime;
    off_t size;
} ms_seen;

typedef struct {
    ms_seen *v;
    size_t n;
} ms_seen_set;

static int is_trace_name(const char *name) {
    size_t l = strlen(name);
    return l >= 4 && strcmp(name + l - 3, ".ms") == 0;
}

/* Fill @set with the .ms files of @dir (best effort: a failure leaves it short). */
static void snapshot(const char *dir, ms_seen_set *set) {
    set->v = NULL;
    set->n = 0;
    DIR *dh = opendir(dir);
    size_t cap = 0;
    for (struct dirent *e; dh && (e = readdir(dh));) {
        if (!is_trace_name(e->d_name))
            continue;
        struct stat st;
        if (fstatat(dirfd(dh), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (set->n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            ms_seen *nv = realloc(set->v, nc * sizeof *nv);
            if (!nv)
                break;
            set->v = nv;
            cap = nc;
        }
        char *name = strdup(e->d_name);
        if (!name)
            break;
        set->v[set->n++] = (ms_seen){name, st.st_mtim, st.st_size};
    }
    if (dh)
        closedir(dh);
}

static int unchanged(const ms_seen_set *set, const char *name, const struct stat *st) {
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i].name, name) == 0)
            return set->v[i].size == st->st_size && set->v[i].mtime.tv_sec == st->st_mtim.tv_sec &&
                   set->v[i].mtime.tv_nsec == st->st_mtim.tv_nsec;
    return 0;
}

static void snapshot_free(ms_seen_set *set) {
    for (size_t i = 0; i < set->n; i++)
        free(set->v[i].name);
    free(set->v);
}

/* Split @path into a directory (fresh string) and its last component. */
static char *dir_of(const char *path, const char **base) {
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Say where the trace went: the expected file, and the other .ms files in
 * its directory that the run created or changed (forked children, the
 * runtime's fallback names). */
static void report_traces(const char *expected, const char *dir, const ms_seen_set *before) {
    const char *base = strrchr(expected, '/') ? strrchr(expected, '/') + 1 : expected;
    struct stat st;
    if (stat(expected, &st) == 0 && !unchanged(before, base, &st))
        fprintf(stderr, PROG ": trace written to %s (%lld bytes)\n", expected,
                (long long)st.st_size);
    else
        fprintf(stderr, PROG ": no trace was written to %s\n", expected);

    DIR *dh = opendir(dir);
    int shown = 0;
    for (struct dirent *e; dh && (e = readdir(dh));) {
        if (!is_trace_name(e->d_name) || strcmp(e->d_name, base) == 0)
            continue;
        if (fstatat(dirfd(dh), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode) ||
            unchanged(before, e->d_name, &st))
            continue;
        if (shown++ == 16) {
            fprintf(stderr, PROG ": (more new .ms files in %s)\n", dir);
            break;
        }
        fprintf(stderr, PROG ": also written: %s%s%s (%lld bytes)\n",
                strcmp(dir, ".") ? dir : "", strcmp(dir, ".") && strcmp(dir, "/") ? "/" : "",
                e->d_name, (long long)st.st_size);
    }
    if (dh)
        closedir(dh);
}

int main(int argc, char **argv) {
    ms_run_args r;
    if (ms_run_parse(argc, argv, &r) != MS_DRV_OK) {
        if (r.bad_arg)
            fprintf(stderr, PROG ": %s: '%s'\n", r.error, r.bad_arg);
        else
            fprintf(stderr, PROG ": %s\n", r.error);
        usage(stderr);
        return 2;
    }
    if (r.action == MS_RUN_HELP) {
        usage(stdout);
        return 0;
    }
    if (r.action == MS_RUN_VERSION) {
        printf(PROG " (memscope) %s\n", MEMSCOPE_VERSION_STRING);
        return 0;
    }

    const char *prog = argv[r.prog_index];
    char *path = ms_drv_find_program(prog);
    if (!path)
        die(127, "cannot find program '%s'", prog);

    int instrumented = ms_elf_defines(path, INIT_SYMBOL);
    if (instrumented == 0) {
        ms_drv_layout l;
        if (ms_drv_layout_init(&l) != MS_DRV_OK)
            die(2, "cannot resolve its own executable (/proc/self/exe)");
        struct stat st;
        if (stat(l.rt_shared, &st) != 0)
            die(2, "cannot find the memscope shared runtime at %s", l.rt_shared);
        const char *old = getenv("LD_PRELOAD");
        size_t len = strlen(l.rt_shared) + (old ? strlen(old) : 0) + 2;
        char *pre = malloc(len);
        if (!pre)
            die(2, "out of memory");
        snprintf(pre, len, "%s%s%s", l.rt_shared, old && *old ? ":" : "", old ? old : "");
        setenv("LD_PRELOAD", pre, 1);
        free(pre);
        ms_drv_layout_free(&l);
    } else if (instrumented < 0) {
        fprintf(stderr, PROG ": %s is not an ELF executable (a script?): running it without "
                        "preloading the runtime\n", path);
    }

    const char *old_opts = getenv("MEMSCOPE_OPTIONS");
    char *opts = ms_run_options(old_opts, &r);
    if (!opts)
        die(2, "out of memory");
    if (*opts)
        setenv("MEMSCOPE_OPTIONS", opts, 1);
    free(opts);
    char *pattern = r.output ? strdup(r.output) : ms_run_option_value(old_opts, "output");
    if (!pattern)
        pattern = strdup(DEFAULT_OUTPUT);
    if (!pattern)
        die(2, "out of memory");

    /* The trace's name is known before the run, except for %p. */
    char *guess = ms_run_expand_output(pattern, 0, "x");
    const char *guess_base = NULL;
    char *dir = guess ? dir_of(guess, &guess_base) : NULL;
    if (!dir)
        die(2, "out of memory");
    ms_seen_set before;
    snapshot(dir, &before);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die(2, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        execv(path, argv + r.prog_index);
        int e = errno;
        fprintf(stderr, PROG ": cannot run %s: %s\n", path, strerror(e));
        _exit(e == EACCES || e == ENOEXEC ? 126 : 127);
    }
    child_pid = pid;
    /* Like system(): the terminal's ^C and ^\ are for the program; a kill
     * aimed at us is passed on to it. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTERM, forward_signal);
    signal(SIGHUP, forward_signal);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            die(2, "waiting for %s: %s", path, strerror(errno));
    }
    const char *exe_base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *trace = ms_run_expand_output(pattern, (long)pid, exe_base);
    if (trace)
        report_traces(trace, dir, &before);
    snapshot_free(&before);
    free(trace);
    free(guess);
    free(dir);
    free(pattern);
    free(path);
    return ms_status_code(status);
}
