/*
 * msformat.h - libmsformat: the memscope trace file (.ms), writer and reader.
 *
 * A .ms file is a stream of self-describing chunks:
 *
 *     header | chunk | chunk | ... | index chunk | trailer
 *
 * so a file cut short is still readable up to its last complete chunk.
 * docs/FORMAT.md specifies every byte. This header is the contract between
 * the producer (runtime/) and the consumer (report/); the library itself
 * knows neither.
 *
 * Conventions
 *  - Every function that can fail returns an ms_error (MS_OK == 0).
 *  - The library never exits or aborts; it allocates with malloc/free.
 *  - Strings handed in are copied; strings handed out live as long as the
 *    object that owns them (an ms_decoded, an ms_reader).
 *  - Times are nanoseconds. Event times are CLOCK_MONOTONIC-based, relative
 *    to an origin the producer chooses (the runtime uses its start); the
 *    header's created_unix_ns anchors them to wall-clock time.
 */
#ifndef MSFORMAT_H
#define MSFORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Versions and magic
 * ---------------------------------------------------------------------- */
#define MS_FORMAT_MAGIC "MEMSCOPE"     /* 8 bytes, no NUL, at offset 0 */
#define MS_FORMAT_VERSION 1u           /* written by this library */
#define MS_FORMAT_MIN_VERSION 1u       /* oldest version this reader accepts */

/* Hard bounds the reader enforces on untrusted input (see FORMAT.md). */
#define MS_MAX_CHUNK_RAW (256u << 20)    /* decompressed payload of one chunk */
#define MS_MAX_CHUNK_STORED (256u << 20) /* stored (compressed) payload */
#define MS_MAX_STACK_DEPTH 1024u
#define MS_MAX_STRING (1u << 20)

/* ------------------------------------------------------------------------
 * Errors: stable numbers, never renumbered.
 * ---------------------------------------------------------------------- */
typedef enum {
    MS_OK = 0,
    MS_ERR_GENERIC = 1,
    MS_ERR_IO = 2,              /* read/write/open/mmap failed (errno kept) */
    MS_ERR_NOMEM = 3,
    MS_ERR_INVALID_ARG = 4,     /* caller error: NULL, unknown type, ... */
    MS_ERR_BAD_MAGIC = 5,       /* not a .ms file */
    MS_ERR_VERSION = 6,         /* format version not supported */
    MS_ERR_HEADER_CHECKSUM = 7,
    MS_ERR_CHUNK_CHECKSUM = 8,
    MS_ERR_TRUNCATED = 9,       /* the data ends inside a structure */
    MS_ERR_CORRUPT = 10,        /* structurally impossible values */
    MS_ERR_CODEC = 11,          /* unknown codec or decompression failed */
    MS_ERR_TOO_LARGE = 12,      /* a declared size exceeds a hard bound */
    MS_ERR_PAYLOAD = 13,        /* MessagePack payload does not match its type */
    MS_ERR_NOT_FOUND = 14,      /* no such chunk / chunk type */
    MS_ERR_NO_INDEX = 15,       /* operation needs the index; file has none */
    MS_ERR_END = 16,            /* streaming: no more chunks (not a failure) */
    MS_ERR_STATE = 17,          /* object used after close or after an error */
    MS_ERR_MAX_
} ms_error;

/*! ms_error_name() : short stable name, e.g. "MS_ERR_CHUNK_CHECKSUM". */
const char *ms_error_name(ms_error e);
/*! ms_error_string() : one-line human description of the error code. */
const char *ms_error_string(ms_error e);

/* ------------------------------------------------------------------------
 * Codecs and chunk types (numbers are on disk: never renumber)
 * ---------------------------------------------------------------------- */
typedef enum {
    MS_CODEC_NONE = 0,
    MS_CODEC_ZSTD = 1,   /* default */
    MS_CODEC_LZ4 = 2,
    MS_CODEC_BROTLI = 3,
    MS_CODEC_MAX_
} ms_codec;

/*! ms_codec_name() : "none", "zstd", "lz4", "brotli"; NULL if unknown. */
const char *ms_codec_name(ms_codec c);
/*! ms_codec_parse() : name -> codec. @return MS_OK or MS_ERR_INVALID_ARG. */
ms_error ms_codec_parse(const char *name, ms_codec *out);

