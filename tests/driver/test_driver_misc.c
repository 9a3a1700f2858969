/*
 * test_driver_misc.c - response files, memscope-run's options, the ELF
 * symbol probe and the install layout of the driver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

static char tmpdir[256];

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ms-driver-test.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_rsp_tokenize(void **state) {
    (void)state;
    const char *text = "-c  'a b.c'\t\"x\\\"y\" back\\ slash -DX=\"1 2\"\n\"\" q'\\'s'";
    ms_strvec v = {0};
    assert_int_equal(ms_rsp_tokenize(text, strlen(text), &v), MS_DRV_OK);
    const char *want[] = {"-c", "a b.c", "x\"y", "back slash", "-DX=1 2", "", "q's"};
    assert_int_equal(v.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < v.n; i++)
        assert_string_equal(v.v[i], want[i]);
    ms_strvec_free(&v);
    assert_int_equal(ms_rsp_tokenize("   \n ", 5, &v), MS_DRV_OK);
    assert_int_equal(v.n, 0);
}

static void test_rsp_expand(void **state) {
    (void)state;
    char inner[512], outer[512], self[512], arg_outer[520], arg_self[520];
    write_file("inner.rsp", "-O2 -fmemscope-no-scope", inner, sizeof inner);
    write_file("outer.rsp", "-c \"x y.c\" @inner.rsp", outer, sizeof outer);
    write_file("self.rsp", "@self.rsp", self, sizeof self);
    snprintf(arg_outer, sizeof arg_outer, "@%s", outer);
    snprintf(arg_self, sizeof arg_self, "@%s", self);

    char *argv[] = {"cc", arg_outer, "-o", "x.o", "@/nonexistent/none.rsp", NULL};
    ms_strvec v = {0};
    int expanded = 0;
    assert_int_equal(ms_rsp_expand(5, argv, &v, &expanded), MS_DRV_OK);
    assert_int_equal(expanded, 1);
    const char *want[] = {"cc", "-c", "x y.c", "-O2", "-fmemscope-no-scope", "-o", "x.o",
                          "@/nonexistent/none.rsp"};
    assert_int_equal(v.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < v.n; i++)
        assert_string_equal(v.v[i], want[i]);
    /* and the classification sees through it */
    ms_drv_class c;
    assert_int_equal(ms_drv_classify(v.v, v.n, &c), MS_DRV_OK);
    assert_int_equal(c.n_pass, 1);
    assert_int_equal(c.compile, 1);
    ms_strvec_free(&v);

    char *loop[] = {"cc", arg_self, NULL};
    assert_int_equal(ms_rsp_expand(2, loop, &v, &expanded), MS_DRV_ERR_RSP_DEPTH);
    ms_strvec_free(&v);

    char *plain[] = {"cc", "-c", "a.c", "@", NULL};
    assert_int_equal(ms_rsp_expand(4, plain, &v, &expanded), MS_DRV_OK);
    assert_int_equal(expanded, 0);
    assert_int_equal(v.n, 4);
    ms_strvec_free(&v);
}

static void test_run_parse(void **state) {
    (void)state;
    ms_run_args r;
    char *a1[] = {"memscope-run", "-o", "t.ms", "--compression", "lz4", "--level=3", "--",
                  "./prog", "-o", "x", NULL};
    assert_int_equal(ms_run_parse(10, a1, &r), MS_DRV_OK);
    assert_string_equal(r.output, "t.ms");
    assert_string_equal(r.compression, "lz4");
    assert_string_equal(r.level, "3");
    assert_int_equal(r.prog_index, 7);

    char *a2[] = {"memscope-run", "./prog", "--compression", "bogus", NULL};
    assert_int_equal(ms_run_parse(4, a2, &r), MS_DRV_OK); /* options stop at PROGRAM */
    assert_int_equal(r.prog_index, 1);
    assert_null(r.compression);

    char *a3[] = {"memscope-run", "--compression=xz", "./p", NULL};
    assert_int_equal(ms_run_parse(3, a3, &r), MS_DRV_ERR_USAGE);
    assert_string_equal(r.bad_arg, "xz");
    char *a4[] = {"memscope-run", "--level", "fast", "./p", NULL};
    assert_int_equal(ms_run_parse(4, a4, &r), MS_DRV_ERR_USAGE);
    char *a5[] = {"memscope-run", "--level", "23", "./p", NULL};
    assert_int_equal(ms_run_parse(4, a5, &r), MS_DRV_ERR_USAGE);
    char *a6[] = {"memscope-run", "-o", NULL};
    assert_int_equal(ms_run_parse(2, a6, &r), MS_DRV_ERR_USAGE);
    char *a7[] = {"memscope-run", NULL};
    assert_int_equal(ms_run_parse(1, a7, &r), MS_DRV_ERR_USAGE);
    char *a8[] = {"memscope-run", "--frobnicate", "./p", NULL};
    assert_int_equal(ms_run_parse(3, a8, &r), MS_DRV_ERR_USAGE);
    char *a9[] = {"memscope-run", "-o", "a:b.ms", "./p", NULL};
    assert_int_equal(ms_run_parse(4, a9, &r), MS_DRV_ERR_USAGE);
    char *a10[] = {"memscope-run", "--help", NULL};
    assert_int_equal(ms_run_parse(2, a10, &r), MS_DRV_OK);
    assert_int_equal(r.action, MS_RUN_HELP);
    char *a11[] = {"memscope-run", "--output=o.ms", "--level", "0", "p", NULL};
    assert_int_equal(ms_run_parse(5, a11, &r), MS_DRV_OK);
    assert_string_equal(r.output, "o.ms");
    assert_string_equal(r.level, "0");
}

