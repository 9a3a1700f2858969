/*
 * driver_args.c - classification of a compiler command line: does it
 * compile C-family sources (add the plugin and friends), link (add which
 * runtime), or must it pass through untouched (probes, -E, -M, --version)?
 * Pure functions over argv; the rules are in docs/DRIVER.md.
 */
#include "driver.h"

#include <string.h>

/* Kinds of input file, from -x or the file name's extension. */
typedef enum {
    IN_SOURCE,   /* C, C++, Objective-C: preprocessed and compiled */
    IN_PP,       /* already preprocessed (.i, .ii, .mi, .mii) */
    IN_HEADER,   /* a header given as input (precompiled header) */
    IN_ASM,      /* .s: assembled only */
    IN_ASM_CPP,  /* .S: preprocessed, then assembled */
    IN_OTHER,    /* compiled, but not by us: .ll, .bc, .cu, Fortran, ... */
    IN_LINKER    /* objects, archives, shared libraries, -lfoo */
} input_kind;

static int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Options whose value is the next argument when given alone ("-o out").
 * Joined forms ("-oout", "-I/x") need no entry. */
static const char *const separate_opts[] = {
    "-o", "-x", "-I", "-D", "-U", "-L", "-l", "-u", "-T", "-z", "-e", "-B", "-F", "-G", "-A",
    "-MF", "-MT", "-MQ", "-MJ", "-include", "-imacros", "-iquote", "-isystem", "-idirafter",
    "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-ivfsoverlay",
    "-iframework", "-imultilib", "-cxx-isystem", "-isystem-after", "-include-pch",
    "-Xlinker", "-Xclang", "-Xassembler", "-Xpreprocessor", "-Xanalyzer", "-Xopenmp-target",
    "-Xcuda-fatbinary", "-Xcuda-ptxas", "-Xarch_host", "-Xarch_device", "-mllvm", "-target",
    "-arch", "-rpath", "-dependency-file", "-dependency-dot", "-serialize-diagnostics",
    "-working-directory", "-resource-dir", "--sysroot", "--param", "-dumpdir", "-dumpbase",
    "-dumpbase-ext", "-aux-info", "-specs", "--gcc-toolchain", "-framework", "-install_name",
    "-ccc-gcc-name", "-ccc-install-dir", "--config", "--rtlib", "--unwindlib", "-module-dependency-dir",
    "-fmodule-map-file", "-fmodules-cache-path", "--output", "--include-directory",
    "--define-macro", "--undefine-macro", "--library-directory", "--include", "--imacros",
    "--include-directory-after", "--include-prefix", "--include-with-prefix",
    "--include-with-prefix-before", "--dependent-lib", "--assert",
    NULL,
};

static int takes_separate_value(const char *a) {
    for (size_t i = 0; separate_opts[i]; i++)
        if (streq(a, separate_opts[i]))
            return 1;
    return 0;
}

/* Options that only ask the compiler about itself. */
static int is_info_opt(const char *a) {
    static const char *const exact[] = {
        "--version", "-v", "--verbose", "-###", "--help", "-help", "--help-hidden",
        "-dumpversion", "-dumpmachine", "-dumpfullversion", "-dumpspecs", "--target-help",
        NULL,
    };
    for (size_t i = 0; exact[i]; i++)
        if (streq(a, exact[i]))
            return 1;
    return starts(a, "-print-") || starts(a, "--print-") || starts(a, "-ccc-print-") ||
           starts(a, "--autocomplete=");
}

/* A debug *level* the user chose; modifiers (-gz, -gsplit-dwarf,
 * -gcolumn-info, -gno-*, ...) do not enable debug info on their own. */
