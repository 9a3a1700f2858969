/*
 * test_report_analyses.c - each analysis of memscope-report over synthetic
 * traces with known answers (written with rp_trace_builder).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_internal.h"
#include "rp_trace_builder.h"

enum {
    S_NODE = 0x1000, S_SCOPE = 0x1010, S_FREE = 0x1020, S_BUF = 0x1030, S_GROW = 0x1040,
    S_PROD = 0x1050, S_CONS = 0x1060, S_FREE2 = 0x1070, S_ESC = 0x1080, S_DEAD = 0x1090,
    S_DLIST = 0x10a0, S_DNODE = 0x10b0, S_XMALLOC = 0x10c0, S_CFG = 0x10d0, S_XFREE = 0x10e0,
    S_DOUBLE = 0x10f0, S_ESCG = 0x1100,
};

static char path[256];

static void declare_sites(tb *t) {
    tb_site(t, S_NODE, MS_SITE_MALLOC, "list.c", 10, "push", "struct node", "n", NULL);
    tb_site(t, S_SCOPE, MS_SITE_SCOPE_EXIT, "list.c", 30, "main", "struct node", "head", NULL);
    tb_site(t, S_FREE, MS_SITE_FREE, "list.c", 40, "pop", NULL, "n", NULL);
    tb_site(t, S_BUF, MS_SITE_MALLOC, "buf.c", 5, "grow", "char", "buf", NULL);
    tb_site(t, S_GROW, MS_SITE_REALLOC, "buf.c", 9, "grow", "char", "buf", NULL);
    tb_site(t, S_PROD, MS_SITE_MALLOC, "pc.c", 12, "producer", "struct item", "item", NULL);
    tb_site(t, S_CONS, MS_SITE_FREE, "pc.c", 30, "consumer", NULL, "it", NULL);
    tb_site(t, S_FREE2, MS_SITE_FREE, "err.c", 20, "cleanup", NULL, "p", NULL);
    tb_site(t, S_ESC, MS_SITE_ESCAPE, "esc.c", 7, "reg", NULL, "local", NULL);
    tb_site(t, S_DEAD, MS_SITE_LOCAL_DEAD, "esc.c", 9, "reg", "int", "local", NULL);
    tb_site(t, S_DLIST, MS_SITE_DTOR, "list.c", 50, "main", NULL, NULL, "list_free");
    tb_site(t, S_DNODE, MS_SITE_DTOR, "list.c", 60, "list_free", NULL, NULL, "node_free");
    tb_site(t, S_XMALLOC, MS_SITE_MALLOC, "x.c", 3, "xmalloc", "void", "p", NULL);
    tb_site(t, S_CFG, MS_SITE_CUSTOM_ALLOC, "cfg.c", 14, "load", "struct cfg", "cfg", "xmalloc");
    tb_site(t, S_XFREE, MS_SITE_CUSTOM_FREE, "cfg.c", 20, "unload", NULL, "cfg", "xfree");
    tb_site(t, S_DOUBLE, MS_SITE_FREE, "err.c", 25, "cleanup2", NULL, "p", NULL);
    tb_site(t, S_ESCG, MS_SITE_ESCAPE, "esc.c", 17, "reg_global", NULL, "g_slot", NULL);
    tb_site_flags(t, S_ESCG, 1u << 2);
}

static tb *start(uint32_t flags) {
    tb *t = tb_open(path, flags, 0);
    assert_non_null(t);
    declare_sites(t);
    uint64_t fr[2] = {0x401234, 0x401500};
    tb_stack(t, 1, 2, fr);
    tb_thread(t, 1, "main");
    tb_thread(t, 2, "consumer");
    return t;
}

static void load(rp_model *m, uint64_t temp_ns) {
    rp_options o = {temp_ns, 0};
    char msg[256];
    assert_int_equal(rp_model_load(m, path, &o, msg, sizeof msg), MS_OK);
}

static uint32_t site(rp_model *m, uint64_t id) { return rp_site_index(m, id); }

static int setup(void **state) {
    (void)state;
    snprintf(path, sizeof path, "/tmp/rp_test_%d.ms", (int)getpid());
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return 0;
}

/* ---- leaks with the last owner ------------------------------------------ */
static void test_leaks_and_owner(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 1, 0);
    tb_ev(t, 1, 110, MS_EV_ALLOC, 0xb000, 0, 16, S_NODE, 1, 0);
    tb_ev(t, 1, 120, MS_EV_ALLOC, 0xc000, 0, 16, S_NODE, 1, 0);
    tb_ev(t, 1, 130, MS_EV_SCOPE_EXIT, 0xa000, 0, 0, S_SCOPE, 0, 0);
    tb_ev(t, 1, 140, MS_EV_SCOPE_EXIT, 0xb000, 0, 0, S_SCOPE, 0, 0);
    tb_ev(t, 1, 150, MS_EV_FREE, 0xc000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 160, MS_EV_SCOPE_EXIT, 0xc000, 0, 0, S_SCOPE, 0, 0); /* not live: ignored */
    tb_leak(t, 0xa000, 16, MS_LEAK_DEFINITE);
    tb_leak(t, 0xb000, 16, MS_LEAK_INDIRECT);
    assert_int_equal(tb_close(t), 0);

    rp_model m;
    load(&m, 0);
    assert_true(m.recovery.complete);
    assert_true(m.lk.scan);
    assert_int_equal(m.lk.blocks[MS_LEAK_DEFINITE], 1);
    assert_int_equal(m.lk.bytes[MS_LEAK_DEFINITE], 16);
    assert_int_equal(m.lk.blocks[MS_LEAK_INDIRECT], 1);
    assert_int_equal(m.lk.ng, 2);
    const rp_leakgroup *g = &m.lk.g[0];  /* definite first */
    assert_int_equal(g->kind, MS_LEAK_DEFINITE);
    assert_int_equal(g->site, site(&m, S_NODE));
    assert_string_equal(rp_site_type(&m, g->site), "struct node");
    assert_string_equal(rp_site_var(&m, g->site), "n");
    assert_int_equal(g->nowners, 1);
    assert_string_equal(rp_site_var(&m, g->owners[0].site), "head");
    assert_int_equal(rp_site_line(&m, g->owners[0].site), 30);
    assert_int_equal(g->owners[0].last_time, 130);
    assert_int_equal(m.tot.allocs, 3);
    assert_int_equal(m.tot.frees, 1);
    rp_model_free(&m);
}

