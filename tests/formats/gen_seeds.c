/*
 * gen_seeds.c - writes the fuzz seed corpus into the directory argv[1]:
 * small complete files in every codec, a truncated one, one without index,
 * and bare payloads of every type in fuzz_reader.c's "type byte, item
 * count byte, payload" form. Run at build time. With a second argument it
 * also writes a larger file for test_fmt_spec there: many events (back
 * references, escapes, extreme values, times going backwards) in every codec.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt_fixture.h"

static int put(const char *dir, const char *name, const void *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int ok = write(fd, p, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

static int write_spec_file(const char *path)
{
    static const uint64_t v[] = {0, 1, UINT64_MAX, 1ULL << 63, (1ULL << 63) - 1, 0x5555555a0000ULL};
    enum { N = 3000 };
    ms_event *ev = calloc(N, sizeof *ev);
    if (!ev)
        return 1;
    uint64_t x = 3;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ev[i].time_ns = v[(x >> 10) % 6] + (x >> 58);
        ev[i].addr = (x >> 20) % 3 == 0 && i ? ev[i - 1 - (x >> 30) % (i < 40 ? i : 40)].addr
                                             : v[(x >> 14) % 6] + ((x >> 50) & 0xff0);
        ev[i].aux = (x >> 24) % 2 && i ? ev[(x >> 32) % i].addr : v[(x >> 18) % 6];
        ev[i].size = v[(x >> 22) % 6];
        ev[i].site = v[(x >> 26) % 6] ^ ((x >> 40) & 7);
        ev[i].stack = (uint32_t)(x >> 29);
        ev[i].kind = (uint8_t)(x >> 33);
        ev[i].flags = (uint8_t)(x >> 41);
    }
    ms_writer *w;
    int rc = 1;
    if (ms_writer_open_path(path, NULL, &w) == MS_OK) {
        fx_spec specs[16];
        size_t n = fx_all_types(specs, 40, 5);
        specs[n++] = (fx_spec){MS_CHUNK_EVENTS, 9, 20000, 31};
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = fx_add(w, &specs[i]) != MS_OK;
        if (rc == 0)
            rc = ms_writer_add_events(w, 4, ev, N) != MS_OK;
        rc |= ms_writer_close(w) != MS_OK;
    }
    free(ev);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: gen_seeds DIR [SPECFILE]\n");
        return 2;
    }
    const char *dir = argv[1];
    fx_spec specs[16];
    size_t n = fx_all_types(specs, 3, 77);
    char path[1024], name[64];
    snprintf(path, sizeof path, "%s/.tmp.ms", dir);
    static const char *const codec_names[] = {"none", "zstd", "lz4", "brotli"};
    for (int c = 0; c < 4; c++) {
        if (fx_write_file(path, (ms_codec)c, 0, specs, n, c == 3) != MS_OK)
            return 1;
        size_t len;
        uint8_t *buf = fx_read_file(path, &len);
        if (!buf)
            return 1;
        snprintf(name, sizeof name, "file-%s%s.ms", codec_names[c], c == 3 ? "-noindex" : "");
        if (put(dir, name, buf, len) != 0)
            return 1;
        if (c == 1) {
            if (put(dir, "file-zstd-cut.ms", buf, len * 2 / 3) != 0)
                return 1;
            /* bare payloads, uncompressed, from the same file */
            ms_reader *r;
            if (ms_reader_open_mem(buf, len, &r) != MS_OK)
                return 1;
            for (size_t i = 0; i < ms_reader_chunk_count(r); i++) {
                const ms_chunk_info *ci = ms_reader_chunk(r, i);
                void *raw;
                size_t rl;
                if (ms_reader_raw(r, i, &raw, &rl) != MS_OK)
                    return 1;
                static const uint32_t order[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
                uint8_t *p = malloc(rl + 2);
                p[0] = 0;
                for (uint8_t k = 0; k < 9; k++)
                    if (order[k] == ci->type)
                        p[0] = k; /* fuzz_reader's table is in this order */
                p[1] = (uint8_t)ci->items;
                memcpy(p + 2, raw, rl);
                snprintf(name, sizeof name, "payload-%s.bin", ms_chunk_type_name(ci->type));
                int e = put(dir, name, p, rl + 2);
                free(p);
                free(raw);
                if (e != 0)
                    return 1;
            }
            ms_reader_close(r);
        }
        free(buf);
    }
    unlink(path);
    return argc == 3 ? write_spec_file(argv[2]) : 0;
}
