#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"

int main(void) {
    struct node *head = NULL;
    char word[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(word, sizeof word, "w%d", i);
        head = list_push(head, word);
    }
    size_t cap = 16, len = 0;
    char *buf = malloc(cap);
    for (int i = 0; i < 200 && buf; i++) {
        if (len + 8 > cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        memcpy(buf + len, "abcdefg", 8);
        len += 7;
    }
    size_t total = list_total(head);
    list_free(head);
    free(buf);
    /* 10*2 + 90*3 + 900*4 = 3890 */
    if (total != 3890) {
        fprintf(stderr, "listdemo: total %zu, want 3890\n", total);
        return 1;
    }
    printf("listdemo: ok\n");
    return 0;
}
