/*
 * report_cmd_verify.c - `memscope-report verify FILE`: check the header,
 * every chunk (checksum, decompression, payload structure), and the index
 * and trailer. Prints one line per problem and a verdict; exit 1 when the
 * trace is damaged or incomplete, 3 when it is not a trace at all.
 */
#include <string.h>

#include "report_internal.h"

int rp_cmd_verify(int argc, char **argv) {
    const char *in = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "%s: verify: unknown option '%s' (see --help)\n", RP_PROG, argv[i]);
            return RP_EXIT_USAGE;
        } else if (!in)
            in = argv[i];
        else {
            fprintf(stderr, "%s: verify: unexpected argument '%s'\n", RP_PROG, argv[i]);
            return RP_EXIT_USAGE;
        }
    }
    if (!in) {
        fprintf(stderr, "%s: verify: no trace file given\n", RP_PROG);
        return RP_EXIT_USAGE;
    }
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK) {
        int rc = rp_input_error(in, e, NULL);
        /* a trace whose header is damaged is "damaged", not "not a trace" */
        if (e == MS_ERR_HEADER_CHECKSUM || e == MS_ERR_TRUNCATED || e == MS_ERR_CORRUPT)
            return RP_EXIT_DAMAGED;
        return rc;
    }
    const ms_recovery *rec = ms_reader_recovery(r);
    size_t nc = ms_reader_chunk_count(r), bad = 0;
    uint64_t items = 0;
    for (size_t i = 0; i < nc; i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        ms_decoded *d = NULL;
        ms_error le = ms_reader_load(r, i, &d);
        if (le != MS_OK) {
            bad++;
            fprintf(stderr, "%s: %s: chunk %zu (%s) at offset %llu: %s\n", RP_PROG, in, i,
                    ms_chunk_type_name(c->type) ? ms_chunk_type_name(c->type) : "?",
                    (unsigned long long)c->offset, ms_error_string(le));
            continue;
        }
        if (d->count != c->items) {
            bad++;
            fprintf(stderr, "%s: %s: chunk %zu at offset %llu: %zu items decoded, header says %llu\n",
                    RP_PROG, in, i, (unsigned long long)c->offset, d->count,
                    (unsigned long long)c->items);
        }
        items += d->count;
        ms_decoded_free(d);
    }
    int damaged = bad || !rec->complete;
    if (!rec->complete)
        fprintf(stderr,
                "%s: %s: incomplete: %s at offset %llu%s%s; %llu of %llu bytes readable\n",
                RP_PROG, in, ms_error_string(rec->stop_reason),
                (unsigned long long)rec->stop_offset, *ms_reader_message(r) ? ": " : "",
                ms_reader_message(r), (unsigned long long)rec->valid_bytes,
                (unsigned long long)rec->file_size);
    if (!quiet)
        printf("%s: %s: %zu chunks, %llu items, %zu damaged, %s\n", in,
               damaged ? "DAMAGED" : "OK", nc, (unsigned long long)items, bad,
               rec->complete ? "index and trailer valid" : "no valid index/trailer");
    ms_reader_close(r);
    if (rp_close_output(stdout, NULL))
        return RP_EXIT_OUTPUT;
    return damaged ? RP_EXIT_DAMAGED : RP_EXIT_OK;
}
