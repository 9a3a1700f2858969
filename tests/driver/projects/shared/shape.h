#ifndef SHAPE_H
#define SHAPE_H
struct shape;
struct shape *shape_new(const char *name, int sides);
int shape_sides(const struct shape *s);
void shape_free(struct shape *s);
#endif
