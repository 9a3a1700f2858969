/*
 * fuzz_reader.c - libFuzzer target over every reader of libmsformat.
 *
 * Each input is read three ways: as a whole file through the mmap reader
 * (open, every chunk loaded and raw-decompressed, events through the
 * parallel load_type), as a stream (memfd + ms_stream), and as a bare
 * payload (byte 0 picks the chunk type, byte 1 the item count). The library
 * is compiled into this target with MS_FUZZ_IGNORE_CHECKSUMS so mutations
 * reach the structures behind the checksums. Every decoded field is read so
 * ASan sees any bad pointer. See docs/FORMAT.md, "Fuzzing".
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "msformat.h"

static volatile uint64_t g_sink;

static void touch_str(const char *s)
{
    g_sink += s ? strlen(s) : 0;
}

static void touch(const ms_decoded *d)
{
    uint64_t acc = d->count + d->thread;
    for (size_t i = 0; i < d->count; i++) {
        switch (d->type) {
        case MS_CHUNK_EVENTS: {
            const ms_event *e = &d->u.events[i];
            acc += e->time_ns + e->addr + e->aux + e->size + e->site + e->stack + e->kind;
            break;
        }
        case MS_CHUNK_SITES: {
            const ms_site *s = &d->u.sites[i];
            acc += s->id + s->kind + s->line;
            touch_str(s->file);
            touch_str(s->function);
            touch_str(s->type_name);
            touch_str(s->var_name);
            touch_str(s->callee);
            break;
        }
        case MS_CHUNK_STACKS:
            for (uint32_t k = 0; k < d->u.stacks[i].depth; k++)
                acc += d->u.stacks[i].frames[k];
            break;
        case MS_CHUNK_MODULES:
            touch_str(d->u.modules[i].path);
            for (uint32_t k = 0; k < d->u.modules[i].build_id_len; k++)
                acc += d->u.modules[i].build_id[k];
            break;
        case MS_CHUNK_THREADS:
            touch_str(d->u.threads[i].name);
            break;
        case MS_CHUNK_COUNTERS:
            acc += d->u.counters[i].rss;
            break;
        case MS_CHUNK_LEAKS:
            acc += d->u.leaks[i].addr;
            break;
        case MS_CHUNK_STRINGS:
            touch_str(d->u.strings[i].str);
            break;
        case MS_CHUNK_SUMMARY:
            touch_str(d->u.kvs[i].key);
            touch_str(d->u.kvs[i].s);
            break;
        default:
            break;
        }
    }
    g_sink += acc;
}

static int on_chunk(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d)
{
    (void)user;
    g_sink += index + info->items;
    touch(d);
    ms_decoded_free(d);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_reader *r;
    if (ms_reader_open_mem(data, size, &r) == MS_OK) {
        touch_str(ms_reader_message(r));
        touch_str(ms_reader_header(r)->exe);
        g_sink += ms_reader_recovery(r)->valid_bytes;
        size_t n = ms_reader_chunk_count(r);
        for (size_t i = 0; i < n && i < 64; i++) {
            ms_decoded *d;
            if (ms_reader_load(r, i, &d) == MS_OK) {
                touch(d);
                ms_decoded_free(d);
            }
            void *raw;
            size_t len;
            if (ms_reader_raw(r, i, &raw, &len) == MS_OK) {
                g_sink += len ? ((uint8_t *)raw)[len - 1] : 0;
                free(raw);
            }
        }
        ms_reader_load_type(r, MS_CHUNK_EVENTS, 2, on_chunk, NULL);
        ms_reader_close(r);
    }

    int fd = memfd_create("fuzz", 0);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0) {
            ms_stream *s;
            if (ms_stream_open_fd(fd, &s) == MS_OK) {
                ms_chunk_info info;
                ms_decoded *d;
                for (int k = 0; k < 64 && ms_stream_next(s, &info, &d) == MS_OK; k++) {
                    touch(d);
                    ms_decoded_free(d);
                }
                touch_str(ms_stream_message(s));
                ms_stream_close(s);
            }
        }
        close(fd);
    }

    if (size >= 2) {
        static const uint32_t types[] = {MS_CHUNK_SITES,   MS_CHUNK_STACKS,   MS_CHUNK_MODULES,
                                         MS_CHUNK_THREADS, MS_CHUNK_EVENTS,   MS_CHUNK_COUNTERS,
                                         MS_CHUNK_SUMMARY, MS_CHUNK_LEAKS,    MS_CHUNK_STRINGS};
        ms_decoded *d;
        if (ms_decode_payload(types[data[0] % 9], data + 2, size - 2, data[1], &d) == MS_OK) {
            touch(d);
            ms_decoded_free(d);
        }
    }
    return 0;
}
