/* rt_prog_sites.h - the hand-made site records of rt_prog (X-macro), in a
 * header so test_rt_e2e.c knows their order: site ids are addresses, so the
 * test matches events to sites by their column (= index + 1) in the sites chunk. */
#define RT_PROG_SITES(X)                                  \
    X(site_malloc, MEMSCOPE_SITE_MALLOC)                  \
    X(site_malloc2, MEMSCOPE_SITE_MALLOC)                 \
    X(site_free, MEMSCOPE_SITE_FREE)                      \
    X(site_free2, MEMSCOPE_SITE_FREE)                     \
    X(site_calloc, MEMSCOPE_SITE_CALLOC)                  \
    X(site_realloc, MEMSCOPE_SITE_REALLOC)                \
    X(site_strdup, MEMSCOPE_SITE_STRDUP)                  \
    X(site_pmemalign, MEMSCOPE_SITE_POSIX_MEMALIGN)       \
    X(site_fail, MEMSCOPE_SITE_MALLOC)                    \
    X(site_scope, MEMSCOPE_SITE_SCOPE_EXIT)               \
    X(site_dtor, MEMSCOPE_SITE_DTOR)                      \
    X(site_tsd, MEMSCOPE_SITE_MALLOC)                     \
    X(site_tsd_free, MEMSCOPE_SITE_FREE)                  \
    X(site_signal, MEMSCOPE_SITE_MALLOC)                  \
    X(site_signal_free, MEMSCOPE_SITE_FREE)               \
    X(site_reach, MEMSCOPE_SITE_MALLOC)                   \
    X(site_lost, MEMSCOPE_SITE_MALLOC)                    \
    X(site_indirect, MEMSCOPE_SITE_MALLOC)                \
    X(site_ctx, MEMSCOPE_SITE_MALLOC)                     \
    X(site_tls, MEMSCOPE_SITE_MALLOC)                     \
    X(site_xfer, MEMSCOPE_SITE_MALLOC)                    \
    X(site_xfer2, MEMSCOPE_SITE_MALLOC)                   \
    X(site_xfer_free, MEMSCOPE_SITE_FREE)                 \
    X(site_xfer_realloc, MEMSCOPE_SITE_REALLOC)           \
    X(site_tls_other, MEMSCOPE_SITE_MALLOC)               \
    X(site_tls_dyn, MEMSCOPE_SITE_MALLOC)                 \
    X(site_exit_local, MEMSCOPE_SITE_MALLOC)

#define RT_PROG_SITE_ENUM(name, k) idx_##name,
enum { RT_PROG_SITES(RT_PROG_SITE_ENUM) RT_PROG_NSITES };
