/*
 * rt_writer.h - the writer thread: owns the ms_writer and the live map.
 * It encodes queued buffers (one events chunk per buffer, the owner's tid),
 * keeps the live map from the events, drains new stacks, sites and strings
 * before the events that use them, writes the module map (again when
 * dlopen/dlclose change it), threads, counters every counters_ms, sweeps
 * partial buffers and flushes the file every flush_ms, and on RT_REQ_FINISH
 * writes the leak scan and the summary and closes the file.
 */
#ifndef RT_WRITER_H
#define RT_WRITER_H

#include "rt_core.h"

typedef struct {
    int fd;                  /* locked trace file, owned by the writer */
    const char *exe;         /* header's executable path */
    int codec, level;
    unsigned flush_ms, counters_ms;
    int fork_child;          /* MS_HDR_F_FORK_CHILD, inherited blocks written */
    int leak_scan;
    uint32_t tid;            /* thread that started the trace (inherited blocks) */
} rt_writer_config;

/*! rt_writer_open() : create the ms_writer on @c->fd (header written), the
 *  live map (kept from the parent in a fork child: its blocks are written as
 *  MS_EVF_INHERITED allocations) and write the first module map.
 *  Caller holds the guard. @return 0 or -1 (message printed). */
RT_HIDDEN int rt_writer_open(const rt_writer_config *c);
/*! rt_writer_start() : start the thread (all signals blocked in it).
 *  @return 0 or -1. */
RT_HIDDEN int rt_writer_start(void);
/*! rt_writer_fork_child() : in a fork child: drop the parent's writer
 *  (file left to the parent), keep the live map for the inherited blocks. */
RT_HIDDEN void rt_writer_fork_child(void);
/* Fork prepare/parent: hold the writer's work lock around fork(). */
RT_HIDDEN void rt_writer_fork_prepare(void);
RT_HIDDEN void rt_writer_fork_parent(void);
/*! rt_writer_is_self() : the calling thread is the writer thread. */
RT_HIDDEN int rt_writer_is_self(void);

#endif
