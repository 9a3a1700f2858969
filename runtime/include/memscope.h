/*
 * memscope.h - annotations for what the memscope pass cannot see.
 *
 * Include it in programs built with memscope-cc (or linked with
 * libmemscope_rt). Every function is cheap (one event appended to the calling
 * thread's buffer), thread-safe, and a no-op when recording is disabled
 * (MEMSCOPE_OPTIONS=enabled=0). Define MEMSCOPE_DISABLE before including it
 * to compile all annotations away (for builds without the runtime).
 *
 *   #include <memscope/memscope.h>
 *   void *pool_get(pool *p) { void *b = ...; memscope_alloc(b, p->size); return b; }
 *   void  pool_put(pool *p, void *b) { memscope_free(b); ... }
 */
#ifndef MEMSCOPE_H
#define MEMSCOPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMSCOPE_API_VERSION 1

#ifndef MEMSCOPE_DISABLE

/*! memscope_alloc() : @p is now a live block of @size bytes handed out by a
 *  custom allocator or pool (recorded as a custom allocation with the caller's
 *  stack). If @p is already a live block (an allocator wrapping malloc), the
 *  block is re-attributed to this call instead. @p == NULL records a failed
 *  allocation. */
void memscope_alloc(const void *p, size_t size);

/*! memscope_free() : the custom block @p is released (call it before the
 *  memory is reused). NULL is ignored. */
void memscope_free(const void *p);

/*! memscope_realloc() : custom block @old_p was resized to @new_p of @size
 *  bytes (recorded as the release of @old_p then the allocation of @new_p;
 *  either may be NULL). */
void memscope_realloc(const void *old_p, const void *new_p, size_t size);

/*! memscope_name() : give the live block @p a name shown by the report
 *  ("parser arena"). The string is copied; names are interned, so reusing
 *  one costs nothing extra in the trace. */
void memscope_name(const void *p, const char *name);

/*! memscope_phase() : mark the start of a program phase ("loading",
 *  "steady state"); the report splits time-based analyses at these marks.
 *  The string is copied. */
void memscope_phase(const char *name);

/*! memscope_flush() : write every event recorded so far, by all threads, to
 *  the trace file (blocks until written, at most a few seconds). Useful
 *  before a risky operation or in a long-running daemon. */
void memscope_flush(void);

#else
#define memscope_alloc(p, size) ((void)(p), (void)(size))
#define memscope_free(p) ((void)(p))
#define memscope_realloc(o, n, size) ((void)(o), (void)(n), (void)(size))
#define memscope_name(p, name) ((void)(p), (void)(name))
#define memscope_phase(name) ((void)(name))
#define memscope_flush() ((void)0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* MEMSCOPE_H */
