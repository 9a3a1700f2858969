/*
 * memscope_abi.h - the one contract between the pass (pass/) and the runtime
 * (runtime/): the entry points the pass injects and the layout of the static
 * site records it emits. C and C++ compatible; the pass includes it for the
 * names and constants, the runtime implements it.
 *
 * Versioning: MEMSCOPE_ABI_VERSION is part of the init symbol's name
 * (__memscope_init_v1). Every instrumented module's constructor calls it, so
 * a module built by a pass of another ABI version fails at link time, not at
 * run time. Bump the version on any change to this file's meaning.
 */
#ifndef MEMSCOPE_ABI_H
#define MEMSCOPE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMSCOPE_ABI_VERSION 1
#define MEMSCOPE_INIT_SYMBOL "__memscope_init_v1"
#define MEMSCOPE_SITE_SECTION "memscope_sites"
#define MEMSCOPE_SITE_MAGIC 0x3153534du /* "MSS1" little-endian */
/* Priority of the module constructor (runs before user constructors). */
#define MEMSCOPE_CTOR_PRIORITY 1
/* Name of the per-thread calling-context value (probabilistic calling
 * context, Bond & McKinley): V = V * 3 + callsite_id before each call in
 * instrumented code, restored after. initial-exec TLS, defined by the
 * runtime. 0 means "no context" (then the runtime unwinds). */
#define MEMSCOPE_CTX_SYMBOL "__memscope_ctx"

/* Site kinds: identical values to ms_site_kind in formats/include/msformat.h
 * (the runtime checks this with static asserts). */
enum {
    MEMSCOPE_SITE_MALLOC = 1,
    MEMSCOPE_SITE_CALLOC = 2,
    MEMSCOPE_SITE_REALLOC = 3,
    MEMSCOPE_SITE_REALLOCARRAY = 4,
    MEMSCOPE_SITE_FREE = 5,
    MEMSCOPE_SITE_ALIGNED_ALLOC = 6,
    MEMSCOPE_SITE_MEMALIGN = 7,
    MEMSCOPE_SITE_POSIX_MEMALIGN = 8,
    MEMSCOPE_SITE_VALLOC = 9,
    MEMSCOPE_SITE_PVALLOC = 10,
    MEMSCOPE_SITE_STRDUP = 11,
    MEMSCOPE_SITE_STRNDUP = 12,
    MEMSCOPE_SITE_CUSTOM_ALLOC = 13,
    MEMSCOPE_SITE_CUSTOM_FREE = 14,
    MEMSCOPE_SITE_CUSTOM_REALLOC = 15,
    MEMSCOPE_SITE_SCOPE_EXIT = 16,
    MEMSCOPE_SITE_ESCAPE = 17,
    MEMSCOPE_SITE_LOCAL_DEAD = 18,
    MEMSCOPE_SITE_DTOR = 19,
    MEMSCOPE_SITE_CLEANUP = 20,
};

/* Site record flags. */
enum {
    MEMSCOPE_SITE_F_LATE = 1u << 0,     /* emitted by the late (OptimizerLast) pass */
    MEMSCOPE_SITE_F_NO_DEBUG = 1u << 1, /* module had no debug info: names are "?" */
    MEMSCOPE_SITE_F_GLOBAL = 1u << 2,   /* var_name names a global */
    MEMSCOPE_SITE_F_FIELD = 1u << 3,    /* var_name is an access path through a field */
};

/*
 * One constant record per site, in section "memscope_sites", 8-byte aligned,
 * 48 bytes. The record's address is the site id. Strings are stored as
 * offsets relative to the address of the offset field itself (so the section
 * needs no relocations and stays read-only in PIE); 0 means "no string".
 *
 *   offset size field
 *   0      4    magic       MEMSCOPE_SITE_MAGIC
 *   4      2    kind        MEMSCOPE_SITE_*
 *   6      2    flags       MEMSCOPE_SITE_F_*
 *   8      4    line
 *   12     4    column
 *   16     4    file_rel    -> "dir/file.c"
 *   20     4    func_rel    -> enclosing function
 *   24     4    type_rel    -> static type, C spelling ("struct node")
 *   28     4    var_rel     -> variable or access path ("n->next")
 *   32     4    callee_rel  -> called function (dtor, cleanup, custom allocator)
 *   36     4    reserved    0
 *   40     8    elem_size   size of the pointee type, 0 if unknown
 */
