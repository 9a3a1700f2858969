/*
 * test_driver_args.c - memscope-cc's argument classification over real
 * command lines (autoconf probes, libtool, CMake's compiler checks, Lua's
 * Makefile, -E/-M, -shared -fPIC, -x c -, -o -), and the exact argv it
 * builds for each kind of step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

/* Split a command line on single spaces into a NULL-terminated vector. */
static ms_strvec split(const char *line) {
    ms_strvec v = {0};
    const char *p = line;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        assert_int_equal(ms_strvec_pushn(&v, p, l), MS_DRV_OK);
        p += l;
    }
    return v;
}

/* Join a vector with single spaces (caller frees). */
static char *join(const ms_strvec *v) {
    size_t len = 1;
    for (size_t i = 0; i < v->n; i++)
        len += strlen(v->v[i]) + 1;
    char *s = calloc(1, len);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, v->v[i]);
    }
    return s;
}

enum { PT = 1 }; /* shorthand in the table: the passthrough column */

typedef struct {
    const char *cmd;
    int passthrough;  /* ms_passthrough */
    int compile;
    int preprocess;
    int link;         /* ms_link_kind */
    int user_g;
} row;

#define NONE MS_PT_NONE
#define NOIN MS_PT_NO_INPUT
#define PREP MS_PT_PREPROCESS
#define SYNT MS_PT_SYNTAX_ONLY
#define INFO MS_PT_INFO
#define NOTD MS_PT_NOTHING_TO_DO
#define L0 MS_LINK_NONE
#define LE MS_LINK_EXE
#define LS MS_LINK_SHARED
#define LB MS_LINK_BARE

