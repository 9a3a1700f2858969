/*
 * growing_buffer.c - two ways to grow a buffer with realloc.
 *
 * append_doubling() doubles its capacity (amortised O(n) copying); the
 * append_by_step() grows by a constant 16 bytes each time, so the bytes copied
 * grow quadratically with the length. memscope shows each realloc chain with
 * its sizes, its growth factor, the bytes copied, the variable (`buf`) and
 * flags the constant-step chain as quadratic.
 *
 * Expected: chain "doubling": malloc(16) then reallocs to 32, 64, ... 4096
 * (8 reallocs); chain "step": malloc(16) then 255 reallocs of +16 bytes up to
 * 4096. Both buffers are freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET 4096
#define STEP 16

static size_t append_doubling(void) {
    size_t cap = 16, len = 0;
    char *buf = malloc(cap);
    while (len < TARGET) {
        if (len + STEP > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        memset(buf + len, 'd', STEP);
        len += STEP;
    }
    size_t sum = 0;
    for (size_t i = 0; i < len; i += 64)
        sum += (unsigned char)buf[i];
    free(buf);
    return sum;
}

static size_t append_by_step(void) {
    size_t cap = STEP, len = 0;
    char *buf = malloc(cap);
    while (len < TARGET) {
        if (len + STEP > cap) {
            cap += STEP;
            buf = realloc(buf, cap);
        }
        memset(buf + len, 's', STEP);
        len += STEP;
    }
    size_t sum = 0;
    for (size_t i = 0; i < len; i += 64)
        sum += (unsigned char)buf[i];
    free(buf);
    return sum;
}

int main(void) {
    size_t a = append_doubling();
    size_t b = append_by_step();
    printf("growing_buffer: %zu %zu\n", a, b);
    return 0;
}