struct memscope_site {
    uint32_t magic;
    uint16_t kind;
    uint16_t flags;
    uint32_t line;
    uint32_t column;
    int32_t file_rel;
    int32_t func_rel;
    int32_t type_rel;
    int32_t var_rel;
    int32_t callee_rel;
    uint32_t reserved;
    uint64_t elem_size;
};

#ifndef __cplusplus
_Static_assert(sizeof(struct memscope_site) == 48, "site record is 48 bytes");
#endif

/* Resolve a relative string field; NULL when absent. */
static inline const char *memscope_site_str(const int32_t *field) {
    return *field ? (const char *)field + *field : (const char *)0;
}

typedef struct memscope_site memscope_site;

/* ---- module registration (called by every instrumented module's ctor) ----
 * @start/@stop: the module's __start_/__stop_memscope_sites (hidden, weak;
 * both NULL when the module has no sites). Idempotent per range. */
void __memscope_init_v1(const memscope_site *start, const memscope_site *stop);

/* ---- allocation twins: call the real function, then record -------------- */
void *__memscope_malloc(size_t n, const memscope_site *site);
void *__memscope_calloc(size_t n, size_t m, const memscope_site *site);
void *__memscope_realloc(void *p, size_t n, const memscope_site *site);
void *__memscope_reallocarray(void *p, size_t n, size_t m, const memscope_site *site);
void __memscope_free(void *p, const memscope_site *site);
void *__memscope_aligned_alloc(size_t align, size_t n, const memscope_site *site);
void *__memscope_memalign(size_t align, size_t n, const memscope_site *site);
int __memscope_posix_memalign(void **out, size_t align, size_t n, const memscope_site *site);
void *__memscope_valloc(size_t n, const memscope_site *site);
void *__memscope_pvalloc(size_t n, const memscope_site *site);
char *__memscope_strdup(const char *s, const memscope_site *site);
char *__memscope_strndup(const char *s, size_t n, const memscope_site *site);

/* ---- user allocators (allocsize / malloc attribute / configured names) ----
 * The original call stays; the pass brackets it:
 *   custom free/realloc-old:  __memscope_custom_free(p, site)   before the call
 *   custom alloc/realloc-new: __memscope_custom_alloc(p, n, site) after the call
 * @n is the size the allocsize attribute computes, or 0 when unknown. */
void __memscope_custom_alloc(void *p, size_t n, const memscope_site *site);
void __memscope_custom_free(void *p, const memscope_site *site);

/* ---- lifetimes ------------------------------------------------------------
 * scope_exit: a named local that held an allocation's pointer reaches its
 *   lifetime end (or a return, when the function has no lifetime markers);
 *   @value is what it holds then (a value, never the variable's address).
 * escape: the address @local of a local is stored into non-local memory at
 *   @slot (heap through a pointer, a global).
 * local_dead: the lifetime of a local whose address escaped ends. */
void __memscope_scope_exit(const void *value, const memscope_site *site);
void __memscope_escape(const void *local, const void *slot, const memscope_site *site);
void __memscope_local_dead(const void *local, size_t size, const memscope_site *site);

/* ---- destructor-style calls: bracket the original call ------------------- */
void __memscope_dtor_begin(const void *obj, const memscope_site *site);
void __memscope_dtor_end(const void *obj, const memscope_site *site);

#ifdef __cplusplus
}
#endif
#endif /* MEMSCOPE_ABI_H */
