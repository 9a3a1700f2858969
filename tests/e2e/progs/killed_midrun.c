/*
 * killed_midrun.c - a program that is still allocating when it is killed.
 *
 * Phase 1 allocates KEEP struct record blocks (24 bytes each) into `keep`
 * and never frees them; it then creates the file named by argv[1] to say
 * "phase 1 is done" and enters phase 2: an endless malloc/free churn of
 * 32-byte `scratch` buffers, sleeping 1 ms every 100 rounds, until it is
 * killed. Used by tests/e2e/killed.sh with SIGKILL: the trace must hold
 * phase 1 completely (the runtime's timer flush) and read as recovered.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEEP 500

struct record {
    long id;
    double value;
    struct record *next;
};

static struct record *keep[KEEP];

static void phase1(void) {
    for (int i = 0; i < KEEP; i++) {
        struct record *rec = malloc(sizeof *rec);
        rec->id = i;
        rec->value = i * 0.25;
        rec->next = i ? keep[i - 1] : NULL;
        keep[i] = rec;
    }
}

static unsigned churn(unsigned round) {
    char *scratch = malloc(32);
    memset(scratch, (int)(round & 0x7f), 32);
    unsigned v = (unsigned char)scratch[round % 32];
    free(scratch);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: killed_midrun READY-FILE\n");
        return 2;
    }
    phase1();
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    close(fd);
    unsigned sum = 0;
    struct timespec ms = {0, 1000000};
    for (unsigned round = 0;; round++) {
        sum += churn(round);
        if (round % 100 == 99)
            nanosleep(&ms, NULL);
        if (sum == 0xFFFFFFFFu) /* never: keeps the loop observable */
            printf("%u\n", sum);
    }
}
