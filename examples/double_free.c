/*
 * double_free.c - a block freed twice through two owners.
 *
 * A session holds a pointer to a shared buffer; close_session() frees it and
 * the caller frees it again. glibc detects this and aborts the process
 * ("free(): double free detected in tcache 2"); memscope records each free
 * before calling the real free(), flushes the trace on SIGABRT, and the report
 * shows both frees with their stacks and the allocation site (`s->buf`).
 *
 * Expected: the program dies with SIGABRT; the trace holds 2 allocations from
 * instrumented sites (the session and its buffer), a free of the session
 * buffer in close_session(), and a second free of the same address in main().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
    int id;
    char *buf;
};

static struct session *open_session(int id) {
    struct session *s = malloc(sizeof *s);
    s->id = id;
    s->buf = malloc(64);
    snprintf(s->buf, 64, "session %d", id);
    return s;
}

static void close_session(struct session *s) {
    free(s->buf);
}

int main(void) {
    struct session *s = open_session(7);
    char *alias = s->buf;
    printf("double_free: %s\n", alias);
    fflush(stdout);
    close_session(s);
    free(alias); /* bug: already freed by close_session() */
    free(s);
    return 0;
}
