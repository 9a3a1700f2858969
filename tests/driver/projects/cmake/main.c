#include <stdio.h>
#include <string.h>

#include "strbuf.h"

int main(void) {
    strbuf b = {0};
    for (int i = 0; i < 500; i++)
        if (strbuf_append(&b, "hello ") != 0)
            return 1;
    int ok = b.len == 3000 && strncmp(b.data, "hello hello", 11) == 0;
    strbuf_release(&b);
    printf("demo: %s\n", ok ? "ok" : "wrong");
    return ok ? 0 : 1;
}
