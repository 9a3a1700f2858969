#ifndef LIST_H
#define LIST_H
#include <stddef.h>

struct node {
    struct node *next;
    char *name;
    size_t len;
};

struct node *list_push(struct node *head, const char *name);
size_t list_total(const struct node *head);
void list_free(struct node *head);
#endif
