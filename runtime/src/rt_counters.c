/*
 * rt_counters.c - RSS and malloc totals. See rt_counters.h.
 */
#define _GNU_SOURCE
#include "rt_counters.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <time.h>
#include <unistd.h>

uint64_t rt_counters_rss(void)
{
    /* statm: "size resident shared text lib data dt", in pages. */
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got;
    do {
        got = read(fd, buf, sizeof buf - 1);
    } while (got < 0 && errno == EINTR);
    close(fd);
    if (got <= 0)
        return 0;
    buf[got] = '\0';

    const char *p = buf;
    while (*p >= '0' && *p <= '9') /* size */
        p++;
    while (*p == ' ')
        p++;
    uint64_t pages = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        pages = pages * 10 + (uint64_t)(*p - '0');
        p++;
        digits++;
    }
    if (digits == 0)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    return pages * (uint64_t)(page > 0 ? page : 4096);
}

/* Last mallinfo2() figures and what the call cost. Plain integers (no
 * pointers), so the leak scan finds nothing here. */
static struct {
    int valid;
    uint64_t at_ns;        /* caller's clock at the last refresh */
    uint64_t cost_ns;      /* duration of the last mallinfo2() */
    uint64_t arena, in_use, free_bytes;
} g_heap;

#define RT_COUNTERS_COST_FACTOR 100u

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rt_counters_sample(ms_counter *c, uint64_t now_ns)
{
    if (!g_heap.valid || now_ns < g_heap.at_ns ||
        now_ns - g_heap.at_ns >= g_heap.cost_ns * RT_COUNTERS_COST_FACTOR) {
        uint64_t t0 = mono_ns();
        struct mallinfo2 mi = mallinfo2();
        g_heap.cost_ns = mono_ns() - t0;
        g_heap.at_ns = now_ns;
        g_heap.arena = (uint64_t)mi.arena + (uint64_t)mi.hblkhd;
        g_heap.in_use = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
        g_heap.free_bytes = (uint64_t)mi.fordblks;
        g_heap.valid = 1;
    }
    c->time_ns = now_ns;
    c->rss = rt_counters_rss();
    c->heap_arena = g_heap.arena;
    c->heap_in_use = g_heap.in_use;
    c->heap_free = g_heap.free_bytes;
    c->live_bytes = 0;
    c->live_blocks = 0;
}