typedef enum {
    MS_CHUNK_SITES = 1,     /* ms_site[]    : static site records */
    MS_CHUNK_STACKS = 2,    /* ms_stack[]   : stack id -> return addresses */
    MS_CHUNK_MODULES = 3,   /* ms_module[]  : module map (and its changes) */
    MS_CHUNK_THREADS = 4,   /* ms_thread[]  : thread start/end/name */
    MS_CHUNK_EVENTS = 5,    /* ms_event[]   : one thread's events, time order */
    MS_CHUNK_COUNTERS = 6,  /* ms_counter[] : periodic process statistics */
    MS_CHUNK_SUMMARY = 7,   /* ms_kv[]      : run facts (exit reason, totals) */
    MS_CHUNK_LEAKS = 8,     /* ms_leak[]    : exit-time reachability scan */
    MS_CHUNK_STRINGS = 9,   /* ms_string[]  : interned strings (names, phases) */
    MS_CHUNK_INDEX = 10,    /* the index: written by ms_writer_close() only */
    MS_CHUNK_TYPE_MAX_
} ms_chunk_type;

/*! ms_chunk_type_name() : "sites", "stacks", ...; NULL if unknown. */
const char *ms_chunk_type_name(uint32_t type);
/*! ms_chunk_type_parse() : name -> type. @return MS_OK or MS_ERR_INVALID_ARG. */
ms_error ms_chunk_type_parse(const char *name, uint32_t *out);

/* ------------------------------------------------------------------------
 * Payload records
 * ---------------------------------------------------------------------- */

/* Event kinds. Field use per kind (unused fields are 0):
 *
 * kind            addr              aux                size            site
 * ALLOC           block (0=failed)  -                  requested       alloc site
 * FREE            block             -                  -               free site
 * REALLOC         new block         old block          new size        site
 * SCOPE_EXIT      pointer value the variable held      -   -           scope site (var)
 * ESCAPE          address of local  slot it was stored into  -         escape site
 * LOCAL_DEAD      address of local  -                  local's size    site (var)
 * DTOR_BEGIN      object pointer    -                  -               dtor call site
 * DTOR_END        object pointer    duration_ns        -               dtor call site
 * NAME            block             string id          -               -
 * PHASE           -                 string id          -               -
 * CUSTOM_ALLOC    block             -                  size            site
 * CUSTOM_FREE     block             -                  -               site
 *
 * CUSTOM_* come from user allocators (alloc_size/malloc attributes or the
 * memscope.h annotations). A CUSTOM_ALLOC at an address that is already a
 * live block re-attributes that block (e.g. xmalloc wrapping malloc); else it
 * is a block of its own (pools).
 *
 * REALLOC with addr == 0 and MS_EVF_FAILED: the realloc failed, old block
 * still live. realloc(NULL, n) is recorded as ALLOC; realloc(p, 0) that frees
 * is recorded as FREE.
 *
 * Ordering guarantee of the producer: a FREE (and a REALLOC's release of the
 * old block) is stamped before the real call, an ALLOC after it, so merging
 * all threads' events by time never shows one address live twice.
 */
typedef enum {
    MS_EV_ALLOC = 1,
    MS_EV_FREE = 2,
    MS_EV_REALLOC = 3,
    MS_EV_SCOPE_EXIT = 4,
    MS_EV_ESCAPE = 5,
    MS_EV_LOCAL_DEAD = 6,
    MS_EV_DTOR_BEGIN = 7,
    MS_EV_DTOR_END = 8,
    MS_EV_NAME = 9,
    MS_EV_PHASE = 10,
    MS_EV_CUSTOM_ALLOC = 11,
    MS_EV_CUSTOM_FREE = 12,
    MS_EV_KIND_MAX_
} ms_event_kind;

enum {
    MS_EVF_FAILED = 1u << 0,    /* allocation returned NULL */
    MS_EVF_INHERITED = 1u << 1, /* fork child: block inherited from the parent */
    MS_EVF_ZEROED = 1u << 2,    /* calloc */
    MS_EVF_ALIGNED = 1u << 3,   /* aligned_alloc / memalign / posix_memalign */
    MS_EVF_NO_SITE = 1u << 4,   /* interposed call from uninstrumented code */
};

typedef struct {
    uint64_t time_ns;  /* since the producer's origin; non-decreasing per chunk */
    uint64_t addr;
    uint64_t aux;
    uint64_t size;
    uint64_t site;     /* site id (address of the site record), 0 = none */
    uint32_t stack;    /* stack id, 0 = none */
    uint8_t kind;      /* ms_event_kind */
    uint8_t flags;     /* MS_EVF_* */
    uint16_t reserved; /* 0 */
} ms_event;