static void test_live_at_end_without_scan(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 24, S_NODE, 1, 0);
    tb_ev(t, 1, 110, MS_EV_ALLOC, 0xb000, 0, 40, S_BUF, 0, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_false(m.lk.scan);
    assert_int_equal(m.lk.live_end_blocks, 2);
    assert_int_equal(m.lk.live_end_bytes, 64);
    assert_int_equal(m.lk.ng, 2);
    assert_int_equal(m.lk.g[0].kind, RP_LEAK_LIVE_AT_END);
    assert_int_equal(m.lk.g[0].bytes, 40);
    rp_model_free(&m);
}

/* ---- temporaries ---------------------------------------------------------- */
static void write_temporaries(void) {
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 8, S_BUF, 0, 0);
    tb_ev(t, 1, 200, MS_EV_FREE, 0xa000, 0, 0, S_FREE, 0, 0);    /* temporary, 100 ns */
    tb_ev(t, 1, 300, MS_EV_ALLOC, 0xb000, 0, 8, S_BUF, 0, 0);
    tb_ev(t, 1, 400, MS_EV_ALLOC, 0xc000, 0, 8, S_NODE, 0, 0);
    tb_ev(t, 1, 500, MS_EV_FREE, 0xb000, 0, 0, S_FREE, 0, 0);    /* not: c in between */
    tb_ev(t, 1, 1400, MS_EV_FREE, 0xc000, 0, 0, S_FREE, 0, 0);   /* temporary, 1000 ns */
    tb_ev(t, 1, 1500, MS_EV_ALLOC, 0xd000, 0, 8, S_BUF, 0, 0);
    tb_ev(t, 2, 1600, MS_EV_FREE, 0xd000, 0, 0, S_CONS, 0, 0);   /* other thread: not */
    assert_int_equal(tb_close(t), 0);
}

static void test_temporaries(void **state) {
    (void)state;
    write_temporaries();
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.tot.temporaries, 2);
    assert_int_equal(m.sites[site(&m, S_BUF)].st.temporaries, 1);
    assert_int_equal(m.sites[site(&m, S_NODE)].st.temporaries, 1);
    assert_int_equal(m.types[m.sites[site(&m, S_NODE)].type].st.temporaries, 1);
    /* lifetimes: a 100, b 200, c 1000, d 100 */
    assert_int_equal(m.tot.lifetime_sum, 1400);
    assert_int_equal(m.sites[site(&m, S_BUF)].st.lifetime_sum, 400);
    rp_model_free(&m);
    load(&m, 500);  /* threshold: only the 100 ns one */
    assert_int_equal(m.tot.temporaries, 1);
    rp_model_free(&m);
}

