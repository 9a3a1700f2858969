/* test_rt_options - MEMSCOPE_OPTIONS parsing: defaults, good values, bad
 * values and unknown keys (one stderr line each, default kept), help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "msformat.h"
#include "rt_options.h"

/* Messages go to a pipe so the test can read them. */
static int msg_fds[2];

static int setup(void **state) {
    (void)state;
    return pipe(msg_fds);
}
static int teardown(void **state) {
    (void)state;
    close(msg_fds[0]);
    close(msg_fds[1]);
    return 0;
}

static size_t read_msgs(char *buf, size_t len) {
    /* messages are short; the pipe holds them all */
    write(msg_fds[1], "", 1);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(msg_fds[0], buf + n, len - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n && buf[n - 1] == 0)
            break;
    }
    buf[n] = 0;
    return n;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_defaults(void **state) {
    (void)state;
    rt_options o;
    rt_options_defaults(&o);
    assert_string_equal(o.output, "memscope.ms");
    assert_int_equal(o.compression, MS_CODEC_ZSTD);
    assert_int_equal(o.level, 0);
    assert_int_equal(o.stack_depth, 32);
    assert_int_equal(o.buffer_kb, 1024);
    assert_int_equal(o.flush_ms, 100);
    assert_int_equal(o.counters_ms, 10);
    assert_int_equal(o.enabled, 1);
    assert_int_equal(o.leak_scan, 1);
    assert_int_equal(o.verbosity, 0);
}

static void test_good(void **state) {
    (void)state;
    rt_options o;
    rt_options_defaults(&o);
    int bad = rt_options_parse(&o,
                               "output=/tmp/x-%p.ms:compression=lz4:level=3:stack_depth=8:"
                               "buffer_kb=2k,flush_ms=50:counters_ms=0x10:enabled=no:"
                               "leak_scan=false:verbosity=2",
                               msg_fds[1]);
    assert_int_equal(bad, 0);
    assert_string_equal(o.output, "/tmp/x-%p.ms");
    assert_int_equal(o.compression, MS_CODEC_LZ4);
    assert_int_equal(o.level, 3);
    assert_int_equal(o.stack_depth, 8);
    assert_int_equal(o.buffer_kb, 2048);
    assert_int_equal(o.flush_ms, 50);
    assert_int_equal(o.counters_ms, 16);
    assert_int_equal(o.enabled, 0);
    assert_int_equal(o.leak_scan, 0);
    assert_int_equal(o.verbosity, 2);
    char msgs[4096];
    read_msgs(msgs, sizeof msgs);
    assert_int_equal(count_lines(msgs), 0);
    rt_options_parse(&o, "compression=brotli:compression=none", msg_fds[1]);
    assert_int_equal(o.compression, MS_CODEC_NONE);
}

static void test_bad(void **state) {
    (void)state;
    rt_options o;
    rt_options_defaults(&o);
    int bad = rt_options_parse(&o,
                               "bogus=1:stack_depth=0:level=abc:compression=gzip:enabled=2:"
                               "flush_ms=10x:buffer_kb=99999999999999999999:novalue:output=",
                               msg_fds[1]);
    assert_int_equal(bad, 9);
    /* every value kept its default */
    assert_int_equal(o.stack_depth, 32);
    assert_int_equal(o.level, 0);
    assert_int_equal(o.compression, MS_CODEC_ZSTD);
    assert_int_equal(o.enabled, 1);
    assert_int_equal(o.flush_ms, 100);
    assert_int_equal(o.buffer_kb, 1024);
    assert_string_equal(o.output, "memscope.ms");
    char msgs[8192];
    read_msgs(msgs, sizeof msgs);
    assert_int_equal(count_lines(msgs), 9);
    assert_non_null(strstr(msgs, "memscope: unknown option 'bogus'"));
    assert_non_null(strstr(msgs, "bad value '0' for option 'stack_depth'"));
    assert_non_null(strstr(msgs, "bad value 'gzip' for option 'compression'"));
    assert_non_null(strstr(msgs, "option 'novalue' has no value"));
    /* good keys after bad ones still apply */
    bad = rt_options_parse(&o, "nope=1:level=5", msg_fds[1]);
    assert_int_equal(bad, 1);
    assert_int_equal(o.level, 5);
    read_msgs(msgs, sizeof msgs);
}

static void test_empty_and_separators(void **state) {
    (void)state;
    rt_options o;
    rt_options_defaults(&o);
    assert_int_equal(rt_options_parse(&o, "", msg_fds[1]), 0);
    assert_int_equal(rt_options_parse(&o, NULL, msg_fds[1]), 0);
    assert_int_equal(rt_options_parse(&o, "::level=7::", msg_fds[1]), 0);
    assert_int_equal(o.level, 7);
}

static void test_help(void **state) {
    (void)state;
    rt_options_print_help(msg_fds[1]);
    char msgs[8192];
    read_msgs(msgs, sizeof msgs);
    assert_non_null(strstr(msgs, "output=memscope.ms"));
    assert_non_null(strstr(msgs, "compression=zstd"));
    assert_non_null(strstr(msgs, "stack_depth=32"));
    assert_non_null(strstr(msgs, "flush_ms=100"));
    assert_non_null(strstr(msgs, "leak_scan=1"));
    assert_true(count_lines(msgs) >= 12);
}

/* The program's compiled-in defaults come first, the environment wins. */
const char *__memscope_default_options(void) { return "level=9:stack_depth=4"; }

static void test_load(void **state) {
    (void)state;
    setenv("MEMSCOPE_OPTIONS", "stack_depth=16", 1);
    rt_options_load();
    assert_int_equal(rt_opts()->level, 9);
    assert_int_equal(rt_opts()->stack_depth, 16);
    unsetenv("MEMSCOPE_OPTIONS");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_empty_and_separators),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