static int is_debug_level_opt(const char *a) {
    if (a[0] != '-' || a[1] != 'g')
        return 0;
    const char *r = a + 2;
    if (*r == '\0')
        return 1;
    if (r[0] >= '0' && r[0] <= '3' && r[1] == '\0')
        return 1;
    static const char *const level[] = {
        "gdb", "dwarf", "line-tables-only", "line-directives-only", "codeview", "lldb", "sce",
        "dbx", "full", "used", "stabs", "xcoff", "vms", NULL,
    };
    for (size_t i = 0; level[i]; i++) {
        size_t l = strlen(level[i]);
        if (strncmp(r, level[i], l) == 0) {
            const char *tail = r + l;
            /* -ggdb, -ggdb3, -gdwarf, -gdwarf-4 (not -gdwarf64/-gdwarf32: formats) */
            if (*tail == '\0' || (tail[0] >= '0' && tail[0] <= '3' && tail[1] == '\0') ||
                (tail[0] == '-' && tail[1] >= '2' && tail[1] <= '5' && tail[2] == '\0' &&
                 streq(level[i], "dwarf")))
                return 1;
        }
    }
    return 0;
}

static input_kind kind_of_lang(const char *lang) {
    static const struct { const char *name; input_kind kind; } langs[] = {
        {"c", IN_SOURCE}, {"c++", IN_SOURCE}, {"objective-c", IN_SOURCE},
        {"objective-c++", IN_SOURCE}, {"c-header", IN_HEADER}, {"c++-header", IN_HEADER},
        {"objective-c-header", IN_HEADER}, {"objective-c++-header", IN_HEADER},
        {"c++-system-header", IN_HEADER}, {"c++-user-header", IN_HEADER},
        {"cpp-output", IN_PP}, {"c++-cpp-output", IN_PP}, {"objective-c-cpp-output", IN_PP},
        {"objc-cpp-output", IN_PP}, {"objective-c++-cpp-output", IN_PP},
        {"objc++-cpp-output", IN_PP}, {"assembler", IN_ASM},
        {"assembler-with-cpp", IN_ASM_CPP}, {NULL, IN_OTHER},
    };
    for (size_t i = 0; langs[i].name; i++)
        if (streq(lang, langs[i].name))
            return langs[i].kind;
    return IN_OTHER; /* ir, cuda, hip, f95, ... */
}

static input_kind kind_of_file(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return IN_LINKER;
    const char *e = dot + 1;
    static const struct { const char *ext; input_kind kind; } exts[] = {
        {"c", IN_SOURCE}, {"cc", IN_SOURCE}, {"cp", IN_SOURCE}, {"cxx", IN_SOURCE},
        {"cpp", IN_SOURCE}, {"CPP", IN_SOURCE}, {"c++", IN_SOURCE}, {"C", IN_SOURCE},
        {"m", IN_SOURCE}, {"mm", IN_SOURCE}, {"M", IN_SOURCE}, {"i", IN_PP}, {"ii", IN_PP},
        {"mi", IN_PP}, {"mii", IN_PP}, {"h", IN_HEADER}, {"hh", IN_HEADER},
        {"hpp", IN_HEADER}, {"hxx", IN_HEADER}, {"H", IN_HEADER}, {"h++", IN_HEADER},
        {"s", IN_ASM}, {"S", IN_ASM_CPP}, {"sx", IN_ASM_CPP}, {"ll", IN_OTHER},
        {"bc", IN_OTHER}, {"cu", IN_OTHER}, {"hip", IN_OTHER}, {"f", IN_OTHER},
        {"f90", IN_OTHER}, {"f95", IN_OTHER}, {"F", IN_OTHER}, {"F90", IN_OTHER},
        {"cl", IN_OTHER}, {"cppm", IN_OTHER}, {"ccm", IN_OTHER}, {"cxxm", IN_OTHER},
        {"c++m", IN_OTHER}, {"pcm", IN_OTHER}, {NULL, IN_LINKER},
    };
    for (size_t i = 0; exts[i].ext; i++)
        if (streq(e, exts[i].ext))
            return exts[i].kind;
    return IN_LINKER; /* .o, .a, .so, .so.1, .lo, ... */
}

