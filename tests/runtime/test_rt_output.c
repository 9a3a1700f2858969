/* test_rt_output - trace naming (%p, %e, fallback names) and opening:
 * O_NOFOLLOW, no clobbering of a locked trace, umask respected. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt_output.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rt_output_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_expand(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(rt_output_expand("memscope.ms", 42, "prog", out, sizeof out), 11);
    assert_string_equal(out, "memscope.ms");
    rt_output_expand("t-%p-%e.ms", 42, "prog", out, sizeof out);
    assert_string_equal(out, "t-42-prog.ms");
    rt_output_expand("100%%-%x", 1, "p", out, sizeof out);
    assert_string_equal(out, "100%-x");
    rt_output_expand("%e", 1, NULL, out, sizeof out);
    assert_string_equal(out, "unknown");
    assert_int_equal(rt_output_expand("%p%p%p%p%p", 1234567, "p", out, 8), (size_t)-1);
}

static void test_fallback(void **state) {
    (void)state;
    char out[64];
    rt_output_fallback("memscope.ms", 77, 0, out, sizeof out);
    assert_string_equal(out, "memscope.77.ms");
    rt_output_fallback("dir/trace", 77, 0, out, sizeof out);
    assert_string_equal(out, "dir/trace.77");
    rt_output_fallback("a.ms", 77, 2, out, sizeof out);
    assert_string_equal(out, "a.77-2.ms");
    assert_int_equal(rt_output_fallback("a.ms", 77, 0, out, 4), (size_t)-1);
}

static void test_open_and_lock(void **state) {
    (void)state;
    char pat[300], got[512], got2[512];
    snprintf(pat, sizeof pat, "%s/t.ms", dir);
    int fd = -1, fd2 = -1;
    mode_t old = umask(027);
    assert_int_equal(rt_output_open(pat, 1000, "prog", 0, got, sizeof got, &fd, 2), 0);
    umask(old);
    assert_string_equal(got, pat);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(write(fd, "x", 1), 1);
    /* a second writer while the first holds the lock: fallback name */
    int errp[2];
    assert_int_equal(pipe(errp), 0);
    assert_int_equal(rt_output_open(pat, 1001, "prog", 0, got2, sizeof got2, &fd2, errp[1]), 0);
    char expect[600];
    snprintf(expect, sizeof expect, "%s/t.1001.ms", dir);
    assert_string_equal(got2, expect);
    char msg[1024] = {0};
    assert_true(read(errp[0], msg, sizeof msg - 1) > 0);
    assert_non_null(strstr(msg, "in use by another process"));
    /* the first file was not clobbered */
    assert_int_equal(stat(pat, &st), 0);
    assert_int_equal(st.st_size, 1);
    close(fd2);
    close(fd);
    /* unlocked now: reused and truncated */
    assert_int_equal(rt_output_open(pat, 1002, "prog", 0, got, sizeof got, &fd, 2), 0);
    assert_string_equal(got, pat);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, 0);
    close(fd);
    close(errp[0]);
    close(errp[1]);
}

static void test_fork_child_name(void **state) {
    (void)state;
    char pat[300], got[512], expect[600];
    snprintf(pat, sizeof pat, "%s/c.ms", dir);
    int fd = -1;
    assert_int_equal(rt_output_open(pat, 55, "prog", 1, got, sizeof got, &fd, 2), 0);
    snprintf(expect, sizeof expect, "%s/c.55.ms", dir);
    assert_string_equal(got, expect);
    close(fd);
    /* with %p in the pattern the name is already the pid's */
    snprintf(pat, sizeof pat, "%s/d-%%p.ms", dir);
    assert_int_equal(rt_output_open(pat, 56, "prog", 1, got, sizeof got, &fd, 2), 0);
    snprintf(expect, sizeof expect, "%s/d-56.ms", dir);
    assert_string_equal(got, expect);
    close(fd);
}

static void test_nofollow(void **state) {
    (void)state;
    char target[300], link[300], got[512];
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link, sizeof link, "%s/link.ms", dir);
    assert_int_equal(symlink(target, link), 0);
    int errp[2];
    assert_int_equal(pipe(errp), 0);
    int fd = -1;
    assert_int_equal(rt_output_open(link, 1, "p", 0, got, sizeof got, &fd, errp[1]), -1);
    char msg[1024] = {0};
    assert_true(read(errp[0], msg, sizeof msg - 1) > 0);
    assert_non_null(strstr(msg, "cannot create trace"));
    assert_int_equal(access(target, F_OK), -1); /* nothing created through the link */
    close(errp[0]);
    close(errp[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_open_and_lock),
        cmocka_unit_test(test_fork_child_name),
        cmocka_unit_test(test_nofollow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