static const row table[] = {
    /* --- autoconf: AC_PROG_CC and friends */
    {"cc --version", INFO, 0, 0, L0, 0},
    {"cc -v", INFO, 0, 0, L0, 0},
    {"cc -V", NOIN, 0, 0, L0, 0},
    {"cc -qversion", NOIN, 0, 0, L0, 0},
    {"cc -version", NOIN, 0, 0, L0, 0},
    {"cc conftest.c", NONE, 1, 1, LE, 0},
    {"cc -o conftest -g -O2 conftest.c", NONE, 1, 1, LE, 1},
    {"cc -o conftest -g -O2 conftest.c -lm", NONE, 1, 1, LE, 1},
    {"cc -c -g -O2 conftest.c", NONE, 1, 1, L0, 1},
    {"cc -c conftest.c", NONE, 1, 1, L0, 0},
    {"cc -E conftest.c", PREP, 0, 0, L0, 0},
    {"cc -E -traditional-cpp conftest.c", PREP, 0, 0, L0, 0},
    {"cc -o conftest -g -O2 -Wl,--export-dynamic conftest.c", NONE, 1, 1, LE, 1},
    {"cc -o conftest -g -O2 -pthread conftest.c", NONE, 1, 1, LE, 1},
    {"cc -o conftest -g -O2 conftest.c -lpthread", NONE, 1, 1, LE, 1},
    {"cc -std=gnu11 -c -g -O2 conftest.c", NONE, 1, 1, L0, 1},
    {"cc -o conftest -g -O2 -DHAVE_CONFIG_H conftest.c", NONE, 1, 1, LE, 1},
    /* --- libtool probes and lines */
    {"cc -c -g -O2 -fPIC -DPIC conftest.c -o conftest.o", NONE, 1, 1, L0, 1},
    {"cc -c -g -O2 -o out/conftest2.o conftest.c", NONE, 1, 1, L0, 1},
    {"cc -print-prog-name=ld", INFO, 0, 0, L0, 0},
    {"cc -print-search-dirs", INFO, 0, 0, L0, 0},
    {"cc -print-file-name=libc.so", INFO, 0, 0, L0, 0},
    {"cc -print-libgcc-file-name", INFO, 0, 0, L0, 0},
    {"cc -print-multi-os-directory", INFO, 0, 0, L0, 0},
    {"cc -shared -fPIC -DPIC conftest.o -o libconftest.so", NONE, 0, 0, LS, 0},
    {"cc -o conftest -g -O2 -fPIC -shared conftest.c", NONE, 1, 1, LS, 1},
    {"cc -DHAVE_CONFIG_H -I. -I../../src -g -O2 -c ../../src/dump.c -fPIC -DPIC -o .libs/dump.o",
     NONE, 1, 1, L0, 1},
    {"cc -DHAVE_CONFIG_H -I. -g -O2 -c ../../src/dump.c -o dump.o", NONE, 1, 1, L0, 1},
    {"cc -shared -fPIC -DPIC .libs/dump.o .libs/load.o -O2 -g -Wl,-soname -Wl,libjansson.so.4 "
     "-Wl,--version-script -Wl,./jansson.sym -o .libs/libjansson.so.4.14.0",
     NONE, 0, 0, LS, 1},
    {"cc -g -O2 -o .libs/test_dump test_dump.o ../src/.libs/libjansson.so -Wl,-rpath "
     "-Wl,/usr/local/lib",
     NONE, 0, 0, LE, 1},
    {"cc -g -O2 -o test_dump test_dump.o ../src/.libs/libjansson.a", NONE, 0, 0, LE, 1},
    {"cc -shared -nostdlib crti.o a.o -o libx.so", NOTD, 0, 0, LB, 0},
    {"cc -nodefaultlibs a.o -o p", NOTD, 0, 0, LB, 0},
    /* --- automake depcomp */
    {"cc -DHAVE_CONFIG_H -I. -g -O2 -MT foo.o -MD -MP -MF .deps/foo.Tpo -c -o foo.o foo.c", NONE, 1,
     1, L0, 1},
    {"cc -Wp,-MD,.deps/foo.pp -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -MD -MF conftest.d -c conftest.c -o conftest.o", NONE, 1, 1, L0, 0},
    {"cc -MMD -MF x.d -c x.c", NONE, 1, 1, L0, 0},
    {"cc -M conftest.c", PREP, 0, 0, L0, 0},
    {"cc -MM conftest.c", PREP, 0, 0, L0, 0},
    {"cc -MM -MG -MT x.o x.c", PREP, 0, 0, L0, 0},
    {"cc -MD -E foo.c", PREP, 0, 0, L0, 0},
    /* --- CMake's compiler identification and checks */
    {"cc CMakeCCompilerId.c", NONE, 1, 1, LE, 0},
    {"cc -c CMakeCCompilerId.c", NONE, 1, 1, L0, 0},
    {"cc -o CMakeFiles/cmTC_1.dir/testCCompiler.c.o -c /tmp/testCCompiler.c", NONE, 1, 1, L0, 0},
    {"cc CMakeFiles/cmTC_1.dir/testCCompiler.c.o -o cmTC_1", NONE, 0, 0, LE, 0},
    {"cc -v -o CMakeFiles/cmTC.dir/CMakeCCompilerABI.c.o -c "
     "/usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c",
     INFO, 0, 0, L0, 0},
    {"cc -v -Wl,-v CMakeFiles/cmTC.dir/CMakeCCompilerABI.c.o -o cmTC", INFO, 0, 0, L0, 0},
    {"cc -DFOO -I/src/include -O2 -g -MD -MT CMakeFiles/x.dir/a.c.o -MF CMakeFiles/x.dir/a.c.o.d "
     "-o CMakeFiles/x.dir/a.c.o -c /src/a.c",
     NONE, 1, 1, L0, 1},
    {"cc -fPIC -O2 -g -shared -Wl,-soname,libcjson.so.1 -o libcjson.so.1.7.15 "
     "CMakeFiles/cjson.dir/cJSON.c.o",
     NONE, 0, 0, LS, 1},
    {"cc -O2 -g CMakeFiles/cmark.dir/main.c.o -o cmark -Wl,-rpath,/b/src libcmark.so.0.30.2",
     NONE, 0, 0, LE, 1},
    {"cc -DCMAKE_HAVE_LIBC_PTHREAD -o CMakeFiles/cmTC.dir/src.c.o -c /tmp/src.c", NONE, 1, 1, L0, 0},
    {"cc -std=c89 -pedantic -Wall -Werror -c cJSON.c -o cJSON.o", NONE, 1, 1, L0, 0},
    {"cc -O2 -g -fvisibility=hidden -Werror=declaration-after-statement -c x.c", NONE, 1, 1, L0, 1},
    {"cc @CMakeFiles/x.dir/objects1.rsp -o x", NONE, 0, 0, LE, 0},
    /* --- Lua's Makefile */
    {"cc -std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -c -o lapi.o lapi.c", NONE,
     1, 1, L0, 0},
    {"cc -std=gnu99 -o lua lua.o liblua.a -lm -Wl,-E -ldl", NONE, 0, 0, LE, 0},
    /* --- stdin and stdout */
    {"cc -x c -", NONE, 1, 1, LE, 0},
    {"cc -x c -E -", PREP, 0, 0, L0, 0},
    {"cc -x c -E -dM -", PREP, 0, 0, L0, 0},
    {"cc -x c -c - -o -", NONE, 1, 1, L0, 0},
    {"cc -x c -fsyntax-only -", SYNT, 0, 0, L0, 0},
    {"cc -xc -c -", NONE, 1, 1, L0, 0},
    {"cc -S conftest.c -o -", NONE, 1, 1, L0, 0},
    {"cc -c -o - foo.c", NONE, 1, 1, L0, 0},
    {"cc -S -emit-llvm foo.c", NONE, 1, 1, L0, 0},
    /* --- inputs memscope does not instrument */
    {"cc -c foo.s", NOTD, 0, 0, L0, 0},
    {"cc -c foo.S", NOTD, 0, 0, L0, 0},
    {"cc -x assembler-with-cpp -c foo.c", NOTD, 0, 0, L0, 0},
    {"cc -c foo.ll", NOTD, 0, 0, L0, 0},
    {"cc foo.ll -o foo", NONE, 0, 0, LE, 0},
    {"cc -c foo.c bar.S", NONE, 1, 1, L0, 0},
    {"cc -c foo.i", NONE, 1, 0, L0, 0},
    {"cc -x cpp-output -c foo", NONE, 1, 0, L0, 0},
    {"cc -x c foo.txt -c", NONE, 1, 1, L0, 0},
    {"cc -x c -x none foo.o -o prog", NONE, 0, 0, LE, 0},
    {"cc -c foo.h", NONE, 1, 1, L0, 0},
    {"cc foo.h", NONE, 1, 1, L0, 0},
    {"cc -x c-header -c foo", NONE, 1, 1, L0, 0},
    /* --- link-only steps */
    {"cc foo.o bar.o -o prog", NONE, 0, 0, LE, 0},
    {"cc foo.o libbar.a -lm -o prog", NONE, 0, 0, LE, 0},
    {"cc -lm", NONE, 0, 0, LE, 0},
    {"cc -r a.o b.o -o ab.o", NOTD, 0, 0, LB, 0},
    {"cc -nostdlib start.o -o kernel", NOTD, 0, 0, LB, 0},
    {"cc -nostdlib -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -nostdlib foo.c -o foo", NONE, 1, 1, LB, 0},
    {"cc -Xlinker --gc-sections a.o -o p", NONE, 0, 0, LE, 0},
    {"cc -flto a.o b.o -o p", NONE, 0, 0, LE, 0},
    {"cc -static foo.c -o foo", NONE, 1, 1, LE, 0},
    {"cc -fprofile-arcs --coverage foo.c -o foo", NONE, 1, 1, LE, 0},
    /* --- debug options */
    {"cc -g0 -c foo.c", NONE, 1, 1, L0, 1},
    {"cc -g3 -c foo.c", NONE, 1, 1, L0, 1},
    {"cc -ggdb3 -c foo.c", NONE, 1, 1, L0, 1},
    {"cc -gdwarf-4 -c foo.c", NONE, 1, 1, L0, 1},
    {"cc -gline-tables-only -c foo.c", NONE, 1, 1, L0, 1},
    {"cc -gz -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -gsplit-dwarf -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -gdwarf64 -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -gno-column-info -c foo.c", NONE, 1, 1, L0, 0},
    /* --- options with separate values are not inputs */
    {"cc -I include -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -include config.h -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -o foo.c.o -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -D FOO -U BAR -c x.c", NONE, 1, 1, L0, 0},
    {"cc -MF deps.d -MT x.o -MD -c x.c", NONE, 1, 1, L0, 0},
    {"cc -Xclang -ast-dump -fsyntax-only foo.c", SYNT, 0, 0, L0, 0},
    {"cc -isystem /opt/inc -c x.c", NONE, 1, 1, L0, 0},
    {"cc --sysroot /opt/sys -c x.c", NONE, 1, 1, L0, 0},
    {"cc -target x86_64-linux-gnu -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -o", NOIN, 0, 0, L0, 0},
    {"cc --output prog --include-directory inc x.c", NONE, 1, 1, LE, 0},
    {"cc --language assembler -c x.c", NOTD, 0, 0, L0, 0},
    {"cc --language=c -c x.txt", NONE, 1, 1, L0, 0},
    /* --- information and analysis */
    {"cc -dumpversion", INFO, 0, 0, L0, 0},
    {"cc -dumpmachine", INFO, 0, 0, L0, 0},
    {"cc -dumpfullversion", INFO, 0, 0, L0, 0},
    {"cc -### conftest.c", INFO, 0, 0, L0, 0},
    {"cc -v conftest.c -o conftest", INFO, 0, 0, L0, 0},
    {"cc --help", INFO, 0, 0, L0, 0},
    {"cc -help", INFO, 0, 0, L0, 0},
    {"cc -fsyntax-only conftest.c", SYNT, 0, 0, L0, 0},
    {"cc --analyze foo.c", SYNT, 0, 0, L0, 0},
    {"cc", NOIN, 0, 0, L0, 0},
    {"cc -O2", NOIN, 0, 0, L0, 0},
    {"cc -x c", NOIN, 0, 0, L0, 0},
    /* --- everything else a build throws at a compiler */
    {"cc -- foo.c", NONE, 1, 1, LE, 0},
    {"cc -flto -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -save-temps -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -pipe -O2 -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -m32 -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -std=c++17 -c foo.cpp", NONE, 1, 1, L0, 0},
    {"cc foo.cc -o foo", NONE, 1, 1, LE, 0},
    {"cc -fmemscope-no-scope -c foo.c", NONE, 1, 1, L0, 0},
    {"cc -fmemscope-default-options=compression=lz4 foo.c -o foo", NONE, 1, 1, LE, 0},
    {"cc -fmemscope-no-scope -E foo.c", PREP, 0, 0, L0, 0},
};

