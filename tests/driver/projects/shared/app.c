#include <stdio.h>
#include <stdlib.h>

#include "shape.h"

int main(void) {
    int total = 0;
    for (int i = 3; i < 103; i++) {
        struct shape *s = shape_new("poly", i);
        int *scratch = malloc(sizeof(int) * (size_t)i);
        if (!s || !scratch)
            return 1;
        total += shape_sides(s);
        free(scratch);
        shape_free(s);
    }
    if (total != 5250) {
        fprintf(stderr, "app: total %d, want 5250\n", total);
        return 1;
    }
    printf("app: ok\n");
    return 0;
}