/* ---- realloc chains --------------------------------------------------------- */
static void test_realloc_chains(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    uint64_t tm = 100, a = 0x10000, sz = 16;
    tb_ev(t, 1, tm++, MS_EV_ALLOC, a, 0, sz, S_BUF, 0, 0);
    for (int i = 0; i < 10; i++) {  /* +16 each time: quadratic */
        uint64_t na = a + 0x1000;
        tb_ev(t, 1, tm++, MS_EV_REALLOC, na, a, sz + 16, S_GROW, 0, 0);
        a = na;
        sz += 16;
    }
    tb_ev(t, 1, tm++, MS_EV_FREE, a, 0, 0, S_FREE, 0, 0);
    uint64_t b = 0x90000, bs = 16;
    tb_ev(t, 1, tm++, MS_EV_ALLOC, b, 0, bs, S_NODE, 0, 0);
    for (int i = 0; i < 8; i++) {   /* doubling: not quadratic */
        tb_ev(t, 1, tm++, MS_EV_REALLOC, b, b, bs * 2, S_GROW, 0, 0);
        bs *= 2;
    }
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.rc.chains, 2);
    assert_int_equal(m.rc.quadratic_chains, 1);
    assert_int_equal(m.rc.ntop, 2);
    const rp_chain *q = m.rc.top[0].quadratic ? &m.rc.top[0] : &m.rc.top[1];
    const rp_chain *d = m.rc.top[0].quadratic ? &m.rc.top[1] : &m.rc.top[0];
    assert_int_equal(q->steps, 10);
    assert_int_equal(q->first_size, 16);
    assert_int_equal(q->last_size, 176);
    assert_int_equal(q->copied, 880);  /* 16 + 32 + ... + 160 */
    assert_int_equal(q->sizes[3], 64);
    assert_string_equal(rp_site_var(&m, q->site), "buf");
    assert_int_equal(d->steps, 8);
    assert_false(d->quadratic);
    assert_true(rp_chain_factor(d) > 1.99 && rp_chain_factor(d) < 2.01);
    assert_int_equal(m.tot.reallocs, 18);
    assert_int_equal(m.tot.live, 16u << 8);  /* the doubled block is still live */
    rp_model_free(&m);
}

/* ---- threads ---------------------------------------------------------------- */
static void test_cross_thread_frees(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    for (int i = 0; i < 3; i++)
        tb_ev(t, 1, 100 + i, MS_EV_ALLOC, 0xa000 + 0x100 * i, 0, 32, S_PROD, 0, 0);
    for (int i = 0; i < 3; i++)
        tb_ev(t, 2, 200 + i, MS_EV_FREE, 0xa000 + 0x100 * i, 0, 0, S_CONS, 0, 0);
    tb_ev(t, 2, 300, MS_EV_ALLOC, 0xf000, 0, 8, S_BUF, 0, 0);
    tb_ev(t, 2, 301, MS_EV_FREE, 0xf000, 0, 0, S_FREE, 0, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.nxf, 1);
    assert_int_equal(m.xf[0].count, 3);
    assert_int_equal(m.xf[0].bytes, 96);
    assert_int_equal(m.threads[m.xf[0].alloc_thread].tid, 1);
    assert_int_equal(m.threads[m.xf[0].free_thread].tid, 2);
    assert_string_equal(rp_site_var(&m, m.xf[0].alloc_site), "item");
    assert_int_equal(m.xf[0].free_site, site(&m, S_CONS));
    uint32_t t1 = rp_thread_index(&m, 1), t2 = rp_thread_index(&m, 2);
    assert_int_equal(m.threads[t1].st.allocs, 3);
    assert_int_equal(m.threads[t1].st.max_live, 96);
    assert_int_equal(m.threads[t1].cross_frees_out, 3);
    assert_int_equal(m.threads[t2].cross_frees_in, 3);
    assert_string_equal(m.threads[t2].name, "consumer");
    rp_model_free(&m);
}

/* ---- errors ----------------------------------------------------------------- */
static const rp_err *find_err(const rp_model *m, uint32_t kind) {
    for (size_t i = 0; i < m->err.nkept; i++)
        if (m->err.kept[i].kind == kind)
            return &m->err.kept[i];
    return NULL;
}

static void test_free_errors(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 1, 0);
    tb_ev(t, 1, 110, MS_EV_FREE, 0xa000, 0, 0, S_FREE2, 0, 0);
    tb_ev(t, 1, 120, MS_EV_FREE, 0xa000, 0, 0, S_DOUBLE, 1, 0);           /* double */
    tb_ev(t, 1, 130, MS_EV_FREE, 0x9999, 0, 0, S_FREE2, 0, 0);            /* invalid */
    tb_ev(t, 1, 140, MS_EV_ALLOC, 0x5000, 0, 100, S_BUF, 0, 0);
    tb_ev(t, 1, 150, MS_EV_FREE, 0x5010, 0, 0, S_FREE2, 0, 0);            /* interior */
    tb_ev(t, 1, 160, MS_EV_REALLOC, 0x6000, 0xa000, 32, S_GROW, 0, 0);    /* of freed */
    tb_ev(t, 1, 170, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 0, 0);           /* reused */
    tb_ev(t, 1, 180, MS_EV_FREE, 0xa000, 0, 0, S_FREE2, 0, 0);            /* fine */
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.err.count[RP_ERR_DOUBLE_FREE], 1);
    assert_int_equal(m.err.count[RP_ERR_INVALID_FREE], 1);
    assert_int_equal(m.err.count[RP_ERR_INTERIOR_FREE], 1);
    assert_int_equal(m.err.count[RP_ERR_REALLOC_FREED], 1);
    const rp_err *d = find_err(&m, RP_ERR_DOUBLE_FREE);
    assert_non_null(d);
    assert_int_equal(d->site, site(&m, S_DOUBLE));
    assert_int_equal(d->other_site, site(&m, S_FREE2));  /* the first free */
    assert_int_equal(d->alloc_site, site(&m, S_NODE));
    assert_int_equal(d->other_time, 110);
    const rp_err *in = find_err(&m, RP_ERR_INTERIOR_FREE);
    assert_int_equal(in->block_addr, 0x5000);
    assert_int_equal(in->addr - in->block_addr, 0x10);
    assert_int_equal(in->other_site, site(&m, S_BUF));
    rp_model_free(&m);
}