int ms_drv_is_own(const char *a) {
    return starts(a, "-fmemscope-") || starts(a, "-fno-memscope-") || starts(a, "--memscope-");
}

/* Pass options: booleans (-fmemscope-X, -fmemscope-no-X, -fno-memscope-X)
 * and valued ones (-fmemscope-X=V). */
static const char *const bool_opts[] = {"alloc", "scope", "escape", "dtor", "ctx", "late", NULL};
static const char *const bool_llvm[] = {"-memscope-alloc", "-memscope-scope", "-memscope-escape",
                                        "-memscope-dtor", "-memscope-ctx", "-memscope-late", NULL};
static const char *const val_opts[] = {"dtor-patterns", "allocators", NULL};
static const char *const val_llvm[] = {"-memscope-dtor-patterns", "-memscope-allocators", NULL};

static ms_drv_error add_pass_opt(ms_drv_class *c, const char *name, const char *val,
                                 const char *arg) {
    for (size_t i = 0; i < c->n_pass; i++)
        if (streq(c->pass_opt[i], name)) {
            c->pass_val[i] = val;
            return MS_DRV_OK;
        }
    if (c->n_pass >= MS_DRV_MAX_PASS_OPTS) {
        c->bad_arg = arg;
        return MS_DRV_ERR_USAGE;
    }
    c->pass_opt[c->n_pass] = name;
    c->pass_val[c->n_pass] = val;
    c->n_pass++;
    return MS_DRV_OK;
}

static ms_drv_error parse_own(const char *a, ms_drv_class *c) {
    if (streq(a, "--memscope-help")) {
        c->action = MS_ACT_HELP;
        return MS_DRV_OK;
    }
    if (streq(a, "--memscope-version")) {
        if (c->action == MS_ACT_COMPILE)
            c->action = MS_ACT_VERSION;
        return MS_DRV_OK;
    }
    if (streq(a, "--memscope-print-config")) {
        if (c->action == MS_ACT_COMPILE)
            c->action = MS_ACT_PRINT_CONFIG;
        return MS_DRV_OK;
    }
    if (starts(a, "-fmemscope-default-options=")) {
        c->default_options = a + strlen("-fmemscope-default-options=");
        return MS_DRV_OK;
    }
    const char *name = NULL;
    int on = 1;
    if (starts(a, "-fno-memscope-")) {
        name = a + strlen("-fno-memscope-");
        on = 0;
    } else if (starts(a, "-fmemscope-no-")) {
        name = a + strlen("-fmemscope-no-");
        on = 0;
    } else if (starts(a, "-fmemscope-")) {
        name = a + strlen("-fmemscope-");
    }
    if (name) {
        for (size_t i = 0; bool_opts[i]; i++)
            if (streq(name, bool_opts[i]))
                return add_pass_opt(c, bool_llvm[i], on ? "true" : "false", a);
        if (on)
            for (size_t i = 0; val_opts[i]; i++) {
                size_t l = strlen(val_opts[i]);
                if (strncmp(name, val_opts[i], l) == 0 && name[l] == '=')
                    return add_pass_opt(c, val_llvm[i], name + l + 1, a);
            }
    }
    c->bad_arg = a;
    return MS_DRV_ERR_USAGE;
}

