/* rt_user.c - the public annotation API of memscope.h. */
#include "memscope.h"

#include "rt_buffer.h"
#include "rt_core.h"
#include "rt_tables.h"
#include "rt_thread.h"

#define RA __builtin_return_address(0)

RT_EXPORT void memscope_alloc(const void *p, size_t size) {
    rt_record(MS_EV_CUSTOM_ALLOC, p ? 0 : MS_EVF_FAILED, (uintptr_t)p, 0, size, NULL, RA);
}

RT_EXPORT void memscope_free(const void *p) {
    if (p)
        rt_record(MS_EV_CUSTOM_FREE, 0, (uintptr_t)p, 0, 0, NULL, RA);
}

RT_EXPORT void memscope_realloc(const void *old_p, const void *new_p, size_t size) {
    if (old_p)
        rt_record(MS_EV_CUSTOM_FREE, 0, (uintptr_t)old_p, 0, 0, NULL, RA);
    rt_record(MS_EV_CUSTOM_ALLOC, new_p ? 0 : MS_EVF_FAILED, (uintptr_t)new_p, 0, size, NULL, RA);
}

static uint64_t intern(const char *s) {
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    uint64_t id = rt_strings_intern(s);
    rt_guard_leave(t);
    return id;
}

RT_EXPORT void memscope_name(const void *p, const char *name) {
    uint64_t id = intern(name);
    rt_record(MS_EV_NAME, 0, (uintptr_t)p, id, 0, NULL, RA);
}

RT_EXPORT void memscope_phase(const char *name) {
    uint64_t id = intern(name);
    rt_record(MS_EV_PHASE, 0, 0, id, 0, NULL, RA);
}

RT_EXPORT void memscope_flush(void) {
    if (__atomic_load_n(&rt_proc.state, __ATOMIC_ACQUIRE) != RT_PS_RUNNING)
        return;
    rt_tls *t = &rt_self;
    rt_guard_enter(t);
    rt_queue_request(RT_REQ_FLUSH, 1, 10000, 0);
    rt_guard_leave(t);
}
