/*
 * driver.h - the pure parts of memscope-cc / memscope-c++ / memscope-run:
 * argument vectors, response files, classification of a compiler command
 * line, the argv handed to the real compiler, memscope-run's options and the
 * ELF symbol probe. The executables (driver_cc_main.c, driver_run_main.c)
 * do the I/O and the exec; everything here is testable without a compiler.
 *
 * Conventions: functions that can fail return an ms_drv_error (MS_DRV_OK ==
 * 0); nothing here exits, aborts or prints.
 */
#ifndef MEMSCOPE_DRIVER_H
#define MEMSCOPE_DRIVER_H

#include <stddef.h>

/* ---- errors: stable numbers, never renumbered ---------------------------- */
typedef enum {
    MS_DRV_OK = 0,
    MS_DRV_ERR_NOMEM = 1,
    MS_DRV_ERR_USAGE = 2,       /* a bad own option (-fmemscope-..., memscope-run args) */
    MS_DRV_ERR_IO = 3,          /* a file could not be read (errno kept) */
    MS_DRV_ERR_RSP_DEPTH = 4,   /* response files nested too deep (a loop) */
    MS_DRV_ERR_NOT_ELF = 5,     /* not an ELF file we can read */
    MS_DRV_ERR_CORRUPT = 6,     /* ELF file with out-of-bounds tables */
    MS_DRV_ERR_MAX_
} ms_drv_error;

/*! ms_drv_error_name() : stable short name, e.g. "MS_DRV_ERR_USAGE". */
const char *ms_drv_error_name(ms_drv_error e);

/* ---- growable, NULL-terminated vector of owned strings -------------------- */
typedef struct {
    char **v;      /* v[n] == NULL once anything was pushed */
    size_t n, cap;
} ms_strvec;

/*! ms_strvec_push() : append a copy of @s. @return MS_DRV_OK or NOMEM. */
ms_drv_error ms_strvec_push(ms_strvec *sv, const char *s);
/*! ms_strvec_pushn() : append a copy of the first @len bytes of @s. */
ms_drv_error ms_strvec_pushn(ms_strvec *sv, const char *s, size_t len);
/*! ms_strvec_push2() : append "@a@b" (concatenation), e.g. "-I" + dir. */
ms_drv_error ms_strvec_push2(ms_strvec *sv, const char *a, const char *b);
/*! ms_strvec_free() : free all strings and the array; leaves it empty. */
void ms_strvec_free(ms_strvec *sv);

/* ---- response files ---------------------------------------------------------
 * ms_rsp_tokenize() : split @text (of @len bytes) the way clang splits a
 *   response file on Linux (GNU rules: whitespace separates, '\' escapes the
 *   next character, also inside quotes; "..." and '...' group).
 *   Appends the words to @out.
 * ms_rsp_expand() : copy @argv[0..argc) to @out, replacing every "@file"
 *   whose file can be read by its words, recursively (a nested relative
 *   @file is looked up in the current directory, then beside the file that
 *   names it). An unreadable @file stays as it is, as clang keeps it.
 *   @expanded (may be NULL) is set to 1 when some @file was replaced.
 *   @return MS_DRV_OK, NOMEM, or RSP_DEPTH for more than 32 nested levels. */
ms_drv_error ms_rsp_tokenize(const char *text, size_t len, ms_strvec *out);
ms_drv_error ms_rsp_expand(int argc, char *const *argv, ms_strvec *out, int *expanded);

/* ---- classification --------------------------------------------------------- */

/* Why a command passes through untouched (0: it does not). */
typedef enum {
    MS_PT_NONE = 0,
    MS_PT_NO_INPUT = 1,     /* no input files: `cc`, `cc -O2`, `cc -x c` */
    MS_PT_PREPROCESS = 2,   /* -E, -M, -MM (without compiling) */
    MS_PT_SYNTAX_ONLY = 3,  /* -fsyntax-only */
    MS_PT_INFO = 4,         /* --version -v -### -dump* -print-* --help */
    MS_PT_NOTHING_TO_DO = 5 /* -c/-S of inputs memscope does not instrument (.s, .o, .ll) */
} ms_passthrough;

/* What the link step produces, if there is one. */
typedef enum {
    MS_LINK_NONE = 0,   /* -c, -S, -E or pass-through: no link flags */
    MS_LINK_EXE = 1,    /* an executable: static runtime, exported entry points */
    MS_LINK_SHARED = 2, /* -shared: the shared runtime, never the static one */
    MS_LINK_BARE = 3    /* -r or -nostdlib/-nodefaultlibs: add nothing */
} ms_link_kind;

/* The driver's own actions (its --memscope-* flags). */
typedef enum {
    MS_ACT_COMPILE = 0, /* run the compiler */
    MS_ACT_HELP = 1,
    MS_ACT_VERSION = 2,
    MS_ACT_PRINT_CONFIG = 3
} ms_action;