/* Site kinds (values shared with the pass ABI, runtime/include/memscope_abi.h). */
typedef enum {
    MS_SITE_MALLOC = 1,
    MS_SITE_CALLOC = 2,
    MS_SITE_REALLOC = 3,
    MS_SITE_REALLOCARRAY = 4,
    MS_SITE_FREE = 5,
    MS_SITE_ALIGNED_ALLOC = 6,
    MS_SITE_MEMALIGN = 7,
    MS_SITE_POSIX_MEMALIGN = 8,
    MS_SITE_VALLOC = 9,
    MS_SITE_PVALLOC = 10,
    MS_SITE_STRDUP = 11,
    MS_SITE_STRNDUP = 12,
    MS_SITE_CUSTOM_ALLOC = 13,   /* attribute-marked or configured allocator */
    MS_SITE_CUSTOM_FREE = 14,
    MS_SITE_CUSTOM_REALLOC = 15,
    MS_SITE_SCOPE_EXIT = 16,     /* a named owning local leaves scope */
    MS_SITE_ESCAPE = 17,         /* a local's address stored to non-local memory */
    MS_SITE_LOCAL_DEAD = 18,     /* an escaped local's lifetime ends */
    MS_SITE_DTOR = 19,           /* destructor-style call (name pattern) */
    MS_SITE_CLEANUP = 20,        /* __attribute__((cleanup)) call */
    MS_SITE_KIND_MAX_
} ms_site_kind;

/*! ms_site_kind_name() : "malloc", "scope_exit", ...; NULL if unknown. */
const char *ms_site_kind_name(uint32_t kind);

typedef struct {
    uint64_t id;            /* the site id events refer to */
    uint32_t kind;          /* ms_site_kind */
    uint32_t line;
    uint32_t column;
    uint32_t flags;
    uint64_t elem_size;     /* size of the static pointee type, 0 unknown */
    const char *file;       /* never NULL in decoded data ("" if unknown) */
    const char *function;
    const char *type_name;  /* "struct node", "char", "item_t"; "?" unknown */
    const char *var_name;   /* "n", "list->head", "<return>"; "?" unknown */
    const char *callee;     /* DTOR/CLEANUP/CUSTOM_*: the called function */
} ms_site;

typedef struct {
    uint32_t id;            /* >= 1 */
    uint32_t depth;         /* <= MS_MAX_STACK_DEPTH */
    const uint64_t *frames; /* return addresses, innermost first */
} ms_stack;

typedef struct {
    uint64_t time_ns;       /* when this mapping was observed */
    uint64_t base;          /* load bias (dlpi_addr) */
    uint64_t size;          /* extent of the PT_LOAD segments */
    const char *path;       /* "" for the main program if unknown */
    const uint8_t *build_id;
    uint32_t build_id_len;  /* 0 if none */
    uint32_t loaded;        /* 1 loaded, 0 unloaded (dlclose) */
} ms_module;

typedef struct {
    uint32_t tid;
    uint32_t parent_tid;    /* 0 unknown / main */
    uint64_t start_ns;
    uint64_t end_ns;        /* 0 still running at the end of the trace */
    const char *name;       /* "" if none */
} ms_thread;

typedef struct {
    uint64_t time_ns;
    uint64_t rss;           /* resident set size, bytes */
    uint64_t heap_arena;    /* mallinfo2: arena + hblkhd */
    uint64_t heap_in_use;   /* mallinfo2: uordblks + hblkhd */
    uint64_t heap_free;     /* mallinfo2: fordblks */
    uint64_t live_bytes;    /* requested bytes live, as the runtime counts them */
    uint64_t live_blocks;
} ms_counter;

typedef enum {
    MS_LEAK_REACHABLE = 0,
    MS_LEAK_INDIRECT = 1,
    MS_LEAK_DEFINITE = 2,
    MS_LEAK_POSSIBLE = 3,   /* only interior pointers reach it */
} ms_leak_kind;

typedef struct {
    uint64_t addr;
    uint64_t size;
    uint32_t kind;          /* ms_leak_kind */
    uint32_t reserved;
} ms_leak;

typedef struct {
    uint64_t id;
    const char *str;
} ms_string;

typedef struct {
    const char *key;
    uint64_t u;             /* value when s == NULL */
    const char *s;          /* string value, or NULL for an integer value */
} ms_kv;

/* ------------------------------------------------------------------------
 * Encoding and decoding payloads (no file involved)
 * ---------------------------------------------------------------------- */