static void test_table(void **state) {
    (void)state;
    size_t n = sizeof table / sizeof table[0];
    assert_true(n >= 100);
    for (size_t i = 0; i < n; i++) {
        ms_strvec v = split(table[i].cmd);
        ms_drv_class c;
        ms_drv_error err = ms_drv_classify(v.v, v.n, &c);
        if (err != MS_DRV_OK || (int)c.passthrough != table[i].passthrough ||
            c.compile != table[i].compile || c.preprocess != table[i].preprocess ||
            (int)c.link != table[i].link || c.user_g != table[i].user_g) {
            print_error("row %zu: '%s'\n  want pt=%d compile=%d pp=%d link=%d g=%d\n"
                        "  got  err=%d pt=%d compile=%d pp=%d link=%d g=%d\n",
                        i, table[i].cmd, table[i].passthrough, table[i].compile,
                        table[i].preprocess, table[i].link, table[i].user_g, err,
                        c.passthrough, c.compile, c.preprocess, c.link, c.user_g);
            fail();
        }
        ms_strvec_free(&v);
    }
}

static void test_own_options(void **state) {
    (void)state;
    ms_drv_class c;
    ms_strvec v = split("cc -fmemscope-no-scope -fno-memscope-alloc -fmemscope-ctx "
                        "-fmemscope-scope -fmemscope-allocators=xmalloc=malloc,xfree=free "
                        "-fmemscope-dtor-patterns=*_free,*_destroy -c foo.c");
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_int_equal(c.n_pass, 5);
    assert_string_equal(c.pass_opt[0], "-memscope-scope");
    assert_string_equal(c.pass_val[0], "true"); /* the later flag wins */
    assert_string_equal(c.pass_opt[1], "-memscope-alloc");
    assert_string_equal(c.pass_val[1], "false");
    assert_string_equal(c.pass_opt[2], "-memscope-ctx");
    assert_string_equal(c.pass_val[2], "true");
    assert_string_equal(c.pass_opt[3], "-memscope-allocators");
    assert_string_equal(c.pass_val[3], "xmalloc=malloc,xfree=free");
    assert_string_equal(c.pass_opt[4], "-memscope-dtor-patterns");
    assert_string_equal(c.pass_val[4], "*_free,*_destroy");
    ms_strvec_free(&v);

    const char *bad[] = {"cc -fmemscope-bogus -c x.c", "cc -fmemscope-allocators -c x.c",
                         "cc -fno-memscope-allocators=x -c x.c", "cc --memscope-helpme",
                         "cc -fmemscope-no-scope=1 -c x.c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = split(bad[i]);
        assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_ERR_USAGE);
        assert_non_null(c.bad_arg);
        assert_int_equal(strncmp(c.bad_arg, "-", 1), 0);
        ms_strvec_free(&v);
    }

    v = split("cc --memscope-print-config -c foo.c");
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_int_equal(c.action, MS_ACT_PRINT_CONFIG);
    ms_strvec_free(&v);
    v = split("cc --memscope-version --memscope-help");
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_int_equal(c.action, MS_ACT_HELP);
    ms_strvec_free(&v);

    v = split("cc -fmemscope-default-options=a=1 -fmemscope-default-options=compression=lz4 "
              "-m32 --target=i686-linux-gnu x.c");
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_string_equal(c.default_options, "compression=lz4");
    assert_string_equal(c.mbits, "-m32");
    assert_string_equal(c.target, "i686-linux-gnu");
    ms_strvec_free(&v);

    v = split("cc -mllvm -memscope-alloc=false -c x.c");
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_int_equal(c.user_mllvm_memscope, 1);
    ms_strvec_free(&v);

    assert_true(ms_drv_is_own("-fmemscope-no-scope"));
    assert_true(ms_drv_is_own("--memscope-help"));
    assert_false(ms_drv_is_own("-fmemscope"));
    assert_false(ms_drv_is_own("-fsanitize=memory"));
}