static void test_run_options(void **state) {
    (void)state;
    ms_run_args r = {0};
    char *s = ms_run_options(NULL, &r);
    assert_string_equal(s, "");
    free(s);
    r.output = "t.ms";
    r.compression = "brotli";
    r.level = "5";
    s = ms_run_options("stack_depth=8:output=old.ms", &r);
    assert_string_equal(s, "stack_depth=8:output=old.ms:output=t.ms:compression=brotli:level=5");
    free(s);
    r.output = NULL;
    s = ms_run_options("", &r);
    assert_string_equal(s, "compression=brotli:level=5");
    free(s);

    char *v = ms_run_option_value("output=a.ms:level=2:output=b.%p.ms", "output");
    assert_string_equal(v, "b.%p.ms");
    free(v);
    assert_null(ms_run_option_value("outputx=a:level=2", "output"));
    assert_null(ms_run_option_value(NULL, "output"));

    v = ms_run_expand_output("dir/%e.%p.ms%%", 4242, "prog");
    assert_string_equal(v, "dir/prog.4242.ms%");
    free(v);
}

static void test_elf(void **state) {
    (void)state;
    /* This test binary: an ELF file that defines main (not stripped). */
    assert_int_equal(ms_elf_defines("/proc/self/exe", "main"), 1);
    assert_int_equal(ms_elf_defines("/proc/self/exe", "__memscope_init_v1"), 0);
    /* defined in libc, only referenced here: UNDEF does not count */
    assert_int_equal(ms_elf_defines("/proc/self/exe", "malloc"), 0);
    assert_int_equal(ms_elf_defines("/nonexistent/x", "main"), -MS_DRV_ERR_IO);
    char path[512];
    write_file("script.sh", "#!/bin/sh\necho hi\n", path, sizeof path);
    assert_int_equal(ms_elf_defines(path, "main"), -MS_DRV_ERR_NOT_ELF);

    /* Mutations of a real ELF file: any answer, never a crash. */
    FILE *f = fopen("/proc/self/exe", "rb");
    assert_non_null(f);
    size_t cap = 1 << 22;
    unsigned char *buf = malloc(cap);
    size_t len = fread(buf, 1, cap, f);
    fclose(f);
    assert_true(len > 64);
    assert_int_equal(ms_elf_defines_mem(buf, len, "main"), 1);
    assert_int_equal(ms_elf_defines_mem(buf, 40, "main"), -MS_DRV_ERR_CORRUPT);
    unsigned char *copy = malloc(len);
    srand(7);
    for (int round = 0; round < 300; round++) {
        memcpy(copy, buf, len);
        for (int k = 0; k < 16; k++)
            copy[(size_t)rand() % (round % 2 ? 64 : len)] = (unsigned char)rand();
        int r = ms_elf_defines_mem(copy, len, "main");
        assert_true(r == 1 || r == 0 || r < 0);
        size_t cut = (size_t)rand() % len;
        r = ms_elf_defines_mem(buf, cut, "main");
        assert_true(r == 1 || r == 0 || r < 0);
    }
    free(copy);
    free(buf);
}

static void test_layout(void **state) {
    (void)state;
    ms_drv_layout l;
    assert_int_equal(ms_drv_layout_from_prefix(&l, "/opt/ms", NULL), MS_DRV_OK);
    assert_string_equal(l.plugin, "/opt/ms/lib/memscope/memscope-pass.so");
    assert_string_equal(l.rt_static, "/opt/ms/lib/memscope/libmemscope_rt.a");
    assert_string_equal(l.msformat, "/opt/ms/lib/memscope/libmsformat.a");
    assert_string_equal(l.rt_shared, "/opt/ms/lib/memscope/libmemscope_rt.so");
    assert_string_equal(l.dynlist, "/opt/ms/lib/memscope/memscope.dynlist");
    assert_string_equal(l.incdir, "/opt/ms/include/memscope");
    ms_drv_layout_free(&l);
    /* the running test binary lives in <build>/tests/bin: prefix <build>/tests */
    assert_int_equal(ms_drv_layout_init(&l), MS_DRV_OK);
    assert_non_null(l.exe);
    assert_int_equal(strncmp(l.exe, l.prefix, strlen(l.prefix)), 0);
    assert_non_null(strstr(l.exe + strlen(l.prefix), "/bin/"));
    ms_drv_layout_free(&l);

    char *sh = ms_drv_find_program("sh");
    assert_non_null(sh);
    assert_true(sh[0] == '/' || sh[0] == '.');
    assert_true(ms_drv_same_file(sh, sh));
    free(sh);
    assert_null(ms_drv_find_program("no-such-program-memscope"));
    assert_null(ms_drv_find_program(""));
    assert_string_equal(ms_drv_error_name(MS_DRV_ERR_USAGE), "MS_DRV_ERR_USAGE");
    assert_string_equal(ms_drv_error_name((ms_drv_error)99), "MS_DRV_ERR_UNKNOWN");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsp_tokenize), cmocka_unit_test(test_rsp_expand),
        cmocka_unit_test(test_run_parse),    cmocka_unit_test(test_run_options),
        cmocka_unit_test(test_elf),          cmocka_unit_test(test_layout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
