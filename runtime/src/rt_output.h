/*
 * rt_output.h - naming and opening the trace file.
 *
 * Names: the `output` option with %p (pid), %e (executable's base name) and
 * %% expanded. A trace another live process is writing is never clobbered:
 * the file is flock()ed while written; when the lock is taken, or when the
 * file was written by this very pid (a pre-exec image of this process), the
 * fallback name is used (memscope.ms -> memscope.<pid>.ms) and stderr says
 * so. Files are created with O_NOFOLLOW | O_CLOEXEC and mode 0666 under the
 * user's umask.
 */
#ifndef RT_OUTPUT_H
#define RT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/*! rt_output_expand() : expand @pat into @out (NUL-terminated, truncated to
 *  @len). @return the length, or (size_t)-1 when it does not fit. */
size_t rt_output_expand(const char *pat, uint32_t pid, const char *exe, char *out, size_t len)
    __attribute__((visibility("hidden")));

/*! rt_output_fallback() : @path with ".<pid>" inserted before a trailing
 *  ".ms" (else appended), and "-<n>" before it when @n > 0. */
size_t rt_output_fallback(const char *path, uint32_t pid, unsigned n, char *out, size_t len)
    __attribute__((visibility("hidden")));

/*! rt_output_open() : open the trace for @pat. @pid_name: start from the
 *  fallback name (fork child). On success *@fd is locked, empty, positioned
 *  at 0, and @path_out holds the name used. Messages go to @err_fd.
 *  @return 0, or -1 (message printed). */
int rt_output_open(const char *pat, uint32_t pid, const char *exe, int pid_name, char *path_out,
                   size_t path_len, int *fd, int err_fd) __attribute__((visibility("hidden")));

#endif
