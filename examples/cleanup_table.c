/*
 * cleanup_table.c - destructor-style cleanup: __attribute__((cleanup)) and
 * *_destroy functions that free nested objects.
 *
 * A table owns ROWS rows; each row owns a cell buffer. table_destroy() calls
 * row_free() for every row (nested destructor calls), and the table in
 * process() is released automatically by the cleanup attribute when it leaves
 * scope. memscope records the destructor calls with their nesting, duration
 * and the frees performed inside each.
 *
 * Expected per call of process(): 1 table + 1 rows array + ROWS rows +
 * ROWS cell buffers = 2 + 2*ROWS allocations, all freed inside
 * table_destroy() (1 call) and row_free() (ROWS calls, nested in it).
 * main calls process() ROUNDS times; nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 8
#define ROUNDS 3

typedef struct row {
    size_t ncells;
    int *cells;
} row_t;

typedef struct table {
    size_t nrows;
    row_t **rows;
} table_t;

static row_t *row_new(size_t ncells) {
    row_t *r = malloc(sizeof *r);
    r->ncells = ncells;
    r->cells = calloc(ncells, sizeof *r->cells);
    return r;
}

void row_free(row_t *r) {
    if (!r)
        return;
    free(r->cells);
    free(r);
}

void table_destroy(table_t *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows; i++)
        row_free(t->rows[i]);
    free(t->rows);
    free(t);
}

static void table_cleanup(table_t **tp) { table_destroy(*tp); }

static table_t *table_new(size_t nrows) {
    table_t *t = malloc(sizeof *t);
    t->nrows = nrows;
    t->rows = malloc(nrows * sizeof *t->rows);
    for (size_t i = 0; i < nrows; i++)
        t->rows[i] = row_new(4 + i);
    return t;
}

static long process(int round) {
    __attribute__((cleanup(table_cleanup))) table_t *table = table_new(ROWS);
    long sum = 0;
    for (size_t i = 0; i < table->nrows; i++)
        for (size_t j = 0; j < table->rows[i]->ncells; j++) {
            table->rows[i]->cells[j] = (int)(i * j) + round;
            sum += table->rows[i]->cells[j];
        }
    return sum;
}

int main(void) {
    long total = 0;
    for (int r = 0; r < ROUNDS; r++)
        total += process(r);
    printf("cleanup_table: %ld\n", total);
    return 0;
}