ms_drv_error ms_drv_classify(char *const *args, size_t n, ms_drv_class *c) {
    memset(c, 0, sizeof *c);
    int has_E = 0, has_M = 0, syntax_only = 0, compile_only = 0, info = 0;
    int shared = 0, bare = 0, analyze = 0;
    size_t n_pp_sources = 0, n_non_header = 0;
    const char *lang = NULL; /* -x LANG in force, NULL for "by extension" */
    int dashdash = 0;

    for (size_t i = 1; i < n; i++) {
        const char *a = args[i];
        int is_input = dashdash || a[0] != '-' || streq(a, "-");
        if (!is_input && ms_drv_is_own(a)) {
            ms_drv_error err = parse_own(a, c);
            if (err != MS_DRV_OK)
                return err;
            continue;
        }
        if (!is_input && streq(a, "--")) {
            dashdash = 1;
            c->has_dashdash = 1;
            continue;
        }
        if (is_input) {
            input_kind k = lang ? kind_of_lang(lang) : kind_of_file(a);
            if (!lang && streq(a, "-"))
                k = IN_SOURCE; /* clang insists on -x for stdin (except -E) */
            c->n_inputs++;
            if (k == IN_SOURCE || k == IN_PP || k == IN_HEADER)
                c->n_cfamily++;
            if (k == IN_SOURCE || k == IN_HEADER)
                n_pp_sources++;
            if (k != IN_HEADER)
                n_non_header++;
            continue;
        }
        /* Options. */
        if ((streq(a, "-x") || streq(a, "--language")) && i + 1 < n) {
            lang = streq(args[i + 1], "none") ? NULL : args[i + 1];
            i++;
            continue;
        }
        if ((a[1] == 'x' && a[2] != '\0') || starts(a, "--language=")) {
            const char *l = a[1] == 'x' ? a + 2 : a + strlen("--language="); /* -xc, -xc++ */
            lang = streq(l, "none") ? NULL : l;
            continue;
        }
        if (starts(a, "-l")) { /* a library is a linker input */
            c->n_inputs++;
            n_non_header++;
            if (a[2] == '\0')
                i++;
            continue;
        }
        if (is_info_opt(a)) {
            info = 1;
            continue;
        }
        if (streq(a, "-E")) has_E = 1;
        else if (streq(a, "-M") || streq(a, "-MM")) has_M = 1;
        else if (streq(a, "-fsyntax-only")) syntax_only = 1;
        else if (streq(a, "--analyze") || streq(a, "--analyzer-output")) analyze = 1;
        else if (streq(a, "-c") || streq(a, "-S") || streq(a, "--precompile") ||
                 streq(a, "-emit-ast"))
            compile_only = 1;
        else if (streq(a, "-shared")) shared = 1;
        else if (streq(a, "-r") || streq(a, "-nostdlib") || streq(a, "-nodefaultlibs") ||
                 streq(a, "-nolibc"))
            bare = 1;
        else if (streq(a, "-m32") || streq(a, "-m64") || streq(a, "-mx32")) c->mbits = a;
        else if (starts(a, "--target=")) c->target = a + strlen("--target=");
        else if (is_debug_level_opt(a)) c->user_g = 1;

        if (takes_separate_value(a) && i + 1 < n) {
            const char *v = args[i + 1];
            if (streq(a, "-mllvm") && starts(v, "-memscope-"))
                c->user_mllvm_memscope = 1;
            if (streq(a, "-target"))
                c->target = v;
            i++;
        }
    }

    c->x_lang = lang;
    if (c->action != MS_ACT_COMPILE)
        return MS_DRV_OK;
    if (info)
        c->passthrough = MS_PT_INFO;
    else if (c->n_inputs == 0)
        c->passthrough = MS_PT_NO_INPUT;
    else if (has_E || has_M)
        c->passthrough = MS_PT_PREPROCESS;
    else if (syntax_only || analyze)
        c->passthrough = MS_PT_SYNTAX_ONLY;
    if (c->passthrough != MS_PT_NONE)
        return MS_DRV_OK;

    c->compile = c->n_cfamily > 0;
    c->preprocess = c->compile && n_pp_sources > 0;
    if (!compile_only && n_non_header > 0)
        c->link = bare ? MS_LINK_BARE : shared ? MS_LINK_SHARED : MS_LINK_EXE;
    if (!c->compile && (c->link == MS_LINK_NONE || c->link == MS_LINK_BARE))
        c->passthrough = MS_PT_NOTHING_TO_DO;
    return MS_DRV_OK;
}
