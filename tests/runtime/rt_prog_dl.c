/* rt_prog_dl - an uninstrumented shared library that allocates (dlopen test). */
#include <stdlib.h>
#include <string.h>

int rt_dl_allocate(int n) {
    int done = 0;
    for (int i = 0; i < n; i++) {
        char *volatile p = malloc(777);
        if (!p)
            break;
        memset(p, 1, 777);
        free(p);
        done++;
    }
    return done;
}