static void test_dangling_stack_pointer(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_module(t, 0x400000, 0x10000, "/bin/synthetic");
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0x7000, 0, 64, S_NODE, 0, 0);
    tb_ev(t, 1, 110, MS_EV_ESCAPE, 0x7fff0000, 0x7008, 0, S_ESC, 0, 0);
    tb_ev(t, 1, 120, MS_EV_LOCAL_DEAD, 0x7fff0000, 0, 8, S_DEAD, 0, 0);   /* dangling (heap) */
    tb_ev(t, 1, 130, MS_EV_ALLOC, 0x8000, 0, 64, S_NODE, 0, 0);
    tb_ev(t, 1, 140, MS_EV_ESCAPE, 0x7fff0100, 0x8010, 0, S_ESC, 0, 0);
    tb_ev(t, 1, 150, MS_EV_FREE, 0x8000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 160, MS_EV_LOCAL_DEAD, 0x7fff0100, 0, 8, S_DEAD, 0, 0);   /* slot freed: fine */
    tb_ev(t, 1, 170, MS_EV_ESCAPE, 0x7fff0200, 0x401000, 0, S_ESCG, 0, 0);
    tb_ev(t, 1, 180, MS_EV_LOCAL_DEAD, 0x7fff0200, 0, 8, S_DEAD, 0, 0);   /* dangling (global) */
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.err.count[RP_ERR_DANGLING_STACK], 2);
    const rp_err *e = find_err(&m, RP_ERR_DANGLING_STACK);
    assert_int_equal(e->block_addr, 0x7000);
    assert_int_equal(e->slot, 0x7008);
    assert_false(e->slot_global);
    assert_int_equal(e->other_site, site(&m, S_ESC));
    assert_string_equal(rp_site_var(&m, e->site), "local");
    assert_true(m.err.kept[1].slot_global);
    rp_model_free(&m);
}

/* ---- destructors ------------------------------------------------------------ */
static void test_destructors(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 0, 0);
    tb_ev(t, 1, 101, MS_EV_ALLOC, 0xb000, 0, 16, S_NODE, 0, 0);
    tb_ev(t, 1, 200, MS_EV_DTOR_BEGIN, 0xb000, 0, 0, S_DLIST, 0, 0);
    tb_ev(t, 1, 210, MS_EV_DTOR_BEGIN, 0xa000, 0, 0, S_DNODE, 0, 0);
    tb_ev(t, 1, 220, MS_EV_FREE, 0xa000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 230, MS_EV_DTOR_END, 0xa000, 20, 0, S_DNODE, 0, 0);
    tb_ev(t, 1, 240, MS_EV_FREE, 0xb000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 250, MS_EV_DTOR_END, 0xb000, 50, 0, S_DLIST, 0, 0);
    tb_ev(t, 1, 260, MS_EV_DTOR_END, 0xc000, 5, 0, S_DLIST, 0, 0);  /* no begin */
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.dt.n, 2);
    assert_int_equal(m.dt.max_depth, 2);
    assert_int_equal(m.dt.unmatched_ends, 1);
    for (size_t i = 0; i < m.dt.n; i++) {
        const rp_dtorstat *s = &m.dt.v[i];
        assert_int_equal(s->calls, 1);
        if (s->site == site(&m, S_DLIST)) {
            assert_int_equal(s->frees, 2);
            assert_int_equal(s->freed_bytes, 32);
            assert_int_equal(s->total_ns, 50);
            assert_int_equal(s->max_depth, 1);
        } else {
            assert_int_equal(s->site, site(&m, S_DNODE));
            assert_int_equal(s->frees, 1);
            assert_int_equal(s->max_ns, 20);
            assert_int_equal(s->max_depth, 2);
        }
    }
    rp_model_free(&m);
}

/* ---- peak and at-peak contributions ----------------------------------------- */
static void test_peak(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 100, S_NODE, 0, 0);
    tb_ev(t, 1, 110, MS_EV_ALLOC, 0xb000, 0, 200, S_BUF, 0, 0);   /* peak 300 */
    tb_ev(t, 1, 120, MS_EV_FREE, 0xa000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 130, MS_EV_ALLOC, 0xc000, 0, 50, S_PROD, 0, 0);   /* 250 */
    tb_ev(t, 1, 140, MS_EV_ALLOC, 0xd000, 0, 40, S_PROD, 0, 0);   /* 290 */
    tb_ev(t, 1, 150, MS_EV_FREE, 0xb000, 0, 0, S_FREE, 0, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.tot.peak, 300);
    assert_int_equal(m.tot.peak_time, 110);
    assert_int_equal(m.sites[site(&m, S_NODE)].st.at_peak, 100);
    assert_int_equal(m.sites[site(&m, S_BUF)].st.at_peak, 200);
    assert_int_equal(m.sites[site(&m, S_PROD)].st.at_peak, 0);
    assert_int_equal(m.sites[site(&m, S_PROD)].st.max_live, 90);
    size_t n = 0;
    uint32_t *top = rp_top_sites(&m, RP_BY_PEAK, &n);
    assert_int_equal(n, 2);
    assert_int_equal(top[0], site(&m, S_BUF));
    free(top);
    rp_model_free(&m);
}

