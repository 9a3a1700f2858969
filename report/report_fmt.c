/*
 * report_fmt.c - human-readable numbers shared by the text and HTML outputs.
 */
#include <stdio.h>

#include "report_internal.h"

const char *rp_fmt_bytes(uint64_t v, char *b) {
    static const char *const u[] = {"B", "KB", "MB", "GB", "TB"};
    double d = (double)v;
    int i = 0;
    while (d >= 1000.0 && i < 4) {
        d /= 1000.0;
        i++;
    }
    if (!i)
        sprintf(b, "%llu B", (unsigned long long)v);
    else
        sprintf(b, "%.2f %s", d, u[i]);
    return b;
}

const char *rp_fmt_time(uint64_t ns, char *b) {
    if (ns < 1000)
        sprintf(b, "%lluns", (unsigned long long)ns);
    else if (ns < 1000000)
        sprintf(b, "%.2fus", ns / 1e3);
    else if (ns < 1000000000)
        sprintf(b, "%.2fms", ns / 1e6);
    else
        sprintf(b, "%.2fs", ns / 1e9);
    return b;
}
