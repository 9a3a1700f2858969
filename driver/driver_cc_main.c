/*
 * driver_cc_main.c - memscope-cc and memscope-c++ (built twice, with
 * MS_DRIVER_CXX 0 and 1): a drop-in C/C++ compiler that runs clang-19 with
 * the memscope pass plugin and links the memscope runtime.
 *
 * It prints nothing of its own on success and returns the real compiler's
 * exit status exactly (it execs the compiler unless a temporary file needs
 * cleaning up); its own errors are "memscope-cc: ..." with exit status 2.
 * The rules are in docs/DRIVER.md; the decisions are in driver_args.c and
 * driver_build.c.
 */
#include "driver.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MS_DRIVER_CXX
#define MS_DRIVER_CXX 0
#endif
#ifndef MEMSCOPE_CLANG_PATH
#define MEMSCOPE_CLANG_PATH "clang-19"
#endif
#ifndef MEMSCOPE_CLANGXX_PATH
#define MEMSCOPE_CLANGXX_PATH "clang++-19"
#endif
#ifndef MEMSCOPE_VERSION_STRING
#define MEMSCOPE_VERSION_STRING "0.0.0"
#endif

#if MS_DRIVER_CXX
#define PROG "memscope-c++"
#define CLANG_ENV "MEMSCOPE_CLANGXX"
#define CLANG_DEFAULT MEMSCOPE_CLANGXX_PATH
#else
#define PROG "memscope-cc"
#define CLANG_ENV "MEMSCOPE_CLANG"
#define CLANG_DEFAULT MEMSCOPE_CLANG_PATH
#endif

/* Set in the real compiler's environment: seeing it on entry means the
 * "real compiler" ran a memscope driver again (a wrapper loop). */
#define LOOP_ENV "MEMSCOPE_DRIVER_ACTIVE"

enum { EXIT_OWN_ERROR = 2 };

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_OWN_ERROR);
}

static void usage(void) {
    printf("usage: " PROG " [clang options] [memscope options] FILES...\n"
           "\n"
           "A drop-in replacement for %s that instruments C%s code with the memscope\n"
           "pass and links the memscope runtime; run the program to get memscope.ms.\n"
           "\n"
           "memscope options (removed before clang sees the command line):\n"
           "  -fmemscope-no-alloc, -fmemscope-no-scope, -fmemscope-no-escape,\n"
           "  -fmemscope-no-dtor, -fmemscope-no-ctx, -fmemscope-no-late\n"
           "                       turn one instrumentation family off (-fno-memscope-X is\n"
           "                       the same; -fmemscope-X turns it on)\n"
           "  -fmemscope-dtor-patterns=LIST  destructor-style function name patterns\n"
           "  -fmemscope-allocators=LIST     extra allocators, e.g. xmalloc=malloc,xfree=free\n"
           "  -fmemscope-default-options=OPTS\n"
           "                       runtime defaults compiled into the program, in\n"
           "                       MEMSCOPE_OPTIONS syntax (e.g. compression=lz4:level=1);\n"
           "                       MEMSCOPE_OPTIONS at run time still overrides them\n"
           "  --memscope-help      this text\n"
           "  --memscope-version   version of memscope and of the compiler it runs\n"
           "  --memscope-print-config\n"
           "                       the compiler, plugin, runtime and headers it uses\n"
           "\n"
           "environment:\n"
           "  " CLANG_ENV "   the real compiler (default: %s)\n"
           "  MEMSCOPE_CC_VERBOSE=1  print the command it runs on stderr\n"
           "  MEMSCOPE_CC_DISABLE=1  run the real compiler unchanged (no instrumentation)\n",
           CLANG_DEFAULT, MS_DRIVER_CXX ? "++" : "", CLANG_DEFAULT);
}

/* The real compiler: $CLANG_ENV, else the one found at configure time.
 * Refuses the driver itself (directly or through a symlink). */
static char *find_compiler(const ms_drv_layout *l, const char **origin) {
    const char *want = getenv(CLANG_ENV);
    *origin = CLANG_ENV;
    if (!want || !*want) {
        want = CLANG_DEFAULT;
        *origin = "configured";
    }
    char *path = ms_drv_find_program(want);
    if (!path)
        die("cannot find the real compiler '%s' (from %s%s)", want, *origin,
            strcmp(*origin, CLANG_ENV) ? "; set " CLANG_ENV " to a clang-19" : "");
    if (l->exe && ms_drv_same_file(path, l->exe))
        die("the real compiler '%s' (from %s) is " PROG " itself; set " CLANG_ENV
            " to a real clang-19",
            path, *origin);
    return path;
}

