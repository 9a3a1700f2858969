/*
 * rt_options.h - runtime options, parsed once from MEMSCOPE_OPTIONS
 * ("key=value:key=value", like ASAN_OPTIONS) on top of the program's
 * compiled-in __memscope_default_options(). One table: rt_options.inc.
 */
#ifndef RT_OPTIONS_H
#define RT_OPTIONS_H

#include <stddef.h>

#define RT_OPT_STR_MAX 512

typedef struct {
#define RT_OPT(type, name, def, mn, mx, desc) RT_OPT_FIELD_##type(name)
#define RT_OPT_FIELD_STR(name) char name[RT_OPT_STR_MAX];
#define RT_OPT_FIELD_INT(name) long name;
#define RT_OPT_FIELD_BOOL(name) int name;
#define RT_OPT_FIELD_CODEC(name) int name; /* ms_codec */
#include "rt_options.inc"
#undef RT_OPT
} rt_options;

/*! rt_options_defaults() : fill @o with the table's defaults. */
void rt_options_defaults(rt_options *o) __attribute__((visibility("hidden")));

/*! rt_options_parse() : apply "key=value:key=value" (also ',' as separator)
 *  to @o. An unknown key or a bad value writes one line to @err_fd
 *  ("memscope: unknown option 'x' (help=1 lists them)") and keeps the
 *  previous value. No allocation. @return the number of problems. */
int rt_options_parse(rt_options *o, const char *s, int err_fd)
    __attribute__((visibility("hidden")));

/*! rt_options_print_help() : the table, one option per line, on @fd. */
void rt_options_print_help(int fd) __attribute__((visibility("hidden")));

/*! rt_options_load() : defaults, then __memscope_default_options() when the
 *  program defines it, then $MEMSCOPE_OPTIONS; prints the help when help=1.
 *  Fills the process-wide table returned by rt_opts(). */
void rt_options_load(void) __attribute__((visibility("hidden")));
const rt_options *rt_opts(void) __attribute__((visibility("hidden")));

#endif
