/* rt_clock.c - tick source selection and TSC calibration (see rt_clock.h). */
#include "rt_clock.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

int rt_clock_use_tsc;

static uint64_t origin_ticks, origin_mono;
static int inited;
/* ns = origin-relative ((ticks - origin_ticks) * mult) >> 32 */
static unsigned __int128 mult_q32;
static int calibrated;
static pthread_mutex_t cal_mu = PTHREAD_MUTEX_INITIALIZER;

/* Invariant TSC: Linux lists constant_tsc and nonstop_tsc in /proc/cpuinfo. */
static int cpu_has_invariant_tsc(void) {
#if defined(__x86_64__)
    int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return strstr(buf, " constant_tsc") && strstr(buf, " nonstop_tsc");
#else
    return 0;
#endif
}

void rt_clock_init(void) {
    if (__atomic_load_n(&inited, __ATOMIC_ACQUIRE))
        return;
    rt_clock_use_tsc = cpu_has_invariant_tsc();
    origin_mono = rt_clock_mono_ns();
    origin_ticks = rt_clock_now();
    __atomic_store_n(&inited, 1, __ATOMIC_RELEASE);
}

uint64_t rt_clock_origin_mono(void) { return origin_mono; }

static void calibrate(void) {
    pthread_mutex_lock(&cal_mu);
    if (!calibrated) {
        uint64_t m, t;
        for (;;) {
            m = rt_clock_mono_ns();
            t = rt_clock_now();
            if (m - origin_mono >= 2000000ull)
                break;
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        uint64_t dt = t - origin_ticks;
        mult_q32 = dt ? (((unsigned __int128)(m - origin_mono)) << 32) / dt : 0;
        __atomic_store_n(&calibrated, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&cal_mu);
}

uint64_t rt_clock_to_ns(uint64_t ticks) {
    if (!rt_clock_use_tsc)
        return ticks > origin_mono ? ticks - origin_mono : 0;
    if (!__atomic_load_n(&calibrated, __ATOMIC_ACQUIRE))
        calibrate();
    if (ticks <= origin_ticks)
        return 0;
    return (uint64_t)(((unsigned __int128)(ticks - origin_ticks) * mult_q32) >> 32);
}

uint64_t rt_clock_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rt_clock_now_ns(void) { return rt_clock_to_ns(rt_clock_now()); }