#define MS_DRV_MAX_PASS_OPTS 32

typedef struct {
    ms_action action;
    ms_passthrough passthrough; /* != MS_PT_NONE: exec the user's args as given */
    int compile;           /* a C-family input is compiled here: add compile flags */
    int preprocess;        /* ...and some such input is preprocessed: add -I/-D */
    ms_link_kind link;
    int user_g;            /* the user chose a debug level (-g, -g0, -ggdb, -gdwarf-4, ...) */
    int user_mllvm_memscope; /* the user passed -mllvm -memscope-... themselves */
    int has_dashdash;      /* a top-level "--" ends the options */
    const char *x_lang;    /* the -x language in force after the options, or NULL
                            * (files the driver appends must not be read as it) */
    size_t n_inputs;       /* inputs: files, "-", -l libraries */
    size_t n_cfamily;      /* C, C++, Objective-C sources, headers, .i/.ii */
    /* Mapped pass options: name "-memscope-scope", value "false" (static
     * storage or the classified argv; valid while that argv lives). One
     * entry per name: a later flag replaces an earlier one. */
    const char *pass_opt[MS_DRV_MAX_PASS_OPTS];
    const char *pass_val[MS_DRV_MAX_PASS_OPTS];
    size_t n_pass;
    const char *default_options; /* last -fmemscope-default-options= value, or NULL */
    /* Target selection to reuse when compiling the default-options object. */
    const char *target;    /* --target= / -target value, or NULL */
    const char *mbits;     /* "-m32", "-m64" or "-mx32" (last one), or NULL */
    const char *bad_arg;   /* on MS_DRV_ERR_USAGE: the offending argument */
} ms_drv_class;

/*! ms_drv_is_own() : 1 if @arg is one of the driver's own options
 *  (-fmemscope-*, -fno-memscope-*, --memscope-*), which never reach clang. */
int ms_drv_is_own(const char *arg);

/*! ms_drv_classify() : classify the (response-file expanded) compiler
 *  arguments @args[1..n) (args[0] is the program name and is ignored).
 *  @return MS_DRV_OK; MS_DRV_ERR_USAGE with c->bad_arg set for an unknown or
 *  malformed own option. Pointers in @c point into @args or static storage. */
ms_drv_error ms_drv_classify(char *const *args, size_t n, ms_drv_class *c);

/* Paths the build step needs (absolute). */
typedef struct {
    const char *compiler;   /* the real compiler: argv[0] of the exec */
    const char *plugin;     /* L/memscope-pass.so */
    const char *incdir;     /* <prefix>/include/memscope */
    const char *rt_static;  /* L/libmemscope_rt.a */
    const char *msformat;   /* L/libmsformat.a */
    const char *dynlist;    /* L/memscope.dynlist */
    const char *rt_shared;  /* L/libmemscope_rt.so */
    const char *libdir;     /* L */
} ms_drv_paths;

/*! ms_drv_build() : the argv to exec. @user is the argument vector the user's
 *  arguments come from (argv as given, or the expanded one when an own option
 *  hid in a response file); own options are removed from it. @p supplies
 *  only the paths the class needs. @dflt_obj: an object defining
 *  __memscope_default_options() to add to the link, or NULL.
 *  Pass-through classes get the user's arguments only.
 *  @return MS_DRV_OK or NOMEM; @out is appended to. */
ms_drv_error ms_drv_build(const ms_drv_class *c, char *const *user, size_t n,
                          const ms_drv_paths *p, const char *dflt_obj, ms_strvec *out);

/*! ms_drv_needs_*() : which installed pieces a class needs (1/0). */
int ms_drv_needs_compile_pieces(const ms_drv_class *c);
int ms_drv_needs_static_runtime(const ms_drv_class *c);
int ms_drv_needs_shared_runtime(const ms_drv_class *c);

/*! ms_drv_default_options_source() : the C source of the default-options
 *  object: `const char *__memscope_default_options(void) { return "..."; }`
 *  with @opts escaped as a C string literal. Caller frees. NULL on NOMEM. */
char *ms_drv_default_options_source(const char *opts);

/* ---- memscope-run ------------------------------------------------------------ */
typedef enum {
    MS_RUN_EXEC = 0,  /* run the program */
    MS_RUN_HELP = 1,
    MS_RUN_VERSION = 2
} ms_run_action;

typedef struct {
    ms_run_action action;
    const char *output;      /* -o FILE, or NULL */
    const char *compression; /* --compression, validated, or NULL */
    const char *level;       /* --level, validated integer text, or NULL */
    int prog_index;          /* argv index of PROGRAM (ARGS follow it) */
    const char *error;       /* on MS_DRV_ERR_USAGE: a static message */
    const char *bad_arg;     /* ... and the argument it is about, or NULL */
} ms_run_args;