/* ---- custom allocators -------------------------------------------------------- */
static void test_custom_reattribution(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 32, S_XMALLOC, 0, 0);
    tb_ev(t, 1, 101, MS_EV_CUSTOM_ALLOC, 0xa000, 0, 32, S_CFG, 0, 0);
    tb_ev(t, 1, 200, MS_EV_CUSTOM_FREE, 0xa000, 0, 0, S_XFREE, 0, 0);
    tb_ev(t, 1, 201, MS_EV_FREE, 0xa000, 0, 0, S_FREE, 0, 0);  /* inside xfree: absorbed */
    tb_ev(t, 1, 300, MS_EV_CUSTOM_ALLOC, 0xe000, 0, 8, S_CFG, 0, 0);  /* pool block */
    /* a free wrapper without an allocation wrapper: xfree(p) { free(p); } */
    tb_ev(t, 1, 400, MS_EV_ALLOC, 0xf000, 0, 4, S_BUF, 0, 0);
    tb_ev(t, 1, 410, MS_EV_CUSTOM_FREE, 0xf000, 0, 0, S_XFREE, 0, 0);
    tb_ev(t, 1, 411, MS_EV_FREE, 0xf000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 420, MS_EV_FREE, 0xf000, 0, 0, S_FREE, 0, 0);  /* this one is double */
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.sites[site(&m, S_XMALLOC)].st.allocs, 0);
    assert_int_equal(m.sites[site(&m, S_CFG)].st.allocs, 2);
    assert_int_equal(m.sites[site(&m, S_CFG)].st.bytes, 40);
    assert_int_equal(m.err.count[RP_ERR_DOUBLE_FREE], 1);
    assert_int_equal(m.err.kept[0].time, 420);
    assert_int_equal(m.err.absorbed_frees, 2);
    assert_int_equal(m.tot.live, 8);
    assert_int_equal(m.lk.live_end_blocks, 1);
    assert_string_equal(rp_site_type(&m, m.lk.g[0].site), "struct cfg");
    rp_model_free(&m);
}

/* A pool's first slot starts at its arena's address: a smaller CUSTOM_ALLOC
 * there is a block of its own, and its CUSTOM_FREE leaves the arena alone. */
static void test_custom_pool_slot_at_arena_start(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 1536, S_XMALLOC, 0, 0);  /* the arena */
    tb_ev(t, 1, 110, MS_EV_CUSTOM_ALLOC, 0xa000, 0, 24, S_CFG, 0, 0);  /* slot 0 */
    tb_ev(t, 1, 120, MS_EV_CUSTOM_ALLOC, 0xa018, 0, 24, S_CFG, 0, 0);  /* slot 1 */
    tb_ev(t, 1, 130, MS_EV_SCOPE_EXIT, 0xa000, 0, 0, S_SCOPE, 0, 0);   /* holds slot 0 */
    tb_ev(t, 1, 140, MS_EV_CUSTOM_FREE, 0xa000, 0, 0, S_XFREE, 0, 0);
    tb_ev(t, 1, 150, MS_EV_CUSTOM_FREE, 0xa018, 0, 0, S_XFREE, 0, 0);
    tb_leak(t, 0xa000, 1536, MS_LEAK_REACHABLE);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.sites[site(&m, S_XMALLOC)].st.allocs, 1);
    assert_int_equal(m.sites[site(&m, S_XMALLOC)].st.live_blocks, 1);
    assert_int_equal(m.tot.custom_allocs, 2);
    assert_int_equal(m.tot.custom_frees, 2);
    assert_int_equal(m.sites[site(&m, S_CFG)].st.frees, 2);
    assert_int_equal(m.lk.blocks[MS_LEAK_REACHABLE], 1);
    assert_int_equal(m.lk.unmatched, 0);
    assert_int_equal(m.lk.g[0].site, site(&m, S_XMALLOC));
    assert_int_equal(m.lk.g[0].no_owner, 1);  /* the scope exit held slot 0, not the arena */
    uint64_t errs = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        errs += m.err.count[k];
    assert_int_equal(errs, 0);
    rp_model_free(&m);
}

