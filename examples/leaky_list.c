/*
 * leaky_list.c - a linked list whose head is dropped: the classic leak.
 *
 * build_list() allocates NODES nodes; main keeps the first list and frees it,
 * then builds a second list in load_config() and forgets it when its owner
 * `head` leaves scope. memscope reports the second list as 1 block definitely
 * lost (the head) and 2*NODES-1 blocks indirectly lost (the other NODES-1
 * nodes and the NODES names, reachable only through the lost head), and names
 * `head` in load_config() as the last owner of the lost head.
 *
 * Expected (what the program really does):
 *   allocations: 2*NODES nodes + 2*NODES names (strdup) = 4*NODES
 *   frees:       2*NODES (the first list, nodes and names)
 *   leaked:      NODES nodes (struct node, 32 bytes each) and NODES names
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODES 10

struct node {
    int value;
    char *name;
    struct node *next;
    double weight;
};

static struct node *build_list(int n) {
    struct node *list = NULL;
    for (int i = 0; i < n; i++) {
        struct node *n = malloc(sizeof *n);
        if (!n)
            exit(1);
        char label[32];
        snprintf(label, sizeof label, "node-%d", i);
        n->value = i;
        n->name = strdup(label);
        n->weight = i * 0.5;
        n->next = list;
        list = n;
    }
    return list;
}

static void free_list(struct node *list) {
    while (list) {
        struct node *next = list->next;
        free(list->name);
        free(list);
        list = next;
    }
}

static int load_config(void) {
    struct node *head = build_list(NODES);
    int sum = 0;
    for (struct node *p = head; p; p = p->next)
        sum += p->value;
    return sum; /* bug: head is never freed */
}

int main(void) {
    struct node *keep = build_list(NODES);
    int total = 0;
    for (struct node *p = keep; p; p = p->next)
        total += p->value;
    free_list(keep);
    total += load_config();
    printf("leaky_list: sum %d\n", total);
    return 0;
}
