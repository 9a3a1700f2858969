/*
 * rt_unwind.c - frame-pointer walk bounded by the thread's stack, stack
 * bounds and /proc/self/maps without malloc. See rt_unwind.h.
 */
#define _GNU_SOURCE
#include "rt_unwind.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc: the top of the main thread's stack as the kernel handed it over. */
extern void *__libc_stack_end;

#define RT_PAGE 4096u

/* ------------------------------------------------------------------------
 * Frame-pointer walk
 * ---------------------------------------------------------------------- */

/* noinline: the walk starts from this function's own frame (whose saved
 * return address points into the caller). no_sanitize: the walk reads stack
 * words that are not C objects of ours. __builtin_frame_address forces a
 * frame pointer in this function even under -fomit-frame-pointer. */
__attribute__((noinline, no_sanitize("address")))
size_t rt_unwind_fp(uint64_t *out, size_t max, size_t skip, uintptr_t lo,
                    uintptr_t hi)
{
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    size_t n = 0;

    if (hi < lo + 2 * sizeof(uintptr_t))
        return 0;
    while (n < max) {
        /* The whole two-word record must lie inside [lo, hi). */
        if (fp < lo || fp > hi - 2 * sizeof(uintptr_t) || (fp & 7u) != 0)
            break;
        const volatile uintptr_t *frame = (const volatile uintptr_t *)fp;
        uintptr_t next = frame[0];
        uintptr_t ra = frame[1];
        if (ra == 0)
            break;
        if (skip > 0)
            skip--;
        else
            out[n++] = (uint64_t)ra;
        /* Frames live at strictly increasing addresses: anything else is a
         * frame built without a frame pointer or a corrupt chain. */
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

/* ------------------------------------------------------------------------
 * /proc/self/maps
 * ---------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses a hex number at *p, advancing it. Returns 0 if no digit. */
static int parse_hex(const char **p, const char *end, uintptr_t *out)
{
    const char *s = *p;
    uintptr_t v = 0;
    int digits = 0;
    while (s < end && hexval(*s) >= 0) {
        v = (v << 4) | (uintptr_t)hexval(*s);
        s++;
        digits++;
    }
    *p = s;
    *out = v;
    return digits > 0;
}

/* Parses one line "lo-hi perms offset dev inode   path" (no newline).
 * Returns 1 on success. */
static int parse_maps_line(const char *s, const char *end, rt_map *m,
                           char *pathbuf, size_t pathcap)
{
    uintptr_t lo, hi;
    if (!parse_hex(&s, end, &lo) || s >= end || *s != '-')
        return 0;
    s++;
    if (!parse_hex(&s, end, &hi) || s >= end || *s != ' ')
        return 0;
    s++;
    if (end - s < 4)
        return 0;
    uint32_t prot = 0;
    if (s[0] == 'r')
        prot |= RT_MAP_R;
    if (s[1] == 'w')
        prot |= RT_MAP_W;
    if (s[2] == 'x')
        prot |= RT_MAP_X;
    if (s[3] == 's')
        prot |= RT_MAP_SHARED;
    s += 4;
    /* Skip offset, dev and inode: three space-separated fields. */
    for (int field = 0; field < 3; field++) {
        while (s < end && *s == ' ')
            s++;
        while (s < end && *s != ' ')
            s++;
    }
    while (s < end && *s == ' ')
        s++;
    size_t len = (size_t)(end - s);
    if (len >= pathcap)
        len = pathcap - 1;
    memcpy(pathbuf, s, len);
    pathbuf[len] = '\0';
    m->lo = lo;
    m->hi = hi;
    m->prot = prot;
    m->path = pathbuf;
    return 1;
}

long rt_maps_foreach(int (*cb)(void *user, const rt_map *m), void *user)
{
    char buf[4096];
    char path[256];
    size_t have = 0;
    long count = 0;
    int skipping = 0; /* inside an over-long line being discarded */
    int stop = 0;

    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            close(fd);
            return -1;
        }
        if (got == 0 && have == 0)
            break;
        size_t total = have + (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < total && !stop; i++) {
            if (buf[i] != '\n')
                continue;
            if (!skipping) {
                rt_map m;
                if (parse_maps_line(buf + start, buf + i, &m, path, sizeof path)) {
                    count++;
                    if (cb != NULL && cb(user, &m) != 0)
                        stop = 1;
                }
            }
            skipping = 0;
            start = i + 1;
        }
        if (stop)
            break;
        if (got == 0) {
            /* Last line without a newline. */
            if (!skipping && start < total) {
                rt_map m;
                if (parse_maps_line(buf + start, buf + total, &m, path, sizeof path)) {
                    count++;
                    if (cb != NULL)
                        cb(user, &m);
                }
            }
            break;
        }
        have = total - start;
        if (have == sizeof buf) {
            /* A line longer than the buffer (a very long path): parse its
             * head, which holds everything but the path's tail, then drop
             * the rest of it. */
            rt_map m;
            if (!skipping && parse_maps_line(buf, buf + have, &m, path, sizeof path)) {
                count++;
                if (cb != NULL && cb(user, &m) != 0)
                    break;
            }
            skipping = 1;
            have = 0;
        } else if (start > 0) {
            memmove(buf, buf + start, have);
        }
    }
    close(fd);
    return count;
}

/* ------------------------------------------------------------------------
 * Stack bounds
 * ---------------------------------------------------------------------- */

struct bounds_search {
    uintptr_t sp;
    uintptr_t prev_hi; /* end of the mapping before the current one */
    uintptr_t lo, hi;
    int found;
};

static int bounds_cb(void *user, const rt_map *m)
{
    struct bounds_search *b = user;
    if (b->sp >= m->lo && b->sp < m->hi) {
        b->lo = m->lo;
        b->hi = m->hi;
        b->found = 1;
        return 1;
    }
    if (m->hi <= b->sp)
        b->prev_hi = m->hi;
    return 0;
}

__attribute__((noinline))
void rt_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    struct bounds_search b = {0};
    /* The frame address, not a local's: under ASan's use-after-return
     * detection locals live on a fake stack elsewhere. */
    b.sp = (uintptr_t)__builtin_frame_address(0);
    int is_main = (pid_t)syscall(SYS_gettid) == getpid();

    if (rt_maps_foreach(bounds_cb, &b) > 0 && b.found) {
        uintptr_t l = b.lo;
        if (is_main) {
            /* The main stack grows down on demand, up to RLIMIT_STACK and
             * never into the mapping below it. */
            struct rlimit rl;
            uintptr_t limit_lo = b.prev_hi;
            if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
                rl.rlim_cur < b.hi) {
                uintptr_t cand = b.hi - (uintptr_t)rl.rlim_cur;
                if (cand > limit_lo)
                    limit_lo = cand;
            }
            if (limit_lo < l)
                l = limit_lo;
        }
        *lo = l;
        *hi = b.hi;
        return;
    }
    uintptr_t page = b.sp & ~(uintptr_t)(RT_PAGE - 1);
    *lo = page;
    *hi = page + RT_PAGE;
    if (is_main && (uintptr_t)__libc_stack_end > b.sp)
        *hi = (uintptr_t)__libc_stack_end;
}
