/*
 * rt_log.h - raw stderr messages for the runtime: write(2) only, no stdio,
 * no allocation, usable from signal handlers and before libc is ready.
 * Every line starts with "memscope: ".
 */
#ifndef RT_LOG_H
#define RT_LOG_H

#include <stdarg.h>
#include <stddef.h>

/*! rt_fmt() : tiny vsnprintf subset into @buf (always NUL-terminated):
 *  %s %d %u %ld %lu %llu %zu %x %lx %c %%. @return length written. */
size_t rt_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
    __attribute__((visibility("hidden")));
size_t rt_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((visibility("hidden"), format(printf, 3, 4)));

/*! rt_log() : "memscope: <message>\n" on fd 2 (one write). */
void rt_log(const char *fmt, ...) __attribute__((visibility("hidden"), format(printf, 1, 2)));
/*! rt_log_fd() : the same on @fd. */
void rt_log_fd(int fd, const char *fmt, ...)
    __attribute__((visibility("hidden"), format(printf, 2, 3)));
/*! rt_write_all() : write(2) until done or error. */
void rt_write_all(int fd, const char *s, size_t n) __attribute__((visibility("hidden")));

#endif
