/*
 * ms_errors.c - names of the stable enums: errors, codecs, chunk types,
 * site kinds. Tables are indexed by the on-disk/ABI numbers.
 */
#include <string.h>

#include "msformat.h"

static const char *const k_error_names[MS_ERR_MAX_] = {
    [MS_OK] = "MS_OK",
    [MS_ERR_GENERIC] = "MS_ERR_GENERIC",
    [MS_ERR_IO] = "MS_ERR_IO",
    [MS_ERR_NOMEM] = "MS_ERR_NOMEM",
    [MS_ERR_INVALID_ARG] = "MS_ERR_INVALID_ARG",
    [MS_ERR_BAD_MAGIC] = "MS_ERR_BAD_MAGIC",
    [MS_ERR_VERSION] = "MS_ERR_VERSION",
    [MS_ERR_HEADER_CHECKSUM] = "MS_ERR_HEADER_CHECKSUM",
    [MS_ERR_CHUNK_CHECKSUM] = "MS_ERR_CHUNK_CHECKSUM",
    [MS_ERR_TRUNCATED] = "MS_ERR_TRUNCATED",
    [MS_ERR_CORRUPT] = "MS_ERR_CORRUPT",
    [MS_ERR_CODEC] = "MS_ERR_CODEC",
    [MS_ERR_TOO_LARGE] = "MS_ERR_TOO_LARGE",
    [MS_ERR_PAYLOAD] = "MS_ERR_PAYLOAD",
    [MS_ERR_NOT_FOUND] = "MS_ERR_NOT_FOUND",
    [MS_ERR_NO_INDEX] = "MS_ERR_NO_INDEX",
    [MS_ERR_END] = "MS_ERR_END",
    [MS_ERR_STATE] = "MS_ERR_STATE",
};

static const char *const k_error_strings[MS_ERR_MAX_] = {
    [MS_OK] = "no error",
    [MS_ERR_GENERIC] = "unspecified error",
    [MS_ERR_IO] = "I/O error (read, write, open or mmap failed)",
    [MS_ERR_NOMEM] = "out of memory",
    [MS_ERR_INVALID_ARG] = "invalid argument",
    [MS_ERR_BAD_MAGIC] = "not a memscope trace (bad magic)",
    [MS_ERR_VERSION] = "unsupported format version",
    [MS_ERR_HEADER_CHECKSUM] = "file header checksum mismatch",
    [MS_ERR_CHUNK_CHECKSUM] = "chunk checksum mismatch",
    [MS_ERR_TRUNCATED] = "data ends inside a structure (truncated file)",
    [MS_ERR_CORRUPT] = "corrupt structure (impossible values)",
    [MS_ERR_CODEC] = "unknown codec or decompression failed",
    [MS_ERR_TOO_LARGE] = "declared size exceeds a hard bound",
    [MS_ERR_PAYLOAD] = "payload does not match its chunk type",
    [MS_ERR_NOT_FOUND] = "no such chunk or chunk type",
    [MS_ERR_NO_INDEX] = "operation needs the index; the file has none",
    [MS_ERR_END] = "end of stream",
    [MS_ERR_STATE] = "object used after close or after an error",
};

const char *ms_error_name(ms_error e)
{
    if ((unsigned)e >= MS_ERR_MAX_)
        return "MS_ERR_UNKNOWN";
    return k_error_names[e];
}

const char *ms_error_string(ms_error e)
{
    if ((unsigned)e >= MS_ERR_MAX_)
        return "unknown error code";
    return k_error_strings[e];
}

static const char *const k_codec_names[MS_CODEC_MAX_] = {
    [MS_CODEC_NONE] = "none",
    [MS_CODEC_ZSTD] = "zstd",
    [MS_CODEC_LZ4] = "lz4",
    [MS_CODEC_BROTLI] = "brotli",
};

const char *ms_codec_name(ms_codec c)
{
    if ((unsigned)c >= MS_CODEC_MAX_)
        return NULL;
    return k_codec_names[c];
}

ms_error ms_codec_parse(const char *name, ms_codec *out)
{
    if (!name || !out)
        return MS_ERR_INVALID_ARG;
    for (unsigned i = 0; i < MS_CODEC_MAX_; i++) {
        if (strcmp(name, k_codec_names[i]) == 0) {
            *out = (ms_codec)i;
            return MS_OK;
        }
    }
    return MS_ERR_INVALID_ARG;
}

static const char *const k_type_names[MS_CHUNK_TYPE_MAX_] = {
    [MS_CHUNK_SITES] = "sites",       [MS_CHUNK_STACKS] = "stacks",
    [MS_CHUNK_MODULES] = "modules",   [MS_CHUNK_THREADS] = "threads",
    [MS_CHUNK_EVENTS] = "events",     [MS_CHUNK_COUNTERS] = "counters",
    [MS_CHUNK_SUMMARY] = "summary",   [MS_CHUNK_LEAKS] = "leaks",
    [MS_CHUNK_STRINGS] = "strings",   [MS_CHUNK_INDEX] = "index",
};

const char *ms_chunk_type_name(uint32_t type)
{
    if (type >= MS_CHUNK_TYPE_MAX_)
        return NULL;
    return k_type_names[type];
}

ms_error ms_chunk_type_parse(const char *name, uint32_t *out)
{
    if (!name || !out)
        return MS_ERR_INVALID_ARG;
    for (uint32_t i = 1; i < MS_CHUNK_TYPE_MAX_; i++) {
        if (strcmp(name, k_type_names[i]) == 0) {
            *out = i;
            return MS_OK;
        }
    }
    return MS_ERR_INVALID_ARG;
}

static const char *const k_site_names[MS_SITE_KIND_MAX_] = {
    [MS_SITE_MALLOC] = "malloc",
    [MS_SITE_CALLOC] = "calloc",
    [MS_SITE_REALLOC] = "realloc",
    [MS_SITE_REALLOCARRAY] = "reallocarray",
    [MS_SITE_FREE] = "free",
    [MS_SITE_ALIGNED_ALLOC] = "aligned_alloc",
    [MS_SITE_MEMALIGN] = "memalign",
    [MS_SITE_POSIX_MEMALIGN] = "posix_memalign",
    [MS_SITE_VALLOC] = "valloc",
    [MS_SITE_PVALLOC] = "pvalloc",
    [MS_SITE_STRDUP] = "strdup",
    [MS_SITE_STRNDUP] = "strndup",
    [MS_SITE_CUSTOM_ALLOC] = "custom_alloc",
    [MS_SITE_CUSTOM_FREE] = "custom_free",
    [MS_SITE_CUSTOM_REALLOC] = "custom_realloc",
    [MS_SITE_SCOPE_EXIT] = "scope_exit",
    [MS_SITE_ESCAPE] = "escape",
    [MS_SITE_LOCAL_DEAD] = "local_dead",
    [MS_SITE_DTOR] = "dtor",
    [MS_SITE_CLEANUP] = "cleanup",
};

const char *ms_site_kind_name(uint32_t kind)
{
    if (kind >= MS_SITE_KIND_MAX_)
        return NULL;
    return k_site_names[kind];
}
