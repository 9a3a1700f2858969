/*
 * error_chain.c - a local's address published in a heap object and
 * withdrawn before the local dies: no dangling pointer.
 *
 * Interpreters keep a chain of error handlers: protected_call() links its
 * local `struct handler h` into state->handlers (an escape of a local's
 * address into the heap) and unlinks it before returning, as Lua's
 * luaD_rawrunprotected() does with L->errorJmp. memscope records each escape
 * but reports a dangling stack pointer only when a slot still points into the
 * local when its lifetime ends; here none does.
 *
 * Expected: 1 struct state allocated and freed; CALLS escapes of `h`; 0
 * dangling stack pointers, 0 errors, 0 leaks.
 */
#include <stdio.h>
#include <stdlib.h>

#define CALLS 100

struct handler {
    struct handler *previous;
    int status;
};

struct state {
    struct handler *handlers;
    long sum;
};

static __attribute__((noinline)) int protected_call(struct state *s, int i) {
    struct handler h;
    h.previous = s->handlers;
    h.status = 0;
    s->handlers = &h; /* publish the local's address in the heap */
    s->sum += i;
    if (i % 7 == 0)
        h.status = 1;
    s->handlers = h.previous; /* ... and withdraw it before returning */
    return h.status;
}

int main(void) {
    struct state *s = calloc(1, sizeof *s);
    int failures = 0;
    for (int i = 0; i < CALLS; i++)
        failures += protected_call(s, i);
    printf("error_chain: sum %ld, %d failures\n", s->sum, failures);
    free(s);
    return 0;
}
