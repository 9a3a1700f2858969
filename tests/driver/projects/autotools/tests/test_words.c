#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>
#include <string.h>

#include "words.h"

int main(void) {
    words ws = {0};
    if (words_split(&ws, "  the quick  brown fox jumps over the lazy dog ") != 0)
        return 1;
    int ok = ws.n == 9 && strcmp(ws.w[0], "the") == 0 && strcmp(ws.w[8], "dog") == 0;
    words_clear(&ws);
    for (int round = 0; round < 100 && ok; round++) {
        if (words_split(&ws, "a b c d e f g h i j k l m n o p") != 0 || ws.n != 16)
            ok = 0;
        words_clear(&ws);
    }
    printf("test_words: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
