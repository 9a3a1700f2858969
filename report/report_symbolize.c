/*
 * report_symbolize.c - stack symbolization with libdw (elfutils), offline.
 *
 * Every module of the trace's module map (path, load bias, build id) is
 * reported to one Dwfl with dwfl_report_elf at its bias; an address then
 * resolves to module, function, file:line, and its chain of inlined frames
 * (the DWARF scopes at that pc, as eu-addr2line -i does). A binary whose
 * build id differs from the trace's gives a warning and its addresses are
 * still shown. The innermost run of the runtime's own frames (__memscope_*,
 * rt_*, and the interposed malloc family) is removed.
 * Frames are return addresses: they are looked up at addr - 1.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Frames of one return address: pool[off .. off + n). */
typedef struct {
    uint32_t off, n;
} addr_frames;

/* Deep and recursive programs have many stacks but few distinct return
 * addresses: each address is resolved once (addr_map -> addrs[] -> pool),
 * and a stack is assembled from them into one reused buffer, so memory is
 * O(distinct addresses), not O(stacks x depth). */
struct rp_symbolizer {
    Dwfl *dwfl;
    int enabled;
    rp_map addr_map;                 /* return address -> index in addrs */
    addr_frames *addrs; size_t naddrs, addrs_cap;
    rp_frame *pool; size_t npool, pool_cap;
    rp_frame *buf; size_t nbuf, buf_cap;   /* the last stack returned */
    char **warn;
    size_t nwarn, warn_cap;
};

static char *debuginfo_path = NULL;
static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static void warn(rp_symbolizer *s, const char *fmt, const char *a, const char *b) {
    char buf[1024];
    snprintf(buf, sizeof buf, fmt, a, b);
    if (rp_grow((void **)&s->warn, &s->warn_cap, s->nwarn + 1, sizeof *s->warn))
        return;
    s->warn[s->nwarn] = strdup(buf);
    if (s->warn[s->nwarn])
        s->nwarn++;
}

static void hex(char *out, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = 0;
}

static void report_modules(rp_symbolizer *s, const rp_model *m) {
    dwfl_report_begin(s->dwfl);
    for (size_t i = 0; i < m->nmodules; i++) {
        const ms_module *x = m->modules[i];
        if (!x->loaded)
            continue;
        /* the runtime repeats its whole module map at each change: the last
         * loaded entry at a base wins (dlopen, dlclose, dlopen elsewhere) */
        int later = 0;
        for (size_t k = i + 1; k < m->nmodules; k++)
            if (m->modules[k]->base == x->base && m->modules[k]->loaded)
                later = 1;
        if (later)
            continue;
        const char *path = x->path && *x->path ? x->path : m->header.exe;
        if (!path || path[0] != '/')
            continue;  /* the vDSO ("linux-vdso.so.1") has no file */
        Dwfl_Module *mod = dwfl_report_elf(s->dwfl, path, path, -1, x->base, false);
        if (!mod) {
            warn(s, "cannot read module %s (%s): its addresses are shown unresolved", path,
                 dwfl_errmsg(-1));
            continue;
        }
        if (x->build_id_len) {
            const unsigned char *bits = NULL;
            GElf_Addr vaddr;
            int n = dwfl_module_build_id(mod, &bits, &vaddr);
            if (n != (int)x->build_id_len || memcmp(bits, x->build_id, x->build_id_len)) {
                char want[2 * 64 + 1];
                hex(want, x->build_id, x->build_id_len > 64 ? 64 : x->build_id_len);
                warn(s, "build id mismatch for %s (trace has %s): the binary changed since the "
                        "run, symbols may be wrong",
                     path, want);
            }
        }
    }
    dwfl_report_end(s->dwfl, NULL, NULL);
}

rp_symbolizer *rp_sym_open(const rp_model *m, int enabled) {
    rp_symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->enabled = enabled && m->nmodules;
    if (s->enabled) {
        s->dwfl = dwfl_begin(&callbacks);
        if (!s->dwfl) {
            warn(s, "libdw: %s%s", dwfl_errmsg(-1), "");
            s->enabled = 0;
        } else {
            report_modules(s, m);
        }
    }
    return s;
}

void rp_sym_close(rp_symbolizer *s) {
    if (!s)
        return;
    rp_map_free(&s->addr_map);
    free(s->addrs);
    free(s->pool);
    free(s->buf);
    for (size_t i = 0; i < s->nwarn; i++)
        free(s->warn[i]);
    free(s->warn);
    if (s->dwfl)
        dwfl_end(s->dwfl);
    free(s);
}

size_t rp_sym_warning_count(const rp_symbolizer *s) { return s ? s->nwarn : 0; }
const char *rp_sym_warning(const rp_symbolizer *s, size_t i) {
    return s && i < s->nwarn ? s->warn[i] : "";
}

static int push(rp_frame **v, size_t *n, size_t *cap, rp_frame f) {
    if (rp_grow((void **)v, cap, *n + 1, sizeof **v))
        return -1;
    (*v)[(*n)++] = f;
    return 0;
}

static const char *die_name(Dwarf_Die *d) {
    Dwarf_Attribute a;
    const char *n = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &a));
    return n;
}

/* The CU containing @pc. libdw before 0.191 finds CUs only through
 * .debug_aranges, which clang does not emit: fall back to walking the CUs. */
