/*
 * test_support_modules.c - module map snapshot and change detection
 * (runtime/src/rt_modules.c).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt_modules.h"

#define MAXMOD 512
static ms_module g_mods[MAXMOD];
static char g_strbuf[RT_MODULES_STRBUF_HINT];

static const ms_module *find_path_suffix(const ms_module *m, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t i = 0; i < n; i++) {
        size_t pl = strlen(m[i].path);
        if (pl >= sl && strcmp(m[i].path + pl - sl, suffix) == 0)
            return &m[i];
    }
    return NULL;
}

static int contains(const ms_module *m, uintptr_t addr)
{
    return addr >= m->base && addr < m->base + m->size;
}

static int in_strbuf(const void *p, size_t len)
{
    return (const char *)p >= g_strbuf &&
           (const char *)p + len <= g_strbuf + sizeof g_strbuf;
}

static void test_snapshot_exe_and_libc(void **state)
{
    (void)state;
    size_t n = rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 12345);
    assert_true(n >= 3); /* exe, vdso, libc at least */

    /* The main program comes first, with its resolved path. */
    char exe[4096] = {0};
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(len > 0);
    const ms_module *m = &g_mods[0];
    assert_string_equal(m->path, exe);
    assert_true(m->build_id_len >= 8 && m->build_id_len <= 64);
    assert_true(in_strbuf(m->build_id, m->build_id_len));
    assert_true(in_strbuf(m->path, strlen(m->path) + 1));
    assert_true(contains(m, (uintptr_t)test_snapshot_exe_and_libc));
    assert_true(contains(m, (uintptr_t)g_mods));
    assert_int_equal(m->base % 4096, 0);
    assert_int_equal(m->time_ns, 12345);
    assert_int_equal(m->loaded, 1);

    /* libc */
    const ms_module *libc = find_path_suffix(g_mods, n, "/libc.so.6");
    assert_non_null(libc);
    assert_true(libc->build_id_len >= 8);
    assert_int_equal(libc->base % 4096, 0);
    assert_true(libc->base != 0);
    assert_true(libc->size > 64 * 1024 && libc->size < 64u * 1024 * 1024);
    void *getpid_addr = dlsym(RTLD_DEFAULT, "getpid");
    assert_non_null(getpid_addr);
    assert_true(contains(libc, (uintptr_t)getpid_addr));
    assert_false(contains(m, (uintptr_t)getpid_addr));

    /* Build ids differ between objects; every entry is well formed. */
    assert_memory_not_equal(m->build_id, libc->build_id,
                            m->build_id_len < libc->build_id_len ? m->build_id_len
                                                                 : libc->build_id_len);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(g_mods[i].path);
        assert_true(g_mods[i].size > 0);
        assert_true(g_mods[i].build_id_len == 0 || g_mods[i].build_id != NULL);
    }
}

/* A library that this process has not loaded yet. */
static const char *pick_unloaded_library(void)
{
    static const char *const candidates[] = {
        "libz.so.1", "libbz2.so.1.0", "libm.so.6", "libzstd.so.1",
        "liblz4.so.1", "libxxhash.so.0", "libutil.so.1",
    };
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        void *h = dlopen(candidates[i], RTLD_NOW | RTLD_NOLOAD);
        if (h != NULL) {
            dlclose(h);
            continue;
        }
        /* exists on this system? */
        h = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (h == NULL)
            continue;
        dlclose(h);
        return candidates[i];
    }
    return NULL;
}

static void test_changed_after_dlopen(void **state)
{
    (void)state;
    const char *lib = pick_unloaded_library();
    if (lib == NULL) {
        skip();
        return;
    }
    rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 1);
    assert_int_equal(rt_modules_changed(), 0);
    assert_int_equal(rt_modules_changed(), 0); /* asking does not reset */

    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(h);
    assert_int_equal(rt_modules_changed(), 1);
    size_t n = rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 2);
    assert_int_equal(rt_modules_changed(), 0);
    char suffix[64];
    snprintf(suffix, sizeof suffix, "/%s", lib);
    const ms_module *m = find_path_suffix(g_mods, n, suffix);
    assert_non_null(m);
    assert_true(m->build_id_len > 0);
    assert_int_equal(m->time_ns, 2);

    dlclose(h);
    void *still = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (still == NULL) {
        /* really unloaded: the map changed again */
        assert_int_equal(rt_modules_changed(), 1);
        n = rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 3);
        assert_null(find_path_suffix(g_mods, n, suffix));
    } else {
        dlclose(still);
    }
}

static void test_small_buffers(void **state)
{
    (void)state;
    size_t full = rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 0);
    assert_true(full >= 3);
    assert_int_equal(rt_modules_changed(), 0);

    /* Too few entries: the first ones, and "changed" until complete. */
    assert_int_equal(rt_modules_snapshot(g_mods, 1, g_strbuf, sizeof g_strbuf, 0), 1);
    assert_int_equal(rt_modules_changed(), 1);
    assert_int_equal(rt_modules_snapshot(g_mods, MAXMOD, g_strbuf, sizeof g_strbuf, 0), full);
    assert_int_equal(rt_modules_changed(), 0);

    /* A tiny string buffer: nothing written past it. */
    char small[64 + 16];
    memset(small, 0x5a, sizeof small);
    size_t n = rt_modules_snapshot(g_mods, MAXMOD, small, 64, 0);
    assert_true(n < full);
    for (size_t i = 64; i < sizeof small; i++)
        assert_int_equal((unsigned char)small[i], 0x5a);
    for (size_t i = 0; i < n; i++)
        assert_true(g_mods[i].path >= small && g_mods[i].path < small + 64);
    assert_int_equal(rt_modules_changed(), 1);

    assert_int_equal(rt_modules_snapshot(NULL, 0, NULL, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_exe_and_libc),
        cmocka_unit_test(test_changed_after_dlopen),
        cmocka_unit_test(test_small_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