/*! ms_run_parse() : parse `memscope-run [-o FILE] [--compression C]
 *  [--level N] [--] PROGRAM ARGS...` (also -o=F/--output=F, --compression=C,
 *  --level=N, -h/--help, --version). Options stop at the first non-option.
 *  @return MS_DRV_OK or MS_DRV_ERR_USAGE (r->error, r->bad_arg set). */
ms_drv_error ms_run_parse(int argc, char *const *argv, ms_run_args *r);

/*! ms_run_options() : MEMSCOPE_OPTIONS for the run: @existing (may be NULL or
 *  empty) then ":output=...:compression=...:level=..." for what @r sets, so
 *  the run's own choices come last (the runtime's parser lets the last
 *  occurrence win). Caller frees; NULL on NOMEM. An @existing that already
 *  names output= keeps it unless -o was given. */
char *ms_run_options(const char *existing, const ms_run_args *r);

/*! ms_run_expand_output() : the file name the runtime will use for the
 *  output pattern @pattern (%p -> @pid, %e -> @exe_name, %% -> %).
 *  Caller frees; NULL on NOMEM. */
char *ms_run_expand_output(const char *pattern, long pid, const char *exe_name);

/*! ms_run_option_value() : the value of the last @key=... in a
 *  MEMSCOPE_OPTIONS string, as a fresh string (caller frees), or NULL. */
char *ms_run_option_value(const char *options, const char *key);

/* ---- ELF probe ----------------------------------------------------------------- */

/*! ms_elf_defines() : whether the ELF file @path defines the symbol @name
 *  (in .dynsym or .symtab, section index not UNDEF).
 *  @return 1 defined, 0 not defined; -MS_DRV_ERR_IO, -MS_DRV_ERR_NOT_ELF or
 *  -MS_DRV_ERR_CORRUPT (negated error numbers) when it cannot tell. */
int ms_elf_defines(const char *path, const char *name);
/*! ms_elf_defines_mem() : the same over a buffer (for tests and fuzzing). */
int ms_elf_defines_mem(const unsigned char *buf, size_t len, const char *name);


/* ---- installation layout (I/O: reads /proc/self/exe, stats files) ---------- */

/* Where the driver's pieces live: <prefix>/bin/<driver>, L = <prefix>/lib/memscope. */
typedef struct {
    char *exe;       /* the running driver, resolved (realpath of /proc/self/exe) */
    char *prefix;
    char *libdir;    /* L */
    char *plugin;    /* L/memscope-pass.so */
    char *rt_static; /* L/libmemscope_rt.a */
    char *msformat;  /* L/libmsformat.a */
    char *rt_shared; /* L/libmemscope_rt.so */
    char *dynlist;   /* L/memscope.dynlist */
    char *incdir;    /* <prefix>/include/memscope */
} ms_drv_layout;

/*! ms_drv_layout_init() : fill @l from the driver's own executable
 *  (/proc/self/exe, two directories up). @return MS_DRV_OK, NOMEM, or IO
 *  (errno kept) when /proc/self/exe cannot be resolved. */
ms_drv_error ms_drv_layout_init(ms_drv_layout *l);
/*! ms_drv_layout_from_prefix() : the same for an explicit @prefix (@exe may be NULL). */
ms_drv_error ms_drv_layout_from_prefix(ms_drv_layout *l, const char *prefix, const char *exe);
void ms_drv_layout_free(ms_drv_layout *l);

/*! ms_drv_find_program() : @name as the shell finds it: a name with a '/' as
 *  is, else the first executable regular file of that name in $PATH (an
 *  empty PATH element means "."). @return a fresh string, or NULL (errno
 *  ENOENT when there is none, ENOMEM). */
char *ms_drv_find_program(const char *name);

/*! ms_drv_same_file() : 1 if @a and @b name the same file (after symlinks). */
int ms_drv_same_file(const char *a, const char *b);

/* ---- processes (I/O) ---------------------------------------------------------
 * Defined in driver_spawn.c, which is linked into the executables only (not
 * into memscope_driver): ms_exit_like() ends the process. */

/*! ms_spawn_wait() : run @path with @argv (environment inherited), wait for
 *  it, store its wait status in @status. @return 0, or -1 with errno when it
 *  could not be started (fork failed; an exec failure is exit status 127,
 *  126 for a file that is not executable, with a message on stderr naming
 *  @who). */
int ms_spawn_wait(const char *who, const char *path, char *const *argv, int *status);

/*! ms_status_code() : the exit status a shell reports for wait status
 *  @status: the exit code, or 128 + signal number. */
int ms_status_code(int status);

/*! ms_exit_like() : end this process the way @status says the child ended:
 *  exit with its code, or re-raise its signal with the default action (so
 *  the parent sees the same death), 128 + signal if that returns. */
void ms_exit_like(int status);

#endif /* MEMSCOPE_DRIVER_H */
