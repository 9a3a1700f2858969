/*
 * report_cmd_extract.c - `memscope-report extract --chunk TYPE FILE`: every
 * chunk of one type, decoded, as JSON. Uses the index (no other chunk is
 * read) and decodes chunks in parallel (ms_reader_load_type).
 */
#include <string.h>

#include "report_internal.h"

typedef struct {
    rp_json *j;
} ex_ctx;

static int on_chunk(void *user, size_t index, const ms_chunk_info *info, ms_decoded *d) {
    ex_ctx *c = user;
    rp_json_obj(c->j);
    rp_json_ku64(c->j, "index", index);
    rp_json_ku64(c->j, "thread", info->thread);
    rp_json_ku64(c->j, "t_first", info->t_first);
    rp_json_ku64(c->j, "t_last", info->t_last);
    rp_json_key(c->j, "items");
    rp_chunk_items_json(c->j, d);
    rp_json_obj_end(c->j);
    ms_decoded_free(d);
    return c->j->err;
}

int rp_cmd_extract(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *type_s = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--chunk") || !strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: extract: %s takes an argument\n", RP_PROG, a);
                return RP_EXIT_USAGE;
            }
            if (!strcmp(a, "--chunk"))
                type_s = argv[++i];
            else
                out = argv[++i];
        } else if (!strncmp(a, "--chunk=", 8)) {
            type_s = a + 8;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
            force = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: extract: unknown option '%s' (see --help)\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "%s: extract: unexpected argument '%s'\n", RP_PROG, a);
            return RP_EXIT_USAGE;
        }
    }
    if (!type_s || !in) {
        fprintf(stderr, "%s: extract: usage: extract --chunk TYPE FILE\n", RP_PROG);
        return RP_EXIT_USAGE;
    }
    uint32_t type;
    if (ms_chunk_type_parse(type_s, &type) != MS_OK || type == MS_CHUNK_INDEX) {
        fprintf(stderr,
                "%s: extract: unknown chunk type '%s' (sites, stacks, modules, threads, events, "
                "counters, summary, leaks, strings)\n",
                RP_PROG, type_s);
        return RP_EXIT_USAGE;
    }
    if (rp_same_file(in, out)) {
        fprintf(stderr, "%s: %s: output is the input file\n", RP_PROG, out);
        return RP_EXIT_OUTPUT;
    }
    ms_reader *r = NULL;
    ms_error e = ms_reader_open(in, &r);
    if (e != MS_OK)
        return rp_input_error(in, e, NULL);
    FILE *f = rp_open_output(out, force);
    if (!f) {
        ms_reader_close(r);
        return RP_EXIT_OUTPUT;
    }
    rp_model fake;
    memset(&fake, 0, sizeof fake);
    fake.reader = r;
    fake.path = in;
    fake.recovery = *ms_reader_recovery(r);
    char buf[768];
    const char *notice = rp_recovery_notice(&fake, buf, sizeof buf);
    rp_json j;
    rp_json_init(&j, f);
    rp_json_obj(&j);
    rp_json_ku64(&j, "schema", RP_JSON_SCHEMA);
    rp_json_kstr(&j, "file", in);
    rp_json_kstr(&j, "notice", notice);
    rp_json_kstr(&j, "type", ms_chunk_type_name(type));
    rp_json_key(&j, "chunks");
    rp_json_arr(&j);
    ex_ctx c = {&j};
    e = ms_reader_load_type(r, type, 0, on_chunk, &c);
    rp_json_arr_end(&j);
    rp_json_kstr(&j, "error", e == MS_OK ? NULL : ms_error_string(e));
    rp_json_obj_end(&j);
    int bad = rp_json_end(&j);
    ms_reader_close(r);
    if (rp_close_output(f, out) || bad)
        return RP_EXIT_OUTPUT;
    if (e != MS_OK) {
        fprintf(stderr, "%s: %s: %s chunks: %s\n", RP_PROG, in, type_s, ms_error_string(e));
        return RP_EXIT_INPUT;
    }
    return RP_EXIT_OK;
}