/* A decoded chunk. Arrays and strings live until ms_decoded_free(). */
typedef struct ms_decoded {
    uint32_t type;          /* ms_chunk_type */
    uint32_t thread;        /* from the chunk header */
    size_t count;
    union {
        const ms_event *events;
        const ms_site *sites;
        const ms_stack *stacks;
        const ms_module *modules;
        const ms_thread *threads;
        const ms_counter *counters;
        const ms_leak *leaks;
        const ms_string *strings;
        const ms_kv *kvs;
        const void *any;
    } u;
    void *internal_;        /* owned memory; do not touch */
} ms_decoded;

/*! ms_decode_payload() : decode a raw (decompressed) payload of @type.
 *  @items : the item count from the chunk header (a bound, checked).
 *  Never trusts declared lengths: hostile bytes give MS_ERR_PAYLOAD or
 *  MS_ERR_TOO_LARGE, never a crash or an allocation beyond O(len).
 *  @return MS_OK and *out (free with ms_decoded_free), or an error. */
ms_error ms_decode_payload(uint32_t type, const void *raw, size_t len,
                           uint64_t items, ms_decoded **out);
void ms_decoded_free(ms_decoded *d);

/* ------------------------------------------------------------------------
 * Writer: append-only. Not thread-safe: one thread at a time per writer.
 * ---------------------------------------------------------------------- */
typedef struct ms_writer ms_writer;

typedef struct {
    ms_codec codec;            /* default MS_CODEC_ZSTD */
    int level;                 /* 0 = codec default; zstd 1..22, brotli 0..11, lz4 >1 = HC */
    uint32_t pid;
    uint32_t flags;            /* MS_HDR_F_* */
    uint64_t created_unix_ns;  /* 0 = now */
    const char *exe;           /* executable path, may be NULL */
} ms_writer_options;

enum {
    MS_HDR_F_WHOLE_HEAP = 1u << 0, /* uninstrumented allocations are recorded too */
    MS_HDR_F_FORK_CHILD = 1u << 1, /* this trace belongs to a forked child */
};

/*! ms_writer_options_init() : fill defaults (zstd, level 0, now, no exe). */
void ms_writer_options_init(ms_writer_options *o);

/*! ms_writer_open_fd() : start a file on @fd (positioned at 0, writable).
 *  Writes the header immediately. The writer does not close @fd unless
 *  @take_ownership. @return MS_OK and *out, or an error. */
ms_error ms_writer_open_fd(int fd, int take_ownership,
                           const ms_writer_options *o, ms_writer **out);
/*! ms_writer_open_path() : create/truncate @path (mode 0666 & ~umask). */
ms_error ms_writer_open_path(const char *path, const ms_writer_options *o,
                             ms_writer **out);

/*! ms_writer_add_raw() : append one chunk whose payload is already encoded
 *  MessagePack (@raw, @len). Compresses with the writer's codec (stores it
 *  uncompressed when that is smaller). @t_first/@t_last: time range of the
 *  items, 0 when not meaningful. */
ms_error ms_writer_add_raw(ms_writer *w, uint32_t type, uint32_t thread,
                           const void *raw, size_t len, uint64_t items,
                           uint64_t t_first, uint64_t t_last);

/* Typed appends: encode with msgpack-c's packer and add one chunk each. */
ms_error ms_writer_add_events(ms_writer *w, uint32_t thread, const ms_event *ev, size_t n);
ms_error ms_writer_add_sites(ms_writer *w, const ms_site *s, size_t n);
ms_error ms_writer_add_stacks(ms_writer *w, const ms_stack *s, size_t n);
ms_error ms_writer_add_modules(ms_writer *w, const ms_module *m, size_t n);
ms_error ms_writer_add_threads(ms_writer *w, const ms_thread *t, size_t n);
ms_error ms_writer_add_counters(ms_writer *w, const ms_counter *c, size_t n);
ms_error ms_writer_add_leaks(ms_writer *w, const ms_leak *l, size_t n);
ms_error ms_writer_add_strings(ms_writer *w, const ms_string *s, size_t n);
ms_error ms_writer_add_summary(ms_writer *w, const ms_kv *kv, size_t n);

/*! ms_writer_flush() : make every chunk appended so far visible to a reader
 *  of the file (write(2) done; fdatasync when @durable). */
ms_error ms_writer_flush(ms_writer *w, int durable);

/*! ms_writer_close() : write the index chunk and the trailer, flush, close
 *  the fd if owned, free @w. Safe on NULL. @return the first error seen. */
ms_error ms_writer_close(ms_writer *w);
/*! ms_writer_abandon() : free @w without index/trailer (e.g. in a forked
 *  child that must not touch the parent's file). */
void ms_writer_abandon(ms_writer *w);