/* ---- merge by time over threads and chunks -------------------------------- */
static void test_merge_order(void **state) {
    (void)state;
    tb *t = tb_open(path, MS_HDR_F_WHOLE_HEAP, 3);  /* tiny chunks */
    declare_sites(t);
    /* thread 1 frees at t=200 what thread 2 reallocates at 201: only a
     * time-ordered merge sees no error */
    for (int i = 0; i < 10; i++)
        tb_ev(t, 1, 100 + i, MS_EV_ALLOC, 0x1000 * (i + 1), 0, 8, S_NODE, 0, 0);
    for (int i = 0; i < 10; i++)
        tb_ev(t, 2, 300 + i, MS_EV_FREE, 0x1000 * (i + 1), 0, 0, S_CONS, 0, 0);
    for (int i = 0; i < 10; i++)
        tb_ev(t, 1, 400 + i, MS_EV_ALLOC, 0x1000 * (i + 1), 0, 8, S_NODE, 0, 0);
    /* same time stamp on two threads: the free must come first, even when
     * the allocating thread's chunk is decoded only when the merge gets there */
    tb_ev(t, 1, 500, MS_EV_ALLOC, 0x99000, 0, 8, S_NODE, 0, 0);
    tb_ev(t, 1, 600, MS_EV_FREE, 0x99000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 3, 600, MS_EV_ALLOC, 0x99000, 0, 16, S_BUF, 0, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    uint64_t errs = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        errs += m.err.count[k];
    assert_int_equal(errs, 0);
    assert_int_equal(m.tot.alloc_over_live, 0);
    assert_int_equal(m.tot.allocs, 22);
    assert_int_equal(m.tot.live, 10 * 8 + 16);
    assert_int_equal(m.tot.peak, 96);  /* the last 10 blocks and the 16-byte one */
    assert_int_equal(m.nxf, 1);
    rp_model_free(&m);
}

/* ---- a thread's chunks out of time order in the file (the runtime's timer
 * flush can write the current partial buffer before older queued ones) ---- */
static void test_out_of_order_chunks(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 300, MS_EV_FREE, 0xa000, 0, 0, S_FREE, 0, 0);   /* written first */
    tb_ev(t, 1, 310, MS_EV_ALLOC, 0xb000, 0, 8, S_NODE, 0, 0);
    tb_flush_events(t);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 0, 0); /* but earlier */
    tb_ev(t, 1, 200, MS_EV_SCOPE_EXIT, 0xa000, 0, 0, S_SCOPE, 0, 0);
    tb_flush_events(t);
    tb_leak(t, 0xb000, 8, MS_LEAK_DEFINITE);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    uint64_t errs = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        errs += m.err.count[k];
    assert_int_equal(errs, 0);
    assert_int_equal(m.tot.alloc_over_live, 0);
    assert_int_equal(m.tot.allocs, 2);
    assert_int_equal(m.tot.frees, 1);
    assert_int_equal(m.tot.live, 8);
    assert_int_equal(m.lk.blocks[MS_LEAK_DEFINITE], 1);
    assert_int_equal(m.lk.unmatched, 0);
    rp_model_free(&m);
}

/* ---- an allocation at an address still live: the missed free is implied -- */
static void test_alloc_over_live(void **state) {
    (void)state;
    tb *t = start(MS_HDR_F_WHOLE_HEAP);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 16, S_NODE, 1, 0);
    tb_ev(t, 1, 110, MS_EV_ALLOC, 0xa000, 0, 40, S_BUF, 0, 0);     /* free missed */
    tb_ev(t, 1, 120, MS_EV_ALLOC, 0xb000, 0, 8, S_NODE, 1, 0);
    tb_ev(t, 1, 130, MS_EV_REALLOC, 0xb000, 0xa000, 64, S_GROW, 0, 0); /* onto 0xb000 */
    tb_ev(t, 1, 140, MS_EV_FREE, 0xb000, 0, 0, S_FREE, 0, 0);
    tb_ev(t, 1, 150, MS_EV_ALLOC, 0xc000, 0, 24, S_NODE, 1, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.tot.alloc_over_live, 2);
    assert_int_equal(m.tot.allocs, 4);
    assert_int_equal(m.tot.frees, 3);      /* two implied, one real */
    assert_int_equal(m.tot.live, 24);
    assert_int_equal(m.tot.live_blocks, 1);
    assert_int_equal(m.tot.peak, 64);   /* the realloc: 0xb000 (8) implied freed, 40 -> 64 */
    uint64_t errs = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        errs += m.err.count[k];
    assert_int_equal(errs, 0);
    const rp_site *node = &m.sites[site(&m, S_NODE)], *buf = &m.sites[site(&m, S_BUF)];
    assert_int_equal(node->st.allocs, 3);
    assert_int_equal(node->st.frees, 2);   /* the first 0xa000 and 0xb000 */
    assert_int_equal(node->st.live, 24);
    assert_int_equal(buf->st.allocs, 1);
    assert_int_equal(buf->st.frees, 1);    /* resized to 64, then freed */
    assert_int_equal(buf->st.live, 0);
    assert_int_equal(m.sites[site(&m, S_GROW)].st.reallocs, 1);
    /* records are recycled: no more than two were ever live at once */
    assert_true(m.nblocks <= 2);
    rp_model_free(&m);
}

