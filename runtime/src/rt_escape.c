/*
 * rt_escape.c - per-thread memory of escaped local addresses (rt_escape.h).
 */
#define _GNU_SOURCE
#include "rt_escape.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

/* Entries are stored XOR-masked: the table is in the thread's TLS, which is a
 * leak-scan root (and memcheck scans it), and a slot is often a field of a
 * heap block; a plain copy of its address would make the block reachable.
 * The mask sets the top 16 bits, so a masked value is never a canonical user
 * address. 0 stays "empty" (no real address equals the mask). */
#define ESC_MASK ((uintptr_t)0xB7E1000000000000ull)

typedef struct {
    uintptr_t local; /* masked */
    uintptr_t slot;  /* masked, 0 = empty */
} rt_escape_ent;

/* A zeroed table is a valid empty one: no init check needed. */
static __thread __attribute__((tls_model("initial-exec"))) struct {
    rt_escape_ent ent[RT_ESCAPE_SLOTS];
    unsigned next;
} rt_esc;

void rt_escape_note(uintptr_t local, uintptr_t slot) {
    local ^= ESC_MASK;
    slot ^= ESC_MASK;
    /* The same (local, slot) pair stored again in a loop takes one entry. */
    for (unsigned i = 0; i < RT_ESCAPE_SLOTS; i++)
        if (rt_esc.ent[i].local == local && rt_esc.ent[i].slot == slot)
            return;
    rt_esc.ent[rt_esc.next % RT_ESCAPE_SLOTS] = (rt_escape_ent){local, slot};
    rt_esc.next++;
}

/* Reads the pointer at @slot without faulting. @return 1 and *out, 0 when
 * the memory is unmapped, -1 when the kernel refuses (seccomp, EPERM). */
static int safe_read_ptr(uintptr_t slot, uintptr_t *out) {
    struct iovec local = {out, sizeof *out};
    struct iovec remote = {(void *)slot, sizeof *out};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)sizeof *out)
        return 1;
    return (n < 0 && errno == EFAULT) ? 0 : -1;
}

int rt_escape_still_dangling(uintptr_t local, size_t size) {
    uintptr_t end = local + (size ? size : 1);
    int seen = 0, dangling = 0;
    for (unsigned i = 0; i < RT_ESCAPE_SLOTS; i++) {
        rt_escape_ent *e = &rt_esc.ent[i];
        uintptr_t l = e->local ^ ESC_MASK;
        if (!e->slot || l < local || l >= end)
            continue;
        seen = 1;
        uintptr_t v = 0;
        int r = safe_read_ptr(e->slot ^ ESC_MASK, &v);
        if (r < 0 || (r > 0 && v >= local && v < end))
            dangling = 1;
        e->local = e->slot = 0;
    }
    return seen ? dangling : 1;
}
