#ifndef WORDS_H
#define WORDS_H
#include <stddef.h>
typedef struct words {
    char **w;
    size_t n, cap;
} words;
/* Split @text on spaces into @out (fresh copies). 0 on success. */
int words_split(words *out, const char *text);
void words_clear(words *ws);
#endif
