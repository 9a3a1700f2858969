/* rt_prog_dli - an "instrumented" shared library (hand-made site records, as
 * the pass emits them): its constructor registers its sites and its calls go
 * to the executable's runtime through the dynamic list (dlopen test). */
#include "memscope_abi.h"

__attribute__((used, section("memscope_sites"), aligned(8))) const memscope_site dli_site_malloc =
    {MEMSCOPE_SITE_MAGIC, MEMSCOPE_SITE_MALLOC, 0, 7, 900, 0, 0, 0, 0, 0, 0, 0};
__attribute__((used, section("memscope_sites"), aligned(8))) const memscope_site dli_site_free =
    {MEMSCOPE_SITE_MAGIC, MEMSCOPE_SITE_FREE, 0, 8, 901, 0, 0, 0, 0, 0, 0, 0};

extern const memscope_site __start_memscope_sites[] __attribute__((visibility("hidden")));
extern const memscope_site __stop_memscope_sites[] __attribute__((visibility("hidden")));

__attribute__((constructor(101))) static void register_sites(void) {
    __memscope_init_v1(__start_memscope_sites, __stop_memscope_sites);
}

int rt_dli_allocate(int n) {
    for (int i = 0; i < n; i++)
        __memscope_free(__memscope_malloc(888, &dli_site_malloc), &dli_site_free);
    return n;
}
