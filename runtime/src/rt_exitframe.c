/* rt_exitframe.c - the program's stack at exit (see rt_exitframe.h). */
#define _GNU_SOURCE
#include "rt_exitframe.h"

#include <dlfcn.h>
#include <string.h>
#include <unwind.h>

struct search {
    int state;       /* 0 looking for exit, 1 next frame is the caller, 2 done */
    int frames;
    uintptr_t cfa;
    uint64_t *regs;
};

static _Unwind_Reason_Code frame_cb(struct _Unwind_Context *ctx, void *u) {
    struct search *s = u;
    if (++s->frames > 64)
        return _URC_END_OF_STACK;
    uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);
    if (s->state == 1) {
        /* the caller of exit(): its callee-saved registers as restored by
         * the unwinder (DWARF numbers of rbx, rbp, r12..r15) */
        static const int dw[RT_EXITFRAME_NREGS] = {3, 6, 12, 13, 14, 15};
        for (int i = 0; i < RT_EXITFRAME_NREGS; i++)
            s->regs[i] = (uint64_t)_Unwind_GetGR(ctx, dw[i]);
        s->state = 2;
        return _URC_END_OF_STACK;
    }
    Dl_info di;
    if (ip && dladdr((void *)(ip - 1), &di) && di.dli_sname && !strcmp(di.dli_sname, "exit")) {
        s->cfa = (uintptr_t)_Unwind_GetCFA(ctx);
        s->state = 1;
    }
    return _URC_NO_REASON;
}

int rt_exitframe_find(uintptr_t *cfa, uint64_t regs[RT_EXITFRAME_NREGS]) {
    struct search s = {0, 0, 0, regs};
    memset(regs, 0, RT_EXITFRAME_NREGS * sizeof regs[0]);
    _Unwind_Backtrace(frame_cb, &s);
    if (s.state == 0 || s.cfa == 0)
        return 0;
    *cfa = s.cfa;
    return 1;
}