/* ---- stack ids: a flat table for the runtime's dense ids, a map for others -- */
static void test_stack_ids_dense_and_sparse(void **state) {
    (void)state;
    tb *t = tb_open(path, MS_HDR_F_WHOLE_HEAP, 0);
    declare_sites(t);
    static const uint32_t ids[] = {1, 2, 65535, 65536, 0x7fffffffu, 0xffffffffu};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint64_t fr[2] = {0x401000 + i, 0x402000 + i};
        tb_stack(t, ids[i], 2, fr);
    }
    /* declared stacks get i + 1 allocations of 8 bytes; two undeclared ids
     * (one in the flat table's range, one beyond it) get one each */
    uint64_t a = 0x10000, now = 100;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        for (size_t k = 0; k <= i; k++, a += 0x100)
            tb_ev(t, 1, now++, MS_EV_ALLOC, a, 0, 8, S_NODE, ids[i], 0);
    tb_ev(t, 1, now++, MS_EV_ALLOC, a += 0x100, 0, 32, S_NODE, 3, 0);
    tb_ev(t, 1, now++, MS_EV_ALLOC, a += 0x100, 0, 64, S_NODE, 70000, 0);
    tb_ev(t, 1, now++, MS_EV_FREE, 0x10000, 0, 0, S_FREE, 0xffffffffu, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    assert_int_equal(m.nstacks, 1 + 6 + 2);  /* [0] none, 6 declared, 2 made for ids with no stacks record */
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint32_t si = rp_stack_index(&m, ids[i]);
        assert_true(si > 0 && si < m.nstacks);
        assert_non_null(m.stacks[si].s);
        assert_int_equal(m.stacks[si].s->id, ids[i]);
        assert_int_equal(m.stacks[si].s->frames[0], 0x401000 + i);
        assert_int_equal(m.stacks[si].st.allocs, i + 1);
        assert_int_equal(m.stacks[si].st.bytes, 8 * (i + 1));
    }
    /* the first block (stack 1) was freed */
    assert_int_equal(m.stacks[rp_stack_index(&m, 1)].st.frees, 1);
    assert_int_equal(m.stacks[rp_stack_index(&m, 1)].st.live, 0);
    uint32_t p3 = rp_stack_index(&m, 3), p7 = rp_stack_index(&m, 70000);
    assert_true(p3 != p7);
    assert_null(m.stacks[p3].s);
    assert_null(m.stacks[p7].s);
    assert_int_equal(m.stacks[p3].id, 3);
    assert_int_equal(m.stacks[p7].id, 70000);
    assert_int_equal(m.stacks[p3].st.bytes, 32);
    assert_int_equal(m.stacks[p7].st.bytes, 64);
    assert_int_equal(m.nstacks, 1 + 6 + 2);  /* lookups found, created nothing */
    rp_model_free(&m);
}

/* ---- many small chunks of two threads, merged in time order --------------- */
static void test_many_chunks_in_order(void **state) {
    (void)state;
    /* 7 events per chunk and two interleaved threads: hundreds of chunks and
     * runs of one event. Thread 2 frees, one time unit later, each block
     * thread 1 allocates: right only in time order. */
    tb *t = tb_open(path, MS_HDR_F_WHOLE_HEAP, 7);
    declare_sites(t);
    const int n = 3000;
    for (int i = 0; i < n; i++) {
        uint64_t a = 0x100000 + 0x40 * (uint64_t)(i % 50);
        tb_ev(t, 1, 10 * (uint64_t)i, MS_EV_ALLOC, a, 0, 1 + (uint64_t)i % 7, S_PROD, 0, 0);
        tb_ev(t, 2, 10 * (uint64_t)i + 1, MS_EV_FREE, a, 0, 0, S_CONS, 0, 0);
    }
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    uint64_t errs = 0;
    for (int k = 0; k < RP_ERR_KIND_MAX_; k++)
        errs += m.err.count[k];
    assert_int_equal(errs, 0);
    assert_int_equal(m.tot.events, 2 * n);
    assert_int_equal(m.tot.allocs, n);
    assert_int_equal(m.tot.frees, n);
    assert_int_equal(m.tot.alloc_over_live, 0);
    assert_int_equal(m.tot.live, 0);
    assert_int_equal(m.tot.peak, 7);    /* one block live at a time, the largest */
    assert_int_equal(m.tot.peak_blocks, 1);
    assert_int_equal(m.damaged_chunks, 0);
    assert_int_equal(m.nxf, 1);         /* every block crosses threads */
    assert_int_equal(m.xf[0].count, n);
    rp_model_free(&m);
}

/* ---- symbolization: each address resolved once, stacks assembled anew ---- */
static int symbol_anchor_a(int x) { return x * 3 + 1; }
static int symbol_anchor_b(int x) { return x * 5 + 2; }

