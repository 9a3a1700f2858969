/*
 * report_main.c - memscope-report's entry point: dispatch to a subcommand
 * (info, verify, extract, convert, export) or to the default analysis.
 * Exit codes: rp_exit in report_internal.h, listed in --help.
 */
#include <string.h>

#include "report_internal.h"

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"info", rp_cmd_info},       {"verify", rp_cmd_verify}, {"extract", rp_cmd_extract},
        {"convert", rp_cmd_convert}, {"export", rp_cmd_export},
    };
    if (argc < 2) {
        rp_usage(stderr);
        return RP_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            rp_usage(stdout);
            return RP_EXIT_OK;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("%s %s (trace format %u, JSON schema %d)\n", RP_PROG, "0.1.0",
                   MS_FORMAT_VERSION, RP_JSON_SCHEMA);
            return RP_EXIT_OK;
        }
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    return rp_cmd_analyze(argc, argv);
}
