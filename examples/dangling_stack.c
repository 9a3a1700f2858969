/*
 * dangling_stack.c - the address of a local escapes into a heap object and
 * outlives the local.
 *
 * register_name() stores the address of its local array `name` into a
 * heap-allocated registry entry; when register_name() returns, the entry
 * still points into the dead stack frame. memscope records the escape (the
 * store of a local's address into heap memory) and the end of the local's
 * lifetime while the entry was still live: a dangling stack pointer.
 *
 * Expected: 1 entry allocated (struct entry), 1 escape of `name`, the local
 * dies while the entry is live; the entry is freed at the end (no leak).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    int id;
    const char *label;
};

static __attribute__((noinline)) void register_name(struct entry *e, int id) {
    char name[16];
    snprintf(name, sizeof name, "entry-%d", id);
    e->id = id;
    e->label = name; /* bug: stores the address of a local into the heap */
    printf("registered %s\n", e->label);
}

int main(void) {
    struct entry *e = malloc(sizeof *e);
    register_name(e, 42);
    printf("dangling_stack: id %d\n", e->id);
    free(e);
    return 0;
}
