#include "list.h"

#include <stdlib.h>
#include <string.h>

struct node *list_push(struct node *head, const char *name) {
    struct node *n = malloc(sizeof *n);
    if (!n)
        return head;
    n->name = strdup(name);
    n->len = n->name ? strlen(n->name) : 0;
    n->next = head;
    return n;
}

size_t list_total(const struct node *head) {
    size_t t = 0;
    for (; head; head = head->next)
        t += head->len;
    return t;
}

void list_free(struct node *head) {
    while (head) {
        struct node *next = head->next;
        free(head->name);
        free(head);
        head = next;
    }
}