static void test_symbolize_shared_addresses(void **state) {
    (void)state;
    char exe[512];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(len > 0);
    exe[len] = 0;
    /* the module's base is its load bias: the image's start for a PIE (the
     * default build), whose first segment is at file address 0 */
    tb *t = tb_open(path, MS_HDR_F_WHOLE_HEAP, 0);
    declare_sites(t);
    uint64_t fa = (uint64_t)(uintptr_t)&symbol_anchor_a;
    uint64_t fb = (uint64_t)(uintptr_t)&symbol_anchor_b;
    assert_int_equal(symbol_anchor_a(1) + symbol_anchor_b(1), 11);
    extern char __executable_start;
    uint64_t base = (uint64_t)(uintptr_t)&__executable_start;
    tb_module(t, base, 64u << 20, exe);
    /* frames are return addresses (looked up at addr - 1): inside the
     * functions. Recursion-like stacks share addresses. */
    uint64_t s1[4] = {fa + 2, fb + 2, fa + 2, fb + 2};
    uint64_t s2[3] = {fb + 2, fa + 2, 0x10};   /* 0x10: in no module */
    tb_stack(t, 1, 4, s1);
    tb_stack(t, 2, 3, s2);
    tb_ev(t, 1, 100, MS_EV_ALLOC, 0xa000, 0, 8, S_NODE, 1, 0);
    tb_ev(t, 1, 110, MS_EV_ALLOC, 0xb000, 0, 8, S_NODE, 2, 0);
    assert_int_equal(tb_close(t), 0);
    rp_model m;
    load(&m, 0);
    rp_symbolizer *sym = rp_sym_open(&m, 1);
    assert_non_null(sym);
    for (int round = 0; round < 2; round++) {  /* the second from the caches */
        size_t n = 0;
        const rp_frame *f = rp_sym_stack(sym, &m, rp_stack_index(&m, 1), &n);
        assert_int_equal(n, 4);
        for (size_t i = 0; i < 4; i++) {
            assert_int_equal(f[i].addr, s1[i]);
            assert_int_equal(f[i].inlined, 0);
        }
        const char *na = f[0].function, *nb = f[1].function;
        assert_non_null(na);
        assert_non_null(nb);
        assert_string_equal(na, "symbol_anchor_a");
        assert_string_equal(nb, "symbol_anchor_b");
        assert_string_equal(f[2].function, na);
        assert_string_equal(f[3].function, nb);
        f = rp_sym_stack(sym, &m, rp_stack_index(&m, 2), &n);
        assert_int_equal(n, 3);
        assert_int_equal(f[0].addr, s2[0]);
        assert_int_equal(f[1].addr, s2[1]);
        assert_int_equal(f[2].addr, 0x10);
        assert_null(f[2].function);
        assert_string_equal(f[0].function, "symbol_anchor_b");
        assert_string_equal(f[1].function, "symbol_anchor_a");
    }
    rp_sym_close(sym);
    /* without symbols: addresses only, same shape */
    sym = rp_sym_open(&m, 0);
    size_t n = 0;
    const rp_frame *f = rp_sym_stack(sym, &m, rp_stack_index(&m, 1), &n);
    assert_int_equal(n, 4);
    assert_int_equal(f[3].addr, s1[3]);
    assert_null(f[3].function);
    rp_sym_close(sym);
    rp_model_free(&m);
}

/* ---- truncated traces ----------------------------------------------------------- */
static void write_many(int abandon) {
    tb *t = tb_open(path, MS_HDR_F_WHOLE_HEAP, 100);
    declare_sites(t);
    for (int i = 0; i < 1000; i++)
        tb_ev(t, 1, 100 + i, MS_EV_ALLOC, 0x100000 + 64 * (uint64_t)i, 0, 16, S_NODE, 0, 0);
    if (abandon)
        assert_int_equal(tb_abandon(t), 0);
    else
        assert_int_equal(tb_close(t), 0);
}

static void test_truncated_no_index(void **state) {
    (void)state;
    write_many(1);
    rp_model m;
    load(&m, 0);
    assert_false(m.recovery.complete);
    assert_int_equal(m.tot.allocs, 1000);  /* every chunk was good */
    char buf[768];
    assert_non_null(rp_recovery_notice(&m, buf, sizeof buf));
    assert_non_null(strstr(buf, "truncated"));
    rp_model_free(&m);
}

static void test_truncated_cut(void **state) {
    (void)state;
    write_many(0);
    assert_int_equal(tb_cut(path, 0, 700), 0);  /* into the last event chunks */
    rp_model m;
    load(&m, 0);
    assert_false(m.recovery.complete);
    assert_true(m.tot.allocs > 0);
    assert_true(m.tot.allocs < 1000);
    assert_int_equal(m.tot.allocs % 100, 0);  /* whole chunks only */
    assert_false(m.lk.scan);
    assert_int_equal(m.lk.live_end_blocks, m.tot.allocs);
    rp_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_leaks_and_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_at_end_without_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_thread_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dangling_stack_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destructors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_reattribution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_pool_slot_at_arena_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_no_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_over_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stack_ids_dense_and_sparse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_chunks_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symbolize_shared_addresses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
