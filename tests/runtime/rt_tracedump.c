/* rt_tracedump - print what rt_trace_load sees in a trace (debugging aid for
 * the runtime tests): rt_tracedump FILE [-v] */
#include <stdio.h>
#include <string.h>

#include "rt_trace_util.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: rt_tracedump FILE [-v]\n");
        return 2;
    }
    rt_trace t;
    if (rt_trace_load(argv[1], &t) != 0) {
        fprintf(stderr, "rt_tracedump: %s: %s\n", argv[1], ms_error_string(t.open_err));
        return 1;
    }
    printf("complete=%d pid=%u flags=%u events=%zu threads=%zu stacks=%zu sites=%zu modules=%zu "
           "strings=%zu counters=%zu leaks=%zu\n",
           t.complete, t.hdr.pid, t.hdr.flags, t.n_ev, t.n_threads, t.n_stacks, t.n_sites,
           t.n_modules, t.n_strings, t.n_counters, t.n_leaks);
    for (int k = 1; k < MS_EV_KIND_MAX_; k++)
        printf("kind %d: %zu (no-site %zu)\n", k, rt_trace_count(&t, k, 0, 0, 0),
               rt_trace_count(&t, k, 0, 0, MS_EVF_NO_SITE));
    for (size_t i = 0; i < t.n_summary; i++)
        if (t.summary_str[i])
            printf("summary %s=%s\n", t.summary_keys[i], t.summary_str[i]);
        else
            printf("summary %s=%llu\n", t.summary_keys[i], (unsigned long long)t.summary_u[i]);
    if (argc > 2 && !strcmp(argv[2], "-v")) {
        for (size_t i = 0; i < t.n_ev; i++) {
            const ms_event *e = &t.ev[i].ev;
            printf("t=%u %llu kind=%u fl=%u addr=%llx aux=%llx size=%llu site=%llx stack=%u\n",
                   t.ev[i].thread, (unsigned long long)e->time_ns, e->kind, e->flags,
                   (unsigned long long)e->addr, (unsigned long long)e->aux,
                   (unsigned long long)e->size, (unsigned long long)e->site, e->stack);
        }
        for (size_t i = 0; i < t.n_threads; i++)
            printf("thread %u start=%llu end=%llu\n", t.threads[i].tid,
                   (unsigned long long)t.threads[i].start_ns, (unsigned long long)t.threads[i].end_ns);
        for (size_t i = 0; i < t.n_leaks; i++)
            printf("leak %llx size=%llu kind=%u\n", (unsigned long long)t.leaks[i].addr,
                   (unsigned long long)t.leaks[i].size, t.leaks[i].kind);
    }
    rt_trace_free(&t);
    return 0;
}
