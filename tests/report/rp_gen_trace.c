/*
 * rp_gen_trace.c - writes the synthetic traces the CLI tests run on.
 *
 *   rp_gen_trace demo OUT.ms         every analysis, whole-heap, with a leak scan
 *   rp_gen_trace nowhole OUT.ms      the same without whole-heap coverage
 *   rp_gen_trace noindex OUT.ms      the same, stopped without index/trailer
 *   rp_gen_trace badbuildid OUT.ms   the module's build id does not match
 *   rp_gen_trace hostile OUT.ms      demo with markup in the leaked variable's
 *                                    name, its file and the consumer thread's name
 *
 * Stacks point into this very executable (its real load bias and path), so
 * the report can symbolize them with libdw: frames resolve to
 * gen_leaky_push() and main() in this file.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rp_trace_builder.h"

static uint64_t exe_base;
static uint64_t exe_size;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    uint64_t hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD) {
            uint64_t end = info->dlpi_phdr[i].p_vaddr + info->dlpi_phdr[i].p_memsz;
            if (end > hi)
                hi = end;
        }
    exe_base = info->dlpi_addr;
    exe_size = hi;
    return 1;  /* the first entry is the main program */
}

__attribute__((noinline)) uint64_t gen_leaky_push(void) {
    return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

/* an address inside code inlined into main: the pc the inlined body reads */
static inline __attribute__((always_inline)) uint64_t gen_inlined_helper(int k) {
    uint64_t pc = 0;
#if defined(__x86_64__)
    __asm__ volatile("lea 0(%%rip), %0" : "=r"(pc));
#elif defined(__aarch64__)
    __asm__ volatile("adr %0, ." : "=r"(pc));
#endif
    return pc + (uint64_t)(k & 0);
}

/* named like a runtime function: the report must hide this frame */
__attribute__((noinline)) uint64_t rt_fake_record(void) {
    return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

__attribute__((noinline)) static uint64_t here(void) {
    return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

enum {
    S_NODE = 0x1000, S_SCOPE = 0x1010, S_FREE = 0x1020, S_BUF = 0x1030, S_GROW = 0x1040,
    S_PROD = 0x1050, S_CONS = 0x1060, S_DLIST = 0x1070, S_DNODE = 0x1080, S_TMP = 0x1090,
};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: rp_gen_trace demo|nowhole|noindex|badbuildid|hostile OUT.ms\n");
        return 2;
    }
    const char *sc = argv[1];
    int whole = strcmp(sc, "nowhole") != 0;
    tb *t = tb_open(argv[2], whole ? MS_HDR_F_WHOLE_HEAP : 0, 0);
    if (!t) {
        perror(argv[2]);
        return 1;
    }
    dl_iterate_phdr(phdr_cb, NULL);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    tb_module(t, exe_base, exe_size, exe);
    static const uint8_t bogus[20] = {0xde, 0xad, 0xbe, 0xef};
    if (!strcmp(sc, "badbuildid"))
        tb_module_build_id(t, bogus, sizeof bogus);
    /* a stack: gen_leaky_push's return address into main, then main's caller */
    uint64_t in_main = here();
    /* a pseudo return address inside gen_leaky_push (looked up at addr - 1) */
    uint64_t fr[3] = {(uint64_t)(uintptr_t)&rt_fake_record + 2,
                      (uint64_t)(uintptr_t)&gen_leaky_push + 2, in_main};
    (void)gen_leaky_push();
    (void)rt_fake_record();
    tb_stack(t, 1, 3, fr);
    /* the pc read there is the end of the lea instruction, like a return
     * address: the report looks it up at addr - 1, inside the inlined body */
    uint64_t fr2[2] = {gen_inlined_helper(argc), in_main};
    tb_stack(t, 2, 2, fr2);
    /* hostile: strings from the trace that an HTML report must escape */
    int hostile = !strcmp(sc, "hostile");
    tb_site(t, S_NODE, MS_SITE_MALLOC, hostile ? "<b>list&.c" : "list.c", 10, "push",
            "struct node", hostile ? "<script>alert('n')</script>" : "n", NULL);
    tb_site(t, S_SCOPE, MS_SITE_SCOPE_EXIT, "list.c", 30, "main", "struct node", "head", NULL);
    tb_site(t, S_FREE, MS_SITE_FREE, "list.c", 40, "pop", NULL, "n", NULL);
    tb_site(t, S_BUF, MS_SITE_MALLOC, "buf.c", 5, "grow", "char", "buf", NULL);
    tb_site(t, S_GROW, MS_SITE_REALLOC, "buf.c", 9, "grow", "char", "buf", NULL);
    tb_site(t, S_PROD, MS_SITE_MALLOC, "pc.c", 12, "producer", "struct item", "item", NULL);
    tb_site(t, S_CONS, MS_SITE_FREE, "pc.c", 30, "consumer", NULL, "it", NULL);
    tb_site(t, S_DLIST, MS_SITE_DTOR, "list.c", 50, "main", NULL, NULL, "list_free");
    tb_site(t, S_DNODE, MS_SITE_DTOR, "list.c", 60, "list_free", NULL, NULL, "node_free");
    tb_site(t, S_TMP, MS_SITE_MALLOC, "fmt.c", 3, "format", "char", "tmp", NULL);
    tb_thread(t, 1, "main");
    tb_thread(t, 2, hostile ? "<img src=x onerror=alert(1)>" : "consumer");
    tb_string(t, 7, "startup");
    uint64_t tm = 1000;
    tb_ev(t, 1, tm++, MS_EV_PHASE, 0, 7, 0, 0, 0, 0);
    /* leaky list: 4 nodes of 24 bytes, 3 leak (definite), owner "head" */
    for (int i = 0; i < 4; i++)
        tb_ev(t, 1, tm++, MS_EV_ALLOC, 0x10000 + 0x100 * (uint64_t)i, 0, 24, S_NODE, 1, 0);
    for (int i = 0; i < 3; i++)
        tb_ev(t, 1, tm++, MS_EV_SCOPE_EXIT, 0x10000 + 0x100 * (uint64_t)i, 0, 0, S_SCOPE, 0, 0);
    /* destructor frees the 4th node */
    tb_ev(t, 1, tm++, MS_EV_DTOR_BEGIN, 0x10300, 0, 0, S_DLIST, 0, 0);
    tb_ev(t, 1, tm++, MS_EV_FREE, 0x10300, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, tm++, MS_EV_DTOR_END, 0x10300, 40, 0, S_DLIST, 0, 0);
    /* 5 temporaries */
    for (int i = 0; i < 5; i++) {
        tb_ev(t, 1, tm++, MS_EV_ALLOC, 0x20000, 0, 64, S_TMP, 0, 0);
        tb_ev(t, 1, tm++, MS_EV_FREE, 0x20000, 0, 0, S_FREE, 0, 0);
    }
    /* growing buffer: +100 bytes 10 times (quadratic) */
    uint64_t a = 0x30000, sz = 100;
    tb_ev(t, 1, tm++, MS_EV_ALLOC, a, 0, sz, S_BUF, 0, 0);
    for (int i = 0; i < 10; i++) {
        tb_ev(t, 1, tm++, MS_EV_REALLOC, a + 0x1000, a, sz + 100, S_GROW, 0, 0);
        a += 0x1000;
        sz += 100;
    }
    tb_ev(t, 1, tm++, MS_EV_FREE, a, 0, 0, S_FREE, 0, 0);
    /* producer/consumer: 2 items cross threads */
    tb_ev(t, 1, tm++, MS_EV_ALLOC, 0x50000, 0, 48, S_PROD, 2, 0);
    tb_ev(t, 1, tm++, MS_EV_ALLOC, 0x50100, 0, 48, S_PROD, 2, 0);
    tb_ev(t, 2, tm++, MS_EV_FREE, 0x50000, 0, 0, S_CONS, 0, 0);
    tb_ev(t, 2, tm++, MS_EV_FREE, 0x50100, 0, 0, S_CONS, 0, 0);
    /* double free */
    tb_ev(t, 2, tm++, MS_EV_FREE, 0x50100, 0, 0, S_CONS, 1, 0);
    for (int i = 0; i < 3; i++)
        tb_leak(t, 0x10000 + 0x100 * (uint64_t)i, 24, MS_LEAK_DEFINITE);
    tb_summary(t, "exit_reason", 0, "exit(0)");
    if (!whole)
        tb_summary(t, "dropped", 5, NULL);
    int rc = !strcmp(sc, "noindex") ? tb_abandon(t) : tb_close(t);
    return rc ? 1 : 0;
}
