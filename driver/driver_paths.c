/*
 * driver_paths.c - where the driver's plugin, runtime and headers are
 * (relative to its own executable, so the build tree and any installed
 * prefix both work) and where the real compiler is.
 */
#include "driver.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "@a/@b" as a fresh string. */
static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

void ms_drv_layout_free(ms_drv_layout *l) {
    free(l->exe);
    free(l->prefix);
    free(l->libdir);
    free(l->plugin);
    free(l->rt_static);
    free(l->msformat);
    free(l->rt_shared);
    free(l->dynlist);
    free(l->incdir);
    memset(l, 0, sizeof *l);
}

ms_drv_error ms_drv_layout_from_prefix(ms_drv_layout *l, const char *prefix, const char *exe) {
    memset(l, 0, sizeof *l);
    l->exe = exe ? strdup(exe) : NULL;
    l->prefix = strdup(prefix);
    l->libdir = join(prefix, "lib/memscope");
    l->incdir = join(prefix, "include/memscope");
    if (l->libdir) {
        l->plugin = join(l->libdir, "memscope-pass.so");
        l->rt_static = join(l->libdir, "libmemscope_rt.a");
        l->msformat = join(l->libdir, "libmsformat.a");
        l->rt_shared = join(l->libdir, "libmemscope_rt.so");
        l->dynlist = join(l->libdir, "memscope.dynlist");
    }
    if ((exe && !l->exe) || !l->prefix || !l->libdir || !l->incdir || !l->plugin ||
        !l->rt_static || !l->msformat || !l->rt_shared || !l->dynlist) {
        ms_drv_layout_free(l);
        return MS_DRV_ERR_NOMEM;
    }
    return MS_DRV_OK;
}

ms_drv_error ms_drv_layout_init(ms_drv_layout *l) {
    memset(l, 0, sizeof *l);
    char *exe = realpath("/proc/self/exe", NULL);
    if (!exe)
        return errno == ENOMEM ? MS_DRV_ERR_NOMEM : MS_DRV_ERR_IO;
    /* <prefix>/bin/memscope-cc -> <prefix> */
    char *prefix = strdup(exe);
    if (!prefix) {
        free(exe);
        return MS_DRV_ERR_NOMEM;
    }
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(prefix, '/');
        if (slash == prefix || !slash) {
            prefix[1] = '\0';
            break;
        }
        *slash = '\0';
    }
    ms_drv_error err = ms_drv_layout_from_prefix(l, prefix, exe);
    free(prefix);
    free(exe);
    return err;
}

static int is_exec_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *ms_drv_find_program(const char *name) {
    if (!*name) {
        errno = ENOENT;
        return NULL;
    }
    if (strchr(name, '/')) {
        if (!is_exec_file(name)) {
            errno = ENOENT;
            return NULL;
        }
        return strdup(name);
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *dir = len ? strndup(p, len) : strdup(".");
        if (!dir)
            return NULL;
        char *cand = join(dir, name);
        free(dir);
        if (!cand)
            return NULL;
        if (is_exec_file(cand))
            return cand;
        free(cand);
        if (!end)
            break;
        p = end + 1;
    }
    errno = ENOENT;
    return NULL;
}

int ms_drv_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
