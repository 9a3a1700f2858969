/*
 * rt_prog_static - a program linked with -static and the driver's link line
 * (test_rt_bug_static_link): twins at a hand-made site, a thread, a free.
 * Prints the number of blocks it allocated through the twins.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "memscope_abi.h"

__attribute__((used, section("memscope_sites"), aligned(8))) const memscope_site st_site_malloc = {
    MEMSCOPE_SITE_MAGIC, MEMSCOPE_SITE_MALLOC, 0, __LINE__, 1, 0, 0, 0, 0, 0, 0, 0};
__attribute__((used, section("memscope_sites"), aligned(8))) const memscope_site st_site_free = {
    MEMSCOPE_SITE_MAGIC, MEMSCOPE_SITE_FREE, 0, __LINE__, 2, 0, 0, 0, 0, 0, 0, 0};

extern const memscope_site __start_memscope_sites[], __stop_memscope_sites[];
__attribute__((constructor(101))) static void register_sites(void) {
    __memscope_init_v1(__start_memscope_sites, __stop_memscope_sites);
}

static void *worker(void *arg) {
    for (int i = 0; i < 50; i++)
        __memscope_free(__memscope_malloc(32, &st_site_malloc), &st_site_free);
    return arg;
}

void *st_keep;

int main(void) {
    pthread_t th;
    if (pthread_create(&th, NULL, worker, NULL) != 0)
        return 3;
    pthread_join(th, NULL);
    for (int i = 0; i < 50; i++)
        __memscope_free(__memscope_malloc(64, &st_site_malloc), &st_site_free);
    st_keep = __memscope_malloc(128, &st_site_malloc);
    void *p = malloc(10); /* libc.a's malloc in a static link: not recorded */
    free(p);
    printf("%d\n", 101);
    return 0;
}
