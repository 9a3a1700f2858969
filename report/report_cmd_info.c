/*
 * report_cmd_info.c - `memscope-report info FILE`: the header and the chunk
 * index (types, codecs, sizes, compression ratios, time ranges), per type or
 * per chunk (--chunks), as text or --json. Reads only the index when the
 * trace is complete, so it is fast on any size.
 */
#include <string.h>
#include <time.h>

#include "report_internal.h"

typedef struct {
    uint64_t n, stored, raw, items, t_first, t_last;
    uint64_t codecs[MS_CODEC_MAX_];
} per_type;

int rp_cmd_info(int argc, char **argv) {
    const char *in = NULL;
    int json = 0, all = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--chunks"))
            all = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "%s: info: unknown option '%s' (see --help)\n", RP_PROG, argv[i]);
            return RP_EXIT_USAGE;
        } else if (!in)
            in = argv[i];
        else {
            fprintf(stderr, "%s: info: unexpected argument '%s'\n", RP_PROG, argv[i]);
            return RP_EXIT_USAGE;
        }
    }
    if (!in) {
        fprintf(stderr, "%s: info: no trace file given\n", RP_PROG);
        return RP_EXIT_USAGE;
    }
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK)
        return rp_input_error(in, e, NULL);
    const ms_header_info *h = ms_reader_header(r);
    const ms_recovery *rec = ms_reader_recovery(r);
    size_t nc = ms_reader_chunk_count(r);
    per_type pt[MS_CHUNK_TYPE_MAX_ + 1];
    memset(pt, 0, sizeof pt);
    for (size_t i = 0; i < nc; i++) {
        const ms_chunk_info *c = ms_reader_chunk(r, i);
        per_type *p = &pt[c->type < MS_CHUNK_TYPE_MAX_ ? c->type : MS_CHUNK_TYPE_MAX_];
        if (!p->n || (c->t_first && c->t_first < p->t_first))
            p->t_first = c->t_first;
        if (c->t_last > p->t_last)
            p->t_last = c->t_last;
        p->n++;
        p->stored += c->stored_size;
        p->raw += c->raw_size;
        p->items += c->items;
        if (c->codec < MS_CODEC_MAX_)
            p->codecs[c->codec]++;
    }
    rp_model fake;
    memset(&fake, 0, sizeof fake);
    fake.reader = r;
    fake.path = in;
    fake.recovery = *rec;
    snprintf(fake.recovery_msg, sizeof fake.recovery_msg, "%s", ms_reader_message(r));
    char buf[768];
    const char *notice = rp_recovery_notice(&fake, buf, sizeof buf);
    if (json) {
        rp_json j;
        rp_json_init(&j, stdout);
        rp_json_obj(&j);
        rp_json_ku64(&j, "schema", RP_JSON_SCHEMA);
        rp_json_kstr(&j, "file", in);
        rp_json_kstr(&j, "notice", notice);
        rp_json_kbool(&j, "complete", rec->complete);
        rp_json_ku64(&j, "file_size", rec->file_size);
        rp_json_ku64(&j, "valid_bytes", rec->valid_bytes);
        rp_json_ku64(&j, "lost_bytes", rec->lost_bytes);
        rp_json_key(&j, "header");
        rp_header_json(&j, h);
        rp_json_key(&j, "types");
        rp_json_arr(&j);
        for (uint32_t t = 0; t <= MS_CHUNK_TYPE_MAX_; t++) {
            if (!pt[t].n)
                continue;
            rp_json_obj(&j);
            rp_json_kstr(&j, "type", ms_chunk_type_name(t) ? ms_chunk_type_name(t) : "unknown");
            rp_json_ku64(&j, "chunks", pt[t].n);
            rp_json_ku64(&j, "items", pt[t].items);
            rp_json_ku64(&j, "stored_bytes", pt[t].stored);
            rp_json_ku64(&j, "raw_bytes", pt[t].raw);
            rp_json_kdbl(&j, "ratio", pt[t].stored ? (double)pt[t].raw / (double)pt[t].stored : 0);
            rp_json_ku64(&j, "t_first", pt[t].t_first);
            rp_json_ku64(&j, "t_last", pt[t].t_last);
            rp_json_key(&j, "codecs");
            rp_json_obj(&j);
            for (uint32_t c = 0; c < MS_CODEC_MAX_; c++)
                if (pt[t].codecs[c])
                    rp_json_ku64(&j, ms_codec_name((ms_codec)c), pt[t].codecs[c]);
            rp_json_obj_end(&j);
            rp_json_obj_end(&j);
        }
        rp_json_arr_end(&j);
        if (all) {
            rp_json_key(&j, "chunks");
            rp_json_arr(&j);
            for (size_t i = 0; i < nc; i++) {
                const ms_chunk_info *c = ms_reader_chunk(r, i);
                rp_json_obj(&j);
                rp_json_ku64(&j, "index", i);
                rp_json_kstr(&j, "type", ms_chunk_type_name(c->type));
                rp_json_kstr(&j, "codec", ms_codec_name((ms_codec)c->codec));
                rp_json_ku64(&j, "thread", c->thread);
                rp_json_ku64(&j, "offset", c->offset);
                rp_json_ku64(&j, "stored_size", c->stored_size);
                rp_json_ku64(&j, "raw_size", c->raw_size);
                rp_json_ku64(&j, "items", c->items);
                rp_json_ku64(&j, "t_first", c->t_first);
                rp_json_ku64(&j, "t_last", c->t_last);
                rp_json_obj_end(&j);
            }
            rp_json_arr_end(&j);
        }
        rp_json_obj_end(&j);
        int bad = rp_json_end(&j);
        ms_reader_close(r);
        return bad ? RP_EXIT_OUTPUT : RP_EXIT_OK;
    }
    if (notice)
        printf("%s\n", notice);
    char when[64] = "?";
    time_t secs = (time_t)(h->created_unix_ns / 1000000000ull);
    struct tm tm;
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("file:      %s (%llu bytes%s)\n", in, (unsigned long long)rec->file_size,
           rec->complete ? ", complete with index" : ", no valid index: scanned");
    printf("format:    version %u, default codec %s\n", h->version,
           ms_codec_name(h->codec) ? ms_codec_name(h->codec) : "?");
    printf("program:   %s (pid %u)%s%s\n", h->exe && *h->exe ? h->exe : "?", h->pid,
           (h->flags & MS_HDR_F_FORK_CHILD) ? ", forked child" : "",
           (h->flags & MS_HDR_F_WHOLE_HEAP) ? ", whole heap" : ", instrumented sites only");
    printf("created:   %s\n", when);
    printf("chunks:    %zu\n\n", nc);
    printf("%-9s %7s %12s %14s %14s %7s  %s\n", "type", "chunks", "items", "stored", "raw",
           "ratio", "time range (ns)");
    for (uint32_t t = 0; t <= MS_CHUNK_TYPE_MAX_; t++) {
        if (!pt[t].n)
            continue;
        printf("%-9s %7llu %12llu %14llu %14llu %7.2f  %llu..%llu\n",
               ms_chunk_type_name(t) ? ms_chunk_type_name(t) : "unknown",
               (unsigned long long)pt[t].n, (unsigned long long)pt[t].items,
               (unsigned long long)pt[t].stored, (unsigned long long)pt[t].raw,
               pt[t].stored ? (double)pt[t].raw / (double)pt[t].stored : 0.0,
               (unsigned long long)pt[t].t_first, (unsigned long long)pt[t].t_last);
    }
    if (all) {
        printf("\n%6s %-9s %-6s %8s %12s %10s %10s %9s  %s\n", "index", "type", "codec", "thread",
               "offset", "stored", "raw", "items", "time range (ns)");
        for (size_t i = 0; i < nc; i++) {
            const ms_chunk_info *c = ms_reader_chunk(r, i);
            printf("%6zu %-9s %-6s %8u %12llu %10llu %10llu %9llu  %llu..%llu\n", i,
                   ms_chunk_type_name(c->type) ? ms_chunk_type_name(c->type) : "?",
                   ms_codec_name((ms_codec)c->codec) ? ms_codec_name((ms_codec)c->codec) : "?",
                   c->thread, (unsigned long long)c->offset, (unsigned long long)c->stored_size,
                   (unsigned long long)c->raw_size, (unsigned long long)c->items,
                   (unsigned long long)c->t_first, (unsigned long long)c->t_last);
        }
    }
    ms_reader_close(r);
    return rp_close_output(stdout, NULL) ? RP_EXIT_OUTPUT : RP_EXIT_OK;
}
