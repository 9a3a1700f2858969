/*
 * temporaries.c - churn: short-lived allocations in a loop, and a few types.
 *
 * format_line() allocates a scratch buffer, uses it and frees it right away:
 * a temporary allocation (freed with no other allocation in between, as
 * heaptrack defines it). Points are kept in an array of struct point.
 *
 * Expected: LINES temporaries of char (64 bytes each) in format_line(),
 * 1 array of POINTS struct point (16 bytes each, 1 allocation), freed at the
 * end; 0 leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINES 500
#define POINTS 100

struct point {
    double x, y;
};

static size_t format_line(int i) {
    char *scratch = malloc(64);
    int n = snprintf(scratch, 64, "line %d: %d", i, i * i);
    size_t len = strlen(scratch) + (size_t)n;
    free(scratch);
    return len;
}

int main(void) {
    size_t total = 0;
    struct point *pts = calloc(POINTS, sizeof(struct point));
    for (int i = 0; i < POINTS; i++) {
        pts[i].x = i;
        pts[i].y = i * 2.0;
    }
    for (int i = 0; i < LINES; i++)
        total += format_line(i);
    double s = 0;
    for (int i = 0; i < POINTS; i++)
        s += pts[i].x + pts[i].y;
    free(pts);
    printf("temporaries: %zu %.0f\n", total, s);
    return 0;
}