static Dwarf_Die *cu_of(Dwfl_Module *mod, Dwarf_Addr pc, Dwarf_Die *buf, Dwarf_Addr *bias) {
    Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);
    if (cu)
        return cu;
    for (Dwarf_Die *c = NULL; (c = dwfl_module_nextcu(mod, c, bias)) != NULL;) {
        if (dwarf_haspc(c, pc - *bias) > 0) {
            *buf = *c;
            return buf;
        }
    }
    return NULL;
}

/* Frames for one return address: inlined ones first, then the function. */
static int resolve(rp_symbolizer *s, uint64_t ret, rp_frame **v, size_t *n, size_t *cap) {
    rp_frame base = {ret, NULL, NULL, 0, 0, NULL};
    if (!s->enabled || !ret)
        return push(v, n, cap, base);
    Dwarf_Addr pc = ret - 1;
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
    if (!mod)
        return push(v, n, cap, base);
    base.module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    base.function = dwfl_module_addrname(mod, pc);
    Dwarf_Addr bias = 0;
    Dwarf_Die cubuf;
    Dwarf_Die *cu = cu_of(mod, pc, &cubuf, &bias);
    Dwarf_Line *dl = cu ? dwarf_getsrc_die(cu, pc - bias) : NULL;
    if (dl) {
        int ln = 0;
        base.file = dwarf_linesrc(dl, NULL, NULL);
        dwarf_lineno(dl, &ln);
        base.line = ln > 0 ? (uint32_t)ln : 0;
    }
    Dwarf_Die *scopes = NULL;
    int ns = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
    if (ns <= 0) {
        free(scopes);
        return push(v, n, cap, base);
    }
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    dwarf_getsrcfiles(cu, &files, &nfiles);
    /* scopes[0] is innermost; each inlined_subroutine's call site is the
     * location in the scope that contains it */
    const char *file = base.file;
    uint32_t ln = base.line;
    for (int i = 0; i < ns; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        rp_frame f = {ret, die_name(&scopes[i]), file, ln, tag == DW_TAG_inlined_subroutine,
                      base.module};
        if (tag == DW_TAG_subprogram) {
            if (!f.function)
                f.function = base.function;
            free(scopes);
            return push(v, n, cap, f);
        }
        if (push(v, n, cap, f)) {
            free(scopes);
            return -1;
        }
        Dwarf_Attribute a;
        Dwarf_Word cf = 0, cl = 0;
        file = NULL;
        ln = 0;
        if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &cf) == 0 &&
            cf < nfiles)
            file = dwarf_filesrc(files, cf, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &cl) == 0)
            ln = (uint32_t)cl;
    }
    free(scopes);
    base.file = file;
    base.line = ln;
    return push(v, n, cap, base);
}

static int runtime_frame(const rp_frame *f) {
    static const char *const family[] = {
        "malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc", "memalign",
        "posix_memalign", "valloc", "pvalloc", "strdup", "strndup", NULL,
    };
    const char *n = f->function;
    if (!n)
        return 0;
    if (!strncmp(n, "__memscope_", 11) || !strncmp(n, "rt_", 3))
        return 1;
    for (size_t i = 0; family[i]; i++)
        if (!strcmp(n, family[i]))
            return 1;
    return 0;
}

/* Append the frames of return address @ret to the stack buffer. */
static int append_addr(rp_symbolizer *s, uint64_t ret) {
    if (!s->enabled || !ret)
        return resolve(s, ret, &s->buf, &s->nbuf, &s->buf_cap);
    uint32_t ai = rp_map_get(&s->addr_map, ret);
    if (ai == RP_NONE) {
        size_t off = s->npool;
        int rc = resolve(s, ret, &s->pool, &s->npool, &s->pool_cap);
        if (rc || s->npool > UINT32_MAX || s->naddrs >= UINT32_MAX ||
            rp_grow((void **)&s->addrs, &s->addrs_cap, s->naddrs + 1, sizeof *s->addrs) ||
            rp_map_put(&s->addr_map, ret, (uint32_t)s->naddrs)) {
            s->npool = off;
            return -1;
        }
        s->addrs[s->naddrs] = (addr_frames){(uint32_t)off, (uint32_t)(s->npool - off)};
        ai = (uint32_t)s->naddrs++;
    }
    const addr_frames *a = &s->addrs[ai];
    if (rp_grow((void **)&s->buf, &s->buf_cap, s->nbuf + a->n, sizeof *s->buf))
        return -1;
    memcpy(s->buf + s->nbuf, s->pool + a->off, a->n * sizeof *s->buf);
    s->nbuf += a->n;
    return 0;
}

const rp_frame *rp_sym_stack(rp_symbolizer *s, const rp_model *m, uint32_t si, size_t *n) {
    *n = 0;
    if (!s || si >= m->nstacks || !m->stacks[si].s)
        return NULL;
    const ms_stack *st = m->stacks[si].s;
    s->nbuf = 0;
    for (uint32_t i = 0; i < st->depth; i++)
        if (append_addr(s, st->frames[i]))
            break;
    size_t skip = 0;
    while (skip < s->nbuf && runtime_frame(&s->buf[skip]))
        skip++;
    if (skip == s->nbuf)
        skip = 0;  /* everything looked like runtime: keep it all */
    *n = s->nbuf - skip;
    return s->buf + skip;
}
