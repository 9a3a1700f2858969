/*
 * ms_dump.c - prints every record of a .ms file in a canonical text form,
 * through libmsformat. test_fmt_spec compares it with ms_spec_reader.py,
 * an independent reader written from docs/FORMAT.md alone.
 *
 *   ms_dump FILE
 */
#include <inttypes.h>
#include <stdio.h>

#include "msformat.h"

static void hex(const void *p, size_t n)
{
    const unsigned char *b = p;
    putchar(' ');
    if (n == 0)
        putchar('-');
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static void str(const char *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    hex(s, n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ms_dump FILE\n");
        return 2;
    }
    ms_reader *r;
    ms_error e = ms_reader_open(argv[1], &r);
    if (e != MS_OK) {
        fprintf(stderr, "ms_dump: %s: %s\n", argv[1], ms_error_name(e));
        return 1;
    }
    const ms_header_info *h = ms_reader_header(r);
    printf("header version=%u flags=%u pid=%u codec=%u created=%" PRIu64, h->version, h->flags,
           h->pid, (unsigned)h->codec, h->created_unix_ns);
    str(h->exe);
    putchar('\n');
    const ms_recovery *rec = ms_reader_recovery(r);
    printf("complete=%d valid=%" PRIu64 "\n", rec->complete, rec->valid_bytes);
    for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        ms_decoded *d;
        if ((e = ms_reader_load(r, i, &d)) != MS_OK) {
            printf("chunk %zu error %s\n", i, ms_error_name(e));
            continue;
        }
        printf("chunk %zu type=%s thread=%u items=%" PRIu64 " t=%" PRIu64 "..%" PRIu64
               " offset=%" PRIu64 "\n", i, ms_chunk_type_name(c->type), c->thread, c->items,
               c->t_first, c->t_last, c->offset);
        for (size_t k = 0; k < d->count; k++) {
            switch (d->type) {
            case MS_CHUNK_EVENTS: {
                const ms_event *v = &d->u.events[k];
                printf("ev %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %u %u",
                       v->time_ns, v->addr, v->aux, v->size, v->site, v->stack, v->kind, v->flags);
                break;
            }
            case MS_CHUNK_SITES: {
                const ms_site *v = &d->u.sites[k];
                printf("site %" PRIu64 " %u %u %u %u %" PRIu64, v->id, v->kind, v->line,
                       v->column, v->flags, v->elem_size);
                str(v->file);
                str(v->function);
                str(v->type_name);
                str(v->var_name);
                str(v->callee);
                break;
            }
            case MS_CHUNK_STACKS: {
                const ms_stack *v = &d->u.stacks[k];
                printf("stack %u", v->id);
                for (uint32_t f = 0; f < v->depth; f++)
                    printf(" %" PRIu64, v->frames[f]);
                break;
            }
            case MS_CHUNK_MODULES: {
                const ms_module *v = &d->u.modules[k];
                printf("module %" PRIu64 " %" PRIu64 " %" PRIu64, v->time_ns, v->base, v->size);
                str(v->path);
                hex(v->build_id, v->build_id_len);
                printf(" %u", v->loaded);
                break;
            }
            case MS_CHUNK_THREADS: {
                const ms_thread *v = &d->u.threads[k];
                printf("thread %u %u %" PRIu64 " %" PRIu64, v->tid, v->parent_tid, v->start_ns,
                       v->end_ns);
                str(v->name);
                break;
            }
            case MS_CHUNK_COUNTERS: {
                const ms_counter *v = &d->u.counters[k];
                printf("counter %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                       " %" PRIu64 " %" PRIu64, v->time_ns, v->rss, v->heap_arena, v->heap_in_use,
                       v->heap_free, v->live_bytes, v->live_blocks);
                break;
            }
            case MS_CHUNK_SUMMARY: {
                const ms_kv *v = &d->u.kvs[k];
                printf("kv");
                str(v->key);
                if (v->s) {
                    printf(" s");
                    str(v->s);
                } else {
                    printf(" u %" PRIu64, v->u);
                }
                break;
            }
            case MS_CHUNK_LEAKS: {
                const ms_leak *v = &d->u.leaks[k];
                printf("leak %" PRIu64 " %" PRIu64 " %u", v->addr, v->size, v->kind);
                break;
            }
            case MS_CHUNK_STRINGS:
                printf("string %" PRIu64, d->u.strings[k].id);
                str(d->u.strings[k].str);
                break;
            }
            putchar('\n');
        }
        ms_decoded_free(d);
    }
    ms_reader_close(r);
    return 0;
}
