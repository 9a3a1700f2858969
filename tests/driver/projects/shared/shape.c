#include "shape.h"

#include <stdlib.h>
#include <string.h>

struct shape {
    char *name;
    int sides;
};

struct shape *shape_new(const char *name, int sides) {
    struct shape *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->name = strdup(name);
    s->sides = sides;
    return s;
}

int shape_sides(const struct shape *s) { return s->sides; }

void shape_free(struct shape *s) {
    if (!s)
        return;
    free(s->name);
    free(s);
}
