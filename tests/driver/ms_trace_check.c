/*
 * ms_trace_check.c - test helper for the driver's e2e tests: reads a .ms
 * trace with libmsformat and checks what the driver promised.
 *
 *   ms_trace_check FILE [--sites | --no-sites] [--codec NAME]
 *
 * Always: the file opens, is complete (index and trailer), every chunk
 * verifies and decompresses, and it holds at least one event.
 * --sites: the program was instrumented (static site records present).
 * --no-sites: it was not (a preloaded run: stacks only).
 * --codec NAME: the writer's codec is NAME (options reached the runtime).
 * Prints one summary line; exit 0 when every check holds, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msformat.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ms_trace_check FILE [--sites|--no-sites] [--codec NAME]\n");
        return 2;
    }
    int want_sites = -1;
    const char *want_codec = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--sites") == 0)
            want_sites = 1;
        else if (strcmp(argv[i], "--no-sites") == 0)
            want_sites = 0;
        else if (strcmp(argv[i], "--codec") == 0 && i + 1 < argc)
            want_codec = argv[++i];
        else {
            fprintf(stderr, "ms_trace_check: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(argv[1], &r);
    if (e != MS_OK) {
        printf("%s: cannot open: %s\n", argv[1], ms_error_name(e));
        return 1;
    }
    int ok = 1;
    const ms_recovery *rec = ms_reader_recovery(r);
    if (!rec->complete) {
        printf("%s: incomplete trace: %s\n", argv[1], ms_reader_message(r));
        ok = 0;
    }
    uint64_t items[MS_CHUNK_TYPE_MAX_] = {0};
    size_t n = ms_reader_chunk_count(r);
    for (size_t i = 0; i < n; i++) {
        const ms_chunk_info *ci = ms_reader_chunk(r, i);
        if (ci->type < MS_CHUNK_TYPE_MAX_)
            items[ci->type] += ci->items;
        void *raw = NULL;
        size_t len = 0;
        e = ms_reader_raw(r, i, &raw, &len);
        free(raw);
        if (e != MS_OK) {
            printf("%s: chunk %zu: %s\n", argv[1], i, ms_error_name(e));
            ok = 0;
        }
    }
    const ms_header_info *h = ms_reader_header(r);
    const char *codec = ms_codec_name(h->codec);
    printf("%s: %zu chunks, %llu sites, %llu events, %llu stacks, codec %s\n", argv[1], n,
           (unsigned long long)items[MS_CHUNK_SITES], (unsigned long long)items[MS_CHUNK_EVENTS],
           (unsigned long long)items[MS_CHUNK_STACKS], codec ? codec : "?");
    if (items[MS_CHUNK_EVENTS] == 0) {
        printf("%s: no events\n", argv[1]);
        ok = 0;
    }
    if (want_sites == 1 && items[MS_CHUNK_SITES] == 0) {
        printf("%s: no static sites: was the program instrumented?\n", argv[1]);
        ok = 0;
    }
    if (want_sites == 0 && items[MS_CHUNK_SITES] != 0) {
        printf("%s: static sites in a run that should have none\n", argv[1]);
        ok = 0;
    }
    if (want_codec && (!codec || strcmp(codec, want_codec) != 0)) {
        printf("%s: codec %s, want %s\n", argv[1], codec ? codec : "?", want_codec);
        ok = 0;
    }
    ms_reader_close(r);
    return ok ? 0 : 1;
}
