#ifndef STRBUF_H
#define STRBUF_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;
int strbuf_append(strbuf *b, const char *s);
void strbuf_release(strbuf *b);
#ifdef __cplusplus
}
#endif
#endif
