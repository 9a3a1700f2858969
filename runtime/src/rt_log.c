/* rt_log.c - raw, allocation-free stderr messages (see rt_log.h). */
#include "rt_log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

void rt_write_all(int fd, const char *s, size_t n) {
    int saved = errno;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        s += w;
        n -= (size_t)w;
    }
    errno = saved;
}

static size_t put_u(char *b, size_t pos, size_t len, unsigned long long v, unsigned base) {
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (k && pos + 1 < len)
        b[pos++] = tmp[--k];
    return pos;
}

size_t rt_vfmt(char *b, size_t len, const char *f, va_list ap) {
    size_t pos = 0;
    if (!len)
        return 0;
    for (; *f && pos + 1 < len; f++) {
        if (*f != '%') {
            b[pos++] = *f;
            continue;
        }
        f++;
        int lng = 0, sz = 0;
        while (*f == 'l') {
            lng++;
            f++;
        }
        if (*f == 'z') {
            sz = 1;
            f++;
        }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            while (*s && pos + 1 < len)
                b[pos++] = *s++;
            break;
        }
        case 'd': {
            long long v = lng ? (lng > 1 ? va_arg(ap, long long) : va_arg(ap, long))
                              : va_arg(ap, int);
            if (v < 0) {
                b[pos++] = '-';
                v = -v;
            }
            pos = put_u(b, pos, len, (unsigned long long)v, 10);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = sz ? va_arg(ap, size_t)
                                 : lng > 1 ? va_arg(ap, unsigned long long)
                                 : lng     ? va_arg(ap, unsigned long)
                                           : va_arg(ap, unsigned);
            pos = put_u(b, pos, len, v, *f == 'x' ? 16 : 10);
            break;
        }
        case 'c':
            b[pos++] = (char)va_arg(ap, int);
            break;
        case '%':
            b[pos++] = '%';
            break;
        default:
            if (!*f)
                f--;
            break;
        }
    }
    b[pos] = 0;
    return pos;
}

size_t rt_fmt(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = rt_vfmt(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

static void vlog_fd(int fd, const char *fmt, va_list ap) {
    char line[1024];
    size_t n = rt_fmt(line, sizeof line, "memscope: ");
    n += rt_vfmt(line + n, sizeof line - n - 1, fmt, ap);
    line[n++] = '\n';
    rt_write_all(fd, line, n);
}

void rt_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog_fd(2, fmt, ap);
    va_end(ap);
}

void rt_log_fd(int fd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog_fd(fd, fmt, ap);
    va_end(ap);
}
