/*
 * report_cli.c - what the subcommands share: usage text, input/output error
 * lines ("memscope-report: FILE: problem"), output files that refuse to
 * overwrite, strict number parsing, progress on stderr, the truncation
 * notice every output starts with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"

void rp_usage(FILE *f) {
    fprintf(f,
"Usage: memscope-report [OPTIONS] FILE.ms        analyse a trace (text summary)\n"
"       memscope-report info FILE.ms               header and chunk index\n"
"       memscope-report verify FILE.ms             check every chunk; exit 1 if damaged\n"
"       memscope-report extract --chunk TYPE FILE.ms [-o OUT] [-f]\n"
"                                                  one chunk type, decoded, as JSON\n"
"       memscope-report convert IN.ms -o OUT.ms [--compression zstd|lz4|brotli|none]\n"
"                                               [--level N] [-f]   re-encode a trace\n"
"       memscope-report export --input IN.ms --format json [-o OUT] [-f]\n"
"                                                  every record as JSON, streamed\n"
"\n"
"Analysis options:\n"
"  --json            machine-readable output (schema in docs/JSON.md)\n"
"  --html            one self-contained HTML page (no script, no network)\n"
"  --folded[=W]      folded stacks for flame graphs, weight W: bytes (default),\n"
"                    count, peak (bytes at the peak) or live (bytes at the end)\n"
"  -o, --output FILE write to FILE instead of stdout\n"
"  -f, --force       overwrite FILE if it exists\n"
"  -n, --top N       limit every list to N entries (text default 10, JSON: all)\n"
"  --temp-ns N       temporaries must also live at most N ns (default: no limit)\n"
"  --no-symbols      do not symbolize stacks (addresses only)\n"
"  --color WHEN      auto (default: only on a terminal), always, never\n"
"  --no-progress     no progress on stderr (shown only when stderr is a terminal)\n"
"  -h, --help        this text;  --version  the version\n"
"\n"
"Exit codes:\n"
"  0  success\n"
"  1  verify: the trace is damaged or incomplete\n"
"  2  usage error (unknown option, missing argument)\n"
"  3  input problem: missing, unreadable, not a trace, unsupported version\n"
"  4  output problem: cannot write, or the file exists and -f was not given\n"
"  5  internal error (out of memory)\n"
"A truncated or damaged trace is analysed as far as it was recovered, and\n"
"every output says so at the top.\n");
}

static const char *problem(ms_error e) {
    switch (e) {
    case MS_ERR_BAD_MAGIC: return "not a memscope trace (bad magic)";
    case MS_ERR_VERSION: return "unsupported trace format version";
    case MS_ERR_HEADER_CHECKSUM: return "damaged trace: header checksum mismatch";
    case MS_ERR_TRUNCATED: return "truncated trace: the file ends inside the header";
    case MS_ERR_CORRUPT: return "damaged trace: impossible values in the header";
    case MS_ERR_NOMEM: return "out of memory";
    default: return ms_error_string(e);
    }
}

int rp_input_error(const char *path, ms_error e, const char *detail) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s: %s\n", RP_PROG, path, strerror(errno));
        return RP_EXIT_INPUT;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s: is a directory\n", RP_PROG, path);
        return RP_EXIT_INPUT;
    }
    if (e == MS_ERR_IO && access(path, R_OK) != 0) {
        fprintf(stderr, "%s: %s: %s\n", RP_PROG, path, strerror(errno));
        return RP_EXIT_INPUT;
    }
    if (e == MS_ERR_TRUNCATED && st.st_size == 0) {
        fprintf(stderr, "%s: %s: empty file, not a memscope trace\n", RP_PROG, path);
        return RP_EXIT_INPUT;
    }
    if (detail && *detail && strcmp(detail, ms_error_string(e)))
        fprintf(stderr, "%s: %s: %s (%s)\n", RP_PROG, path, problem(e), detail);
    else
        fprintf(stderr, "%s: %s: %s\n", RP_PROG, path, problem(e));
    return e == MS_ERR_NOMEM ? RP_EXIT_INTERNAL : RP_EXIT_INPUT;
}

int rp_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

FILE *rp_open_output(const char *path, int force) {
    if (!path || !strcmp(path, "-"))
        return stdout;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | (force ? 0 : O_EXCL), 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr, "%s: %s: file exists (use -f to overwrite)\n", RP_PROG, path);
        else
            fprintf(stderr, "%s: %s: %s\n", RP_PROG, path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", RP_PROG, path, strerror(errno));
        close(fd);
    }
    return f;
}

int rp_close_output(FILE *f, const char *path) {
    int bad = fflush(f) != 0 || ferror(f);
    int err = errno;
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "%s: %s: write failed: %s\n", RP_PROG, path && f != stdout ? path : "<stdout>",
                strerror(err ? err : EIO));
        return -1;
    }
    return 0;
}

int rp_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !end || *end)
        return -1;
    *out = v;
    return 0;
}

void rp_progress(const char *what, size_t done, size_t total) {
    fprintf(stderr, "\r%s: %zu/%zu chunks", what, done, total);
}

const char *rp_recovery_notice(const rp_model *m, char *buf, size_t len) {
    if (m->recovery.complete && !m->damaged_chunks)
        return NULL;
    if (!m->recovery.complete)
        snprintf(buf, len,
                 "NOTICE: trace %s is truncated or damaged: recovered %zu chunks (%llu of %llu "
                 "bytes); data from offset %llu on is lost (%s)%s%s",
                 m->path ? m->path : "", ms_reader_chunk_count(m->reader),
                 (unsigned long long)m->recovery.valid_bytes,
                 (unsigned long long)m->recovery.file_size,
                 (unsigned long long)m->recovery.stop_offset,
                 ms_error_string(m->recovery.stop_reason), *m->recovery_msg ? ": " : "",
                 m->recovery_msg);
    else
        snprintf(buf, len, "NOTICE: trace %s has %llu damaged chunks that were skipped",
                 m->path ? m->path : "", (unsigned long long)m->damaged_chunks);
    return buf;
}

const char *rp_summary_str(const rp_model *m, const char *key) {
    for (size_t i = m->nsummary; i-- > 0;)
        if (m->summary[i]->key && !strcmp(m->summary[i]->key, key))
            return m->summary[i]->s;
    return NULL;
}

int rp_summary_u64(const rp_model *m, const char *key, uint64_t *out) {
    for (size_t i = m->nsummary; i-- > 0;)
        if (m->summary[i]->key && !strcmp(m->summary[i]->key, key) && !m->summary[i]->s) {
            *out = m->summary[i]->u;
            return 1;
        }
    return 0;
}

const char *rp_scan_warning(const rp_model *m, char *buf, size_t len) {
    if (!m->lk.unmatched)
        return NULL;
    snprintf(buf, len,
             "%llu records of the exit-time leak scan name blocks that the events show freed "
             "or never allocated: the scan and the event stream disagree (runtime problem); "
             "they are counted in the leak totals without a site",
             (unsigned long long)m->lk.unmatched);
    return buf;
}

const char *rp_loss_warning(const rp_model *m, char *buf, size_t len) {
    uint64_t dropped = 0, lost = 0, damaged = 0;
    rp_summary_u64(m, "dropped", &dropped);
    rp_summary_u64(m, "lost", &lost);
    rp_summary_u64(m, "converted_lost_bytes", &damaged);
    if (damaged) {
        snprintf(buf, len,
                 "this trace was converted from a damaged one: %llu bytes of it were lost "
                 "before the conversion",
                 (unsigned long long)damaged);
        return buf;
    }
    if (!dropped && !lost)
        return NULL;
    snprintf(buf, len,
             "the runtime dropped %llu and lost %llu events: counts are lower bounds and "
             "error claims may be wrong",
             (unsigned long long)dropped, (unsigned long long)lost);
    return buf;
}
