/* rt_output.c - trace file naming, locking and creation (see rt_output.h). */
#include "rt_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "msformat.h"
#include "rt_log.h"

size_t rt_output_expand(const char *pat, uint32_t pid, const char *exe, char *out, size_t len) {
    size_t o = 0;
    char num[16];
    for (const char *p = pat; *p; p++) {
        const char *ins = NULL;
        char one[2] = {*p, 0};
        if (*p == '%' && p[1]) {
            p++;
            if (*p == 'p') {
                rt_fmt(num, sizeof num, "%u", pid);
                ins = num;
            } else if (*p == 'e') {
                ins = exe && *exe ? exe : "unknown";
            } else {
                one[0] = *p; /* %% and unknown: the character itself */
                ins = one;
            }
        } else {
            ins = one;
        }
        size_t n = strlen(ins);
        if (o + n + 1 > len)
            return (size_t)-1;
        memcpy(out + o, ins, n);
        o += n;
    }
    if (o + 1 > len)
        return (size_t)-1;
    out[o] = 0;
    return o;
}

size_t rt_output_fallback(const char *path, uint32_t pid, unsigned n, char *out, size_t len) {
    size_t pl = strlen(path);
    size_t stem = pl;
    if (pl > 3 && !strcmp(path + pl - 3, ".ms") && path[pl - 4] != '/')
        stem = pl - 3;
    char suffix[32];
    if (n)
        rt_fmt(suffix, sizeof suffix, ".%u-%u", pid, n);
    else
        rt_fmt(suffix, sizeof suffix, ".%u", pid);
    size_t sl = strlen(suffix);
    if (stem + sl + (pl - stem) + 1 > len)
        return (size_t)-1;
    memcpy(out, path, stem);
    memcpy(out + stem, suffix, sl);
    memcpy(out + stem + sl, path + stem, pl - stem);
    out[stem + sl + pl - stem] = 0;
    return stem + sl + pl - stem;
}

/* Was the existing (unlocked) file written by this pid before an exec? */
static int written_by_me(int fd, uint32_t pid) {
    ms_stream *s = NULL;
    int dup_fd = dup(fd);
    if (dup_fd < 0)
        return 0;
    lseek(dup_fd, 0, SEEK_SET);
    int mine = 0;
    if (ms_stream_open_fd(dup_fd, &s) == MS_OK) {
        const ms_header_info *h = ms_stream_header(s);
        mine = h && h->pid == pid;
        ms_stream_close(s);
    }
    close(dup_fd);
    return mine;
}

/* 0: opened and locked; 1: locked by another process; 2: written by this
 * pid (before an exec); -1: error. */
static int try_open(const char *path, uint32_t pid, int *fd_out, int err_fd) {
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        rt_log_fd(err_fd, "cannot create trace '%s': %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return 1;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size > 0) {
        int rfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        int mine = rfd >= 0 && written_by_me(rfd, pid);
        if (rfd >= 0)
            close(rfd);
        if (mine) {
            close(fd);
            return 2;
        }
    }
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        rt_log_fd(err_fd, "cannot truncate trace '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *fd_out = fd;
    return 0;
}

int rt_output_open(const char *pat, uint32_t pid, const char *exe, int pid_name, char *path_out,
                   size_t path_len, int *fd, int err_fd) {
    char base[4096];
    if (rt_output_expand(pat, pid, exe, base, sizeof base) == (size_t)-1) {
        rt_log_fd(err_fd, "output name too long: %s", pat);
        return -1;
    }
    int has_pid = strstr(pat, "%p") != NULL;
    int use_base = !(pid_name && !has_pid);
    unsigned n = 0;
    int why = 0;
    for (unsigned attempt = 0; attempt < 16; attempt++) {
        char alt[4096];
        const char *name = base;
        if (!use_base) {
            if (rt_output_fallback(base, pid, n++, alt, sizeof alt) == (size_t)-1)
                return -1;
            name = alt;
        }
        int r = try_open(name, pid, fd, err_fd);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (strlen(name) + 1 > path_len)
                return -1;
            memcpy(path_out, name, strlen(name) + 1);
            if (attempt > 0)
                rt_log_fd(err_fd, "'%s' %s; writing '%s' instead", base,
                          why == 2 ? "holds this process's trace from before exec"
                                   : "is in use by another process",
                          name);
            return 0;
        }
        if (!why)
            why = r;
        use_base = 0;
    }
    rt_log_fd(err_fd, "no usable trace name for '%s'", base);
    return -1;
}
