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
#include <time.h>
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

/* Say where the trace went: the expected file, and other .ms files written
 * in its directory during the run (forked children, fallback names). */
static void report_traces(const char *expected, time_t start) {
    struct stat st;
    if (stat(expected, &st) == 0 && st.st_mtime >= start)
        fprintf(stderr, PROG ": trace written to %s (%lld bytes)\n", expected,
                (long long)st.st_size);
    else
        fprintf(stderr, PROG ": no trace was written to %s\n", expected);

    char *dir = strdup(expected);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    const char *base = expected;
    if (slash) {
        *slash = '\0';
        d = slash == dir ? "/" : dir;
        base = slash + 1;
    }
    DIR *dh = opendir(d);
    int shown = 0;
    for (struct dirent *e; dh && (e = readdir(dh));) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".ms") != 0 || strcmp(e->d_name, base) == 0)
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", d, e->d_name) >= sizeof path)
            continue;
        if (stat(path, &st) != 0 || st.st_mtime < start || !S_ISREG(st.st_mode))
            continue;
        if (shown++ == 16) {
            fprintf(stderr, PROG ": (more .ms files in %s)\n", d);
            break;
        }
        fprintf(stderr, PROG ": also written: %s (%lld bytes)\n", path, (long long)st.st_size);
    }
    if (dh)
        closedir(dh);
    free(dir);
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

    time_t start = time(NULL);
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
        report_traces(trace, start);
    free(trace);
    free(pattern);
    free(path);
    return ms_status_code(status);
}
