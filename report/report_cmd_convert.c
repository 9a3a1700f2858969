/*
 * report_cmd_convert.c - `memscope-report convert IN -o OUT [--compression C]
 * [--level N]`: re-encode every chunk with another codec. Payloads are
 * copied raw (decompressed, never re-parsed), so the output holds exactly
 * the same records; a damaged input converts as far as it was recovered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"

int rp_cmd_convert(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *codec_s = NULL;
    uint64_t level = 0;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--compression") ||
            !strcmp(a, "--level")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: convert: %s takes an argument\n", RP_PROG, a);
                return RP_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (a[1] == 'o' || !strcmp(a, "--output"))
                out = v;
            else if (!strcmp(a, "--compression"))
                codec_s = v;
            else if (rp_parse_u64(v, &level) || level > 22) {
                fprintf(stderr, "%s: convert: --level takes a number 0..22, not '%s'\n", RP_PROG, v);
                return RP_EXIT_USAGE;
            }
        } else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
            force = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: convert: unknown option '%s' (see --help)\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "%s: convert: unexpected argument '%s'\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "%s: convert: usage: convert IN -o OUT [--compression C] [--level N]\n",
                RP_PROG);
        return RP_EXIT_USAGE;
    }
    ms_codec codec = MS_CODEC_ZSTD;
    if (codec_s && ms_codec_parse(codec_s, &codec) != MS_OK) {
        fprintf(stderr, "%s: convert: unknown compression '%s' (zstd, lz4, brotli, none)\n",
                RP_PROG, codec_s);
        return RP_EXIT_USAGE;
    }
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK)
        return rp_input_error(in, e, NULL);
    struct stat si, so;
    if (stat(in, &si) == 0 && stat(out, &so) == 0 && si.st_dev == so.st_dev &&
        si.st_ino == so.st_ino) {
        fprintf(stderr, "%s: %s: output is the input file\n", RP_PROG, out);
        ms_reader_close(r);
        return RP_EXIT_OUTPUT;
    }
    const ms_header_info *h = ms_reader_header(r);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | (force ? 0 : O_EXCL), 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr, "%s: %s: file exists (use -f to overwrite)\n", RP_PROG, out);
        else
            fprintf(stderr, "%s: %s: %s\n", RP_PROG, out, strerror(errno));
        ms_reader_close(r);
        return RP_EXIT_OUTPUT;
    }
    ms_writer_options o;
    ms_writer_options_init(&o);
    o.codec = codec_s ? codec : h->codec;
    o.level = (int)level;
    o.pid = h->pid;
    o.flags = h->flags;
    o.created_unix_ns = h->created_unix_ns;
    o.exe = h->exe && *h->exe ? h->exe : NULL;
    ms_writer *w = NULL;
    e = ms_writer_open_fd(fd, 1, &o, &w);
    if (e != MS_OK) {
        fprintf(stderr, "%s: %s: cannot start the trace: %s\n", RP_PROG, out, ms_error_string(e));
        close(fd);
        ms_reader_close(r);
        return RP_EXIT_OUTPUT;
    }
    size_t nc = ms_reader_chunk_count(r), skipped = 0;
    int rc = RP_EXIT_OK;
    for (size_t i = 0; i < nc && rc == RP_EXIT_OK; i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        if (c->type == MS_CHUNK_INDEX)
            continue;
        void *raw = NULL;
        size_t len = 0;
        if (ms_reader_raw(r, i, &raw, &len) != MS_OK) {
            skipped++;
            continue;
        }
        e = ms_writer_add_raw(w, c->type, c->thread, raw, len, c->items, c->t_first, c->t_last);
        free(raw);
        if (e != MS_OK) {
            fprintf(stderr, "%s: %s: write failed: %s\n", RP_PROG, out, ms_error_string(e));
            rc = RP_EXIT_OUTPUT;
        }
    }
    const ms_recovery *rec = ms_reader_recovery(r);
    if (rc == RP_EXIT_OK && (!rec->complete || skipped)) {
        /* the output is a complete file: keep the fact that data was lost */
        ms_kv kv[] = {
            {"converted_lost_bytes", rec->lost_bytes ? rec->lost_bytes : 1, NULL},
            {"converted_skipped_chunks", skipped, NULL},
        };
        e = ms_writer_add_summary(w, kv, 2);
        if (e != MS_OK) {
            fprintf(stderr, "%s: %s: write failed: %s\n", RP_PROG, out, ms_error_string(e));
            rc = RP_EXIT_OUTPUT;
        }
    }
    e = ms_writer_close(w);
    if (e != MS_OK && rc == RP_EXIT_OK) {
        fprintf(stderr, "%s: %s: write failed: %s\n", RP_PROG, out, ms_error_string(e));
        rc = RP_EXIT_OUTPUT;
    }
    if (!ms_reader_recovery(r)->complete || skipped)
        fprintf(stderr, "%s: %s: input was damaged: converted what was recovered (%zu damaged "
                        "chunks skipped)\n",
                RP_PROG, in, skipped);
    ms_reader_close(r);
    return rc;
}
