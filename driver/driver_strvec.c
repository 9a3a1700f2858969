/*
 * driver_strvec.c - the driver's growable vector of owned strings (argv
 * building) and its error names.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

const char *ms_drv_error_name(ms_drv_error e) {
    static const char *const names[MS_DRV_ERR_MAX_] = {
        [MS_DRV_OK] = "MS_DRV_OK",
        [MS_DRV_ERR_NOMEM] = "MS_DRV_ERR_NOMEM",
        [MS_DRV_ERR_USAGE] = "MS_DRV_ERR_USAGE",
        [MS_DRV_ERR_IO] = "MS_DRV_ERR_IO",
        [MS_DRV_ERR_RSP_DEPTH] = "MS_DRV_ERR_RSP_DEPTH",
        [MS_DRV_ERR_NOT_ELF] = "MS_DRV_ERR_NOT_ELF",
        [MS_DRV_ERR_CORRUPT] = "MS_DRV_ERR_CORRUPT",
    };
    if ((unsigned)e >= MS_DRV_ERR_MAX_)
        return "MS_DRV_ERR_UNKNOWN";
    return names[e];
}

/* Make room for one more string plus the terminating NULL. */
static ms_drv_error grow(ms_strvec *sv) {
    if (sv->n + 2 <= sv->cap)
        return MS_DRV_OK;
    size_t cap = sv->cap ? sv->cap * 2 : 16;
    char **v = realloc(sv->v, cap * sizeof *v);
    if (!v)
        return MS_DRV_ERR_NOMEM;
    sv->v = v;
    sv->cap = cap;
    return MS_DRV_OK;
}

ms_drv_error ms_strvec_pushn(ms_strvec *sv, const char *s, size_t len) {
    if (grow(sv) != MS_DRV_OK)
        return MS_DRV_ERR_NOMEM;
    char *copy = malloc(len + 1);
    if (!copy)
        return MS_DRV_ERR_NOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    sv->v[sv->n++] = copy;
    sv->v[sv->n] = NULL;
    return MS_DRV_OK;
}

ms_drv_error ms_strvec_push(ms_strvec *sv, const char *s) {
    return ms_strvec_pushn(sv, s, strlen(s));
}

ms_drv_error ms_strvec_push2(ms_strvec *sv, const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (grow(sv) != MS_DRV_OK)
        return MS_DRV_ERR_NOMEM;
    char *s = malloc(la + lb + 1);
    if (!s)
        return MS_DRV_ERR_NOMEM;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
    return MS_DRV_OK;
}

void ms_strvec_free(ms_strvec *sv) {
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}