/* ---- the exact argv ------------------------------------------------------- */
static const ms_drv_paths paths = {
    .compiler = "CLANG", .plugin = "L/memscope-pass.so", .incdir = "P/include/memscope",
    .rt_static = "L/libmemscope_rt.a", .msformat = "L/libmsformat.a", .dynlist = "L/memscope.dynlist",
    .rt_shared = "L/libmemscope_rt.so", .libdir = "L",
};

#define COMPILE_FLAGS "-fpass-plugin=L/memscope-pass.so"
#define FP "-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -Xclang -fsanitize-address-use-after-scope"
#define LINK_EXE                                                                                   \
    "-Wl,--whole-archive L/libmemscope_rt.a -Wl,--no-whole-archive L/libmsformat.a -lzstd -llz4 "  \
    "-lbrotlienc -lbrotlidec -lbrotlicommon -lmsgpackc -lxxhash -lpthread -ldl -lm "              \
    "-Wl,--dynamic-list=L/memscope.dynlist"

static const struct {
    const char *cmd, *dflt_obj, *want;
} builds[] = {
    {"cc -O2 -c a.c -o a.o", NULL,
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -O2 -c a.c -o a.o -IP/include/memscope"},
    {"cc a.o -o a", NULL, "CLANG a.o -o a " LINK_EXE},
    {"cc -O2 a.c -o a", NULL,
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -O2 a.c -o a -IP/include/memscope " LINK_EXE},
    {"cc -shared -fPIC a.o -o liba.so", NULL,
     "CLANG -shared -fPIC a.o -o liba.so L/libmemscope_rt.so -Wl,-rpath,L"},
    {"cc -shared -fPIC -g a.c -o liba.so", NULL,
     "CLANG " COMPILE_FLAGS " " FP " -D__MEMSCOPE__=1 -shared -fPIC -g a.c -o liba.so "
     "-IP/include/memscope L/libmemscope_rt.so -Wl,-rpath,L"},
    {"cc -E -fmemscope-no-scope a.c", NULL, "CLANG -E a.c"},
    {"cc --version", NULL, "CLANG --version"},
    {"cc -v a.c", NULL, "CLANG -v a.c"},
    {"cc -c x.s -fmemscope-no-alloc", NULL, "CLANG -c x.s"},
    {"cc -r a.o b.o -o ab.o", NULL, "CLANG -r a.o b.o -o ab.o"},
    {"cc -nostdlib a.c -o a", NULL,
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -nostdlib a.c -o a -IP/include/memscope"},
    {"cc -c a.i", NULL, "CLANG " COMPILE_FLAGS " -g " FP " -c a.i"},
    {"cc -g -fmemscope-no-scope -fmemscope-allocators=xmalloc=malloc -c a.c", NULL,
     "CLANG " COMPILE_FLAGS " -Xclang -load -Xclang L/memscope-pass.so " FP
     " -D__MEMSCOPE__=1 -Xclang -mllvm -Xclang -memscope-scope=false -Xclang -mllvm -Xclang "
     "-memscope-allocators=xmalloc=malloc -g -c a.c -IP/include/memscope"},
    {"cc -mllvm -memscope-ctx=0 -c a.c", NULL,
     "CLANG " COMPILE_FLAGS " -Xclang -load -Xclang L/memscope-pass.so -g " FP
     " -D__MEMSCOPE__=1 -mllvm -memscope-ctx=0 -c a.c -IP/include/memscope"},
    {"cc -O2 -- a.c", NULL,
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -O2 -IP/include/memscope " LINK_EXE
     " -- a.c"},
    {"cc a.o -fmemscope-default-options=compression=lz4 -o a", "T/d.o", "CLANG a.o -o a T/d.o " LINK_EXE},
    {"cc -c a.c -fmemscope-default-options=compression=lz4", "T/d.o",
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -c a.c -IP/include/memscope"},
    {"cc -shared a.o -o s.so", "T/d.o", "CLANG -shared a.o -o s.so T/d.o L/libmemscope_rt.so -Wl,-rpath,L"},
    /* -x LANG still in force: the appended archives must not be compiled as LANG */
    {"c++ -x c++ t.c -o t", NULL,
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -x c++ t.c -o t -IP/include/memscope "
     "-x none " LINK_EXE},
    {"cc -xc -c t.c", NULL, "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -xc -c t.c -IP/include/memscope"},
    {"cc -x c -shared -- t", "T/d.o",
     "CLANG " COMPILE_FLAGS " -g " FP " -D__MEMSCOPE__=1 -x c -shared -IP/include/memscope -x none "
     "T/d.o L/libmemscope_rt.so -Wl,-rpath,L -x c -- t"},
    {"cc -x c -x none a.o -o a", NULL, "CLANG -x c -x none a.o -o a " LINK_EXE},
};

static void test_build(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++) {
        ms_strvec v = split(builds[i].cmd);
        ms_drv_class c;
        assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
        ms_strvec out = {0};
        assert_int_equal(ms_drv_build(&c, v.v, v.n, &paths, builds[i].dflt_obj, &out), MS_DRV_OK);
        assert_null(out.v[out.n]);
        char *got = join(&out);
        if (strcmp(got, builds[i].want) != 0) {
            print_error("build %zu: '%s'\n  want: %s\n  got:  %s\n", i, builds[i].cmd,
                        builds[i].want, got);
            fail();
        }
        free(got);
        ms_strvec_free(&out);
        ms_strvec_free(&v);
    }
}

static void test_needs(void **state) {
    (void)state;
    ms_drv_class c;
    ms_strvec v = split("cc -c a.c");
    ms_drv_classify(v.v, v.n, &c);
    assert_true(ms_drv_needs_compile_pieces(&c));
    assert_false(ms_drv_needs_static_runtime(&c));
    assert_false(ms_drv_needs_shared_runtime(&c));
    ms_strvec_free(&v);
    v = split("cc -shared a.o -o a.so");
    ms_drv_classify(v.v, v.n, &c);
    assert_false(ms_drv_needs_compile_pieces(&c));
    assert_false(ms_drv_needs_static_runtime(&c));
    assert_true(ms_drv_needs_shared_runtime(&c));
    ms_strvec_free(&v);
    v = split("cc a.c");
    ms_drv_classify(v.v, v.n, &c);
    assert_true(ms_drv_needs_compile_pieces(&c));
    assert_true(ms_drv_needs_static_runtime(&c));
    ms_strvec_free(&v);
    v = split("cc --version");
    ms_drv_classify(v.v, v.n, &c);
    assert_false(ms_drv_needs_compile_pieces(&c) || ms_drv_needs_static_runtime(&c) ||
                 ms_drv_needs_shared_runtime(&c));
    ms_strvec_free(&v);
}

static void test_default_options_source(void **state) {
    (void)state;
    char *s = ms_drv_default_options_source("compression=lz4:output=a\"b\\c?" "?=\n");
    assert_non_null(s);
    assert_non_null(strstr(s, "const char *__memscope_default_options(void) { return "
                              "\"compression=lz4:output=a\\\"b\\\\c\\077\\077=\\012\"; }"));
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_own_options),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_default_options_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
