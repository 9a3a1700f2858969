#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>

#include "words.h"

int main(int argc, char **argv) {
    size_t total = 0;
    for (int i = 1; i < argc; i++) {
        words ws = {0};
        if (words_split(&ws, argv[i]) != 0)
            return 1;
        total += ws.n;
        words_clear(&ws);
    }
    printf("%zu\n", total);
    return 0;
}
