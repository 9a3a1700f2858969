/*
 * rt_lifecycle.h - process lifecycle: early init (first event), start
 * (options, output file, writer thread: from the runtime's constructor,
 * __memscope_init_v1 or a fork child's first event), exit, fatal signals,
 * fork, and the dormant mode of a second runtime copy.
 */
#ifndef RT_LIFECYCLE_H
#define RT_LIFECYCLE_H

#include "rt_core.h"

/*! rt_process_early() : clock, TSD key, fork handlers. Idempotent,
 *  allocation-free apart from pthread internals (callers hold the guard). */
RT_HIDDEN void rt_process_early(void);
/*! rt_process_start() : options, output, writer thread; RT_PS_RUNNING, or
 *  RT_PS_OFF when disabled, dormant or the output cannot be opened.
 *  Idempotent. Caller holds the guard. */
RT_HIDDEN void rt_process_start(void);
/*! rt_process_finish() : the exit path: final flush, leak scan (when
 *  @leak_scan), summary with @reason ("exit", "signal 11"), close. Waits at
 *  most @timeout_ms for the writer. Caller holds the guard. */
RT_HIDDEN void rt_process_finish(const char *reason, int leak_scan, unsigned timeout_ms,
                                 int signal_ctx);

/* Thread-stack and register roots handed to the writer for the leak scan. */
typedef struct {
    uintptr_t sp, hi;          /* calling thread's stack [sp, hi) */
    uintptr_t regs_lo, regs_hi; /* a jmp_buf holding its registers */
    uint32_t tid;              /* the calling thread */
    size_t n_tls;              /* its TLS blocks (dl_iterate_phdr's dlpi_tls_data) */
    struct {
        uintptr_t lo, hi;
    } tls[32];
} rt_exit_roots;
RT_HIDDEN extern rt_exit_roots rt_exit_roots_v;
RT_HIDDEN extern char rt_exit_reason[64];

#endif