static void need(const char *what, const char *path, int dir) {
    struct stat st;
    if (stat(path, &st) != 0 || (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
        die("cannot find %s at %s", what, path);
}

static int print_config(const ms_drv_layout *l) {
    const char *origin = NULL;
    char *cc = find_compiler(l, &origin);
    int missing = 0;
    printf(PROG " %s\n", MEMSCOPE_VERSION_STRING);
    printf("%-16s %s (%s)\n", "compiler:", cc, origin);
    printf("%-16s %s\n", "driver:", l->exe ? l->exe : "?");
    printf("%-16s %s\n", "prefix:", l->prefix);
    const struct { const char *name, *path; int dir; } items[] = {
        {"plugin:", l->plugin, 0},       {"include dir:", l->incdir, 1},
        {"runtime (a):", l->rt_static, 0}, {"msformat (a):", l->msformat, 0},
        {"dynamic list:", l->dynlist, 0}, {"runtime (so):", l->rt_shared, 0},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        struct stat st;
        int ok = stat(items[i].path, &st) == 0 &&
                 (items[i].dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
        missing += !ok;
        printf("%-16s %s%s\n", items[i].name, items[i].path, ok ? "" : " (missing)");
    }
    free(cc);
    return missing ? 1 : 0;
}

static int print_version(const ms_drv_layout *l) {
    const char *origin = NULL;
    char *cc = find_compiler(l, &origin);
    printf(PROG " (memscope) %s\ncompiler: %s\n", MEMSCOPE_VERSION_STRING, cc);
    free(cc);
    return 0;
}

/* ---- temporary directory for the default-options object ----------------- */
static char tmp_dir[4096], tmp_src[4200], tmp_obj[4200];

static void cleanup_tmp(void) {
    if (tmp_src[0])
        unlink(tmp_src);
    if (tmp_obj[0])
        unlink(tmp_obj);
    if (tmp_dir[0])
        rmdir(tmp_dir);
}

static void on_fatal_signal(int sig) {
    cleanup_tmp(); /* unlink/rmdir are async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Compile the object that defines __memscope_default_options(). */
static const char *make_default_options_obj(const char *cc, const ms_drv_class *c) {
    const char *t = getenv("TMPDIR");
    if (!t || !*t)
        t = "/tmp";
    if ((size_t)snprintf(tmp_dir, sizeof tmp_dir, "%s/memscope-cc.XXXXXX", t) >= sizeof tmp_dir)
        die("TMPDIR is too long");
    if (!mkdtemp(tmp_dir)) {
        int e = errno;
        tmp_dir[0] = '\0';
        die("cannot create a temporary directory in %s: %s", t, strerror(e));
    }
    signal(SIGINT, on_fatal_signal);
    signal(SIGTERM, on_fatal_signal);
    signal(SIGHUP, on_fatal_signal);
    snprintf(tmp_src, sizeof tmp_src, "%s/default_options.c", tmp_dir);
    snprintf(tmp_obj, sizeof tmp_obj, "%s/default_options.o", tmp_dir);
    char *src = ms_drv_default_options_source(c->default_options);
    FILE *f = src ? fopen(tmp_src, "w") : NULL;
    int ok = f && fputs(src, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    free(src);
    if (!ok) {
        cleanup_tmp();
        die("cannot write %s", tmp_src);
    }
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)cc;
    argv[n++] = "-c";
    argv[n++] = "-fPIC";
    if (c->mbits)
        argv[n++] = (char *)c->mbits;
    if (c->target) {
        argv[n++] = "-target";
        argv[n++] = (char *)c->target;
    }
    argv[n++] = "-x";
    argv[n++] = "c";
    argv[n++] = tmp_src;
    argv[n++] = "-o";
    argv[n++] = tmp_obj;
    argv[n] = NULL;
    int status = 0;
    if (ms_spawn_wait(PROG, cc, argv, &status) != 0 || ms_status_code(status) != 0) {
        cleanup_tmp();
        die("cannot compile the object for -fmemscope-default-options=%s", c->default_options);
    }
    return tmp_obj;
}

static void print_command(char *const *argv) {
    fputs(PROG ": running:", stderr);
    for (size_t i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fputc('\n', stderr);
}

/* Count own options in a vector (to tell whether a response file hid one). */
static size_t count_own(char *const *v, size_t n) {
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i], "--") == 0)
            break;
        else if (ms_drv_is_own(v[i]))
            k++;
    return k;
}

int main(int argc, char **argv) {
    if (getenv(LOOP_ENV))
        die("the real compiler runs a memscope driver again (a wrapper loop): set " CLANG_ENV
            " to a real clang-19, not to a memscope driver or a script that runs one");

    ms_drv_layout layout;
    ms_drv_error err = ms_drv_layout_init(&layout);
    if (err != MS_DRV_OK)
        die("cannot resolve its own executable (/proc/self/exe): %s",
            err == MS_DRV_ERR_IO ? strerror(errno) : ms_drv_error_name(err));

    ms_strvec expanded = {0};
    int did_expand = 0;
    err = ms_rsp_expand(argc, argv, &expanded, &did_expand);
    if (err == MS_DRV_ERR_RSP_DEPTH)
        die("response files nested too deeply (a response file that includes itself?)");
    if (err != MS_DRV_OK)
        die("out of memory");

    ms_drv_class c;
    const char *disable = getenv("MEMSCOPE_CC_DISABLE");
    if (disable && *disable && strcmp(disable, "0") != 0) {
        memset(&c, 0, sizeof c);
        c.passthrough = MS_PT_INFO; /* run the compiler as asked, minus own flags */
    } else if (ms_drv_classify(expanded.v, expanded.n, &c) != MS_DRV_OK) {
        die("unknown or malformed option '%s' (see --memscope-help)", c.bad_arg);
    }

    switch (c.action) {
    case MS_ACT_HELP:
        usage();
        return 0;
    case MS_ACT_VERSION:
        return print_version(&layout);
    case MS_ACT_PRINT_CONFIG:
        return print_config(&layout);
    case MS_ACT_COMPILE:
        break;
    }

    const char *origin = NULL;
    char *cc = find_compiler(&layout, &origin);

    if (ms_drv_needs_compile_pieces(&c)) {
        need("the memscope pass plugin", layout.plugin, 0);
        if (c.preprocess)
            need("the memscope headers", layout.incdir, 1);
    }
    if (ms_drv_needs_static_runtime(&c)) {
        need("the memscope runtime", layout.rt_static, 0);
        need("the memscope trace format library", layout.msformat, 0);
        need("the memscope dynamic list", layout.dynlist, 0);
    }
    if (ms_drv_needs_shared_runtime(&c))
        need("the memscope shared runtime", layout.rt_shared, 0);

    /* clang expands response files itself; keep them (their command lines
     * can be longer than an exec allows) unless one hides an own option. */
    char *const *user = argv;
    size_t nuser = (size_t)argc;
    if (did_expand && count_own(expanded.v, expanded.n) != count_own(argv, (size_t)argc)) {
        user = expanded.v;
        nuser = expanded.n;
    }

    const char *dflt_obj = NULL;
    if (c.default_options && (c.link == MS_LINK_EXE || c.link == MS_LINK_SHARED) &&
        c.passthrough == MS_PT_NONE)
        dflt_obj = make_default_options_obj(cc, &c);

    ms_drv_paths p = {
        .compiler = cc, .plugin = layout.plugin, .incdir = layout.incdir,
        .rt_static = layout.rt_static, .msformat = layout.msformat, .dynlist = layout.dynlist,
        .rt_shared = layout.rt_shared, .libdir = layout.libdir,
    };
    ms_strvec cmd = {0};
    if (ms_drv_build(&c, user, nuser, &p, dflt_obj, &cmd) != MS_DRV_OK) {
        cleanup_tmp();
        die("out of memory");
    }
    const char *verbose = getenv("MEMSCOPE_CC_VERBOSE");
    if (verbose && *verbose && strcmp(verbose, "0") != 0)
        print_command(cmd.v);

    setenv(LOOP_ENV, "1", 1);
    if (!dflt_obj) {
        execv(cc, cmd.v);
        die("cannot run %s: %s", cc, strerror(errno));
    }
    int status = 0;
    if (ms_spawn_wait(PROG, cc, cmd.v, &status) != 0) {
        int e = errno;
        cleanup_tmp();
        die("cannot run %s: %s", cc, strerror(e));
    }
    cleanup_tmp();
    ms_exit_like(status);
}
