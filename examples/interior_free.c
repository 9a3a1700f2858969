/*
 * interior_free.c - free() of a pointer into the middle of a block.
 *
 * parse_header() allocates a 48-byte `packet` buffer and advances a cursor
 * `body` past an 8-byte header; release() is then handed the cursor instead
 * of the buffer and frees it. glibc detects the bad pointer and aborts
 * ("free(): invalid pointer"); memscope records the free before calling the
 * real free(), flushes the trace on SIGABRT, and the report shows an
 * interior free at offset 8 of the packet block, with the allocation site.
 *
 * Expected: the program dies with SIGABRT; the trace holds 1 allocation
 * from an instrumented site (char packet, 48 bytes) and 1 interior free of
 * it at offset 8 in release(); the packet is never freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 8
#define PACKET 48

static __attribute__((noinline)) char *parse_header(void) {
    char *packet = malloc(PACKET);
    memset(packet, 'h', HEADER);
    snprintf(packet + HEADER, PACKET - HEADER, "payload");
    char *body = packet + HEADER;
    return body;
}

static __attribute__((noinline)) void release(char *buf) {
    free(buf); /* bug: buf points HEADER bytes into the block */
}

int main(void) {
    char *body = parse_header();
    printf("interior_free: %s\n", body);
    fflush(stdout);
    release(body);
    return 0;
}
