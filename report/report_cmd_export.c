/*
 * report_cmd_export.c - `memscope-report export --input IN --format json`:
 * every record of the trace as JSON, chunk by chunk in file order, through
 * the streaming reader (read(2), one chunk in memory at a time), so memory
 * is constant whatever the trace size. A truncated trace exports what was
 * recovered; the notice comes first when the trailer can be checked up front
 * and is repeated in "recovery" at the end.
 */
#include <string.h>

#include "report_internal.h"

int rp_cmd_export(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *format = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--input") || !strcmp(a, "-i") || !strcmp(a, "--format") ||
            !strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: export: %s takes an argument\n", RP_PROG, a);
                return RP_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--input") || !strcmp(a, "-i"))
                in = v;
            else if (!strcmp(a, "--format"))
                format = v;
            else
                out = v;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
            force = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: export: unknown option '%s' (see --help)\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "%s: export: unexpected argument '%s'\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        }
    }
    if (!in) {
        fprintf(stderr, "%s: export: usage: export --input IN --format json\n", RP_PROG);
        return RP_EXIT_USAGE;
    }
    if (format && strcmp(format, "json")) {
        fprintf(stderr, "%s: export: unknown format '%s' (json)\n", RP_PROG, format);
        return RP_EXIT_USAGE;
    }
    if (rp_same_file(in, out)) {
        fprintf(stderr, "%s: %s: output is the input file\n", RP_PROG, out);
        return RP_EXIT_OUTPUT;
    }
    /* the notice belongs at the top: the index check is O(1) on a complete file */
    char buf[768];
    const char *notice = NULL;
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK)
        return rp_input_error(in, e, NULL);
    rp_model fake;
    memset(&fake, 0, sizeof fake);
    fake.reader = r;
    fake.path = in;
    fake.recovery = *ms_reader_recovery(r);
    snprintf(fake.recovery_msg, sizeof fake.recovery_msg, "%s", ms_reader_message(r));
    notice = rp_recovery_notice(&fake, buf, sizeof buf);
    ms_reader_close(r);

    ms_stream *s = NULL;
    e = ms_stream_open(in, &s);
    if (e != MS_OK)
        return rp_input_error(in, e, NULL);
    FILE *f = rp_open_output(out, force);
    if (!f) {
        ms_stream_close(s);
        return RP_EXIT_OUTPUT;
    }
    rp_json j;
    rp_json_init(&j, f);
    rp_json_obj(&j);
    rp_json_ku64(&j, "schema", RP_JSON_SCHEMA);
    rp_json_kstr(&j, "file", in);
    rp_json_kstr(&j, "notice", notice);
    rp_json_key(&j, "header");
    rp_header_json(&j, ms_stream_header(s));
    rp_json_key(&j, "chunks");
    rp_json_arr(&j);
    ms_chunk_info info;
    ms_decoded *d = NULL;
    uint64_t n = 0;
    while (!j.err && (e = ms_stream_next(s, &info, &d)) == MS_OK) {
        rp_json_obj(&j);
        rp_json_kstr(&j, "type", ms_chunk_type_name(info.type) ? ms_chunk_type_name(info.type) : "unknown");
        rp_json_ku64(&j, "thread", info.thread);
        rp_json_ku64(&j, "t_first", info.t_first);
        rp_json_ku64(&j, "t_last", info.t_last);
        rp_json_key(&j, "items");
        rp_chunk_items_json(&j, d);
        rp_json_obj_end(&j);
        ms_decoded_free(d);
        d = NULL;
        n++;
    }
    rp_json_arr_end(&j);
    const ms_recovery *rec = ms_stream_recovery(s);
    rp_json_key(&j, "recovery");
    rp_json_obj(&j);
    rp_json_ku64(&j, "chunks", n);
    rp_json_kbool(&j, "complete", e == MS_ERR_END && rec && rec->complete);
    rp_json_kstr(&j, "stop_reason", e == MS_ERR_END ? NULL : ms_error_string(e));
    rp_json_kstr(&j, "message", ms_stream_message(s));
    rp_json_obj_end(&j);
    rp_json_obj_end(&j);
    int bad = rp_json_end(&j);
    ms_stream_close(s);
    if (rp_close_output(f, out) || bad)
        return RP_EXIT_OUTPUT;
    if (e != MS_ERR_END && e != MS_OK)
        fprintf(stderr, "%s: %s: stream stopped at a damaged chunk (%s): exported what came "
                        "before it\n",
                RP_PROG, in, ms_error_string(e));
    return RP_EXIT_OK;
}
