/*
 * rt_prog_stale - the only pointer to a 48-byte block is dropped, but main's
 * frame keeps 64 dead copies of it; after main returns, exit()'s own frames
 * live in that memory and their never-written slots still hold copies
 * (test_rt_bug_ld_allocations, test_exit_scan_skips_exit_frames). Linked with
 * the driver's link line. The block is lost.
 */
#include <stdint.h>
#include <stdlib.h>

int main(void) {
    volatile uintptr_t a[64];
    void *p = malloc(48);
    for (int i = 0; i < 64; i++)
        a[i] = (uintptr_t)p;
    p = NULL;
    return (int)(a[0] & 0);
}