/*! ms_writer_bytes() : bytes written to the file so far. */
uint64_t ms_writer_bytes(const ms_writer *w);

/* ------------------------------------------------------------------------
 * Reader: memory-mapped, random access. Thread-safe after open: any number
 * of threads may call the load functions on one reader at once.
 * ---------------------------------------------------------------------- */
typedef struct ms_reader ms_reader;

typedef struct {
    uint32_t version;
    uint32_t flags;            /* MS_HDR_F_* */
    uint32_t pid;
    ms_codec codec;            /* the writer's default codec */
    uint64_t created_unix_ns;
    const char *exe;           /* "" if none */
} ms_header_info;

typedef struct {
    uint32_t type;
    uint32_t codec;
    uint32_t thread;
    uint32_t reserved;
    uint64_t offset;           /* of the chunk header in the file */
    uint64_t stored_size;      /* payload bytes in the file */
    uint64_t raw_size;         /* payload bytes decompressed */
    uint64_t items;
    uint64_t t_first, t_last;
} ms_chunk_info;

typedef struct {
    int complete;              /* 1: index and trailer present and valid */
    uint64_t file_size;
    uint64_t valid_bytes;      /* bytes covered by the header and good chunks */
    uint64_t lost_bytes;       /* file_size - valid_bytes */
    ms_error stop_reason;      /* why the scan stopped (MS_OK when complete) */
    uint64_t stop_offset;      /* where the damage starts */
} ms_recovery;

/*! ms_reader_open() : mmap @path, check header; use the index when the
 *  trailer is valid, else scan from the header keeping every chunk whose
 *  checksum holds and stopping at the first damaged one (see recovery). */
ms_error ms_reader_open(const char *path, ms_reader **out);
/*! ms_reader_open_mem() : the same over a caller buffer that outlives it. */
ms_error ms_reader_open_mem(const void *buf, size_t len, ms_reader **out);
void ms_reader_close(ms_reader *r);

const ms_header_info *ms_reader_header(const ms_reader *r);
const ms_recovery *ms_reader_recovery(const ms_reader *r);
/*! ms_reader_message() : detail of the last open/recovery problem ("chunk 12
 *  at offset 81234: checksum mismatch"), "" if none. */
const char *ms_reader_message(const ms_reader *r);

size_t ms_reader_chunk_count(const ms_reader *r);
const ms_chunk_info *ms_reader_chunk(const ms_reader *r, size_t i);

/*! ms_reader_load() : verify, decompress and decode chunk @i. Uses a small
 *  LRU cache of decoded chunks; the result is shared: release it with
 *  ms_decoded_free() (reference counted). */
ms_error ms_reader_load(ms_reader *r, size_t i, ms_decoded **out);
/*! ms_reader_raw() : verify and decompress chunk @i into a malloc'ed buffer. */
ms_error ms_reader_raw(ms_reader *r, size_t i, void **raw, size_t *len);

/*! ms_reader_load_type() : every chunk of @type, in file order, decoded in
 *  parallel with up to @threads threads (0 = number of CPUs), delivered to
 *  @cb in file order on the calling thread. A callback returning non-zero
 *  stops the walk (then MS_OK is returned). The callback owns @d: it
 *  releases it with ms_decoded_free() (now or later; it may keep it).
 *  These chunks bypass the load cache. */
typedef int (*ms_chunk_cb)(void *user, size_t index, const ms_chunk_info *info,
                           ms_decoded *d);
ms_error ms_reader_load_type(ms_reader *r, uint32_t type, unsigned threads,
                             ms_chunk_cb cb, void *user);

/* ------------------------------------------------------------------------
 * Streaming reader: constant memory over a file of any size (read(2), no
 * mmap), chunk by chunk in file order; also works on pipes.
 * ---------------------------------------------------------------------- */
typedef struct ms_stream ms_stream;
ms_error ms_stream_open(const char *path, ms_stream **out);
ms_error ms_stream_open_fd(int fd, ms_stream **out);
const ms_header_info *ms_stream_header(const ms_stream *s);
/*! ms_stream_next() : next data chunk (the index is skipped). @return MS_OK,
 *  MS_ERR_END at a clean end, or the error that stopped the stream (the
 *  chunks before it were good). @d is owned by the caller. */
ms_error ms_stream_next(ms_stream *s, ms_chunk_info *info, ms_decoded **d);
const ms_recovery *ms_stream_recovery(const ms_stream *s);
const char *ms_stream_message(const ms_stream *s);
void ms_stream_close(ms_stream *s);

#ifdef __cplusplus
}
#endif
#endif /* MSFORMAT_H */
