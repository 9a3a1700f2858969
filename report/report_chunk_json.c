/*
 * report_chunk_json.c - decoded chunk items and the file header as JSON, for
 * `extract` and `export` (field names in docs/JSON.md, "Chunk items").
 * Addresses and ids that are addresses are "0x..." strings; everything else
 * is a number.
 */
#include "report_internal.h"

static const char *const ev_names[MS_EV_KIND_MAX_] = {
    "?", "alloc", "free", "realloc", "scope_exit", "escape", "local_dead",
    "dtor_begin", "dtor_end", "name", "phase", "custom_alloc", "custom_free",
};

const char *rp_event_kind_name(uint32_t k) {
    return k && k < MS_EV_KIND_MAX_ ? ev_names[k] : "unknown";
}

void rp_header_json(rp_json *j, const ms_header_info *h) {
    rp_json_obj(j);
    rp_json_ku64(j, "version", h->version);
    rp_json_ku64(j, "flags", h->flags);
    rp_json_kbool(j, "whole_heap", (h->flags & MS_HDR_F_WHOLE_HEAP) != 0);
    rp_json_kbool(j, "fork_child", (h->flags & MS_HDR_F_FORK_CHILD) != 0);
    rp_json_ku64(j, "pid", h->pid);
    rp_json_kstr(j, "codec", ms_codec_name(h->codec) ? ms_codec_name(h->codec) : "?");
    rp_json_ku64(j, "created_unix_ns", h->created_unix_ns);
    rp_json_kstr(j, "exe", h->exe ? h->exe : "");
    rp_json_obj_end(j);
}

static void event_json(rp_json *j, const ms_event *e) {
    rp_json_obj(j);
    rp_json_ku64(j, "time_ns", e->time_ns);
    rp_json_kstr(j, "kind", rp_event_kind_name(e->kind));
    rp_json_khex(j, "addr", e->addr);
    rp_json_key(j, "aux");
    if (e->kind == MS_EV_REALLOC || e->kind == MS_EV_ESCAPE)
        rp_json_hex(j, e->aux);
    else
        rp_json_u64(j, e->aux);
    rp_json_ku64(j, "size", e->size);
    rp_json_khex(j, "site", e->site);
    rp_json_ku64(j, "stack", e->stack);
    rp_json_ku64(j, "flags", e->flags);
    rp_json_obj_end(j);
}

static void site_json(rp_json *j, const ms_site *s) {
    rp_json_obj(j);
    rp_json_khex(j, "id", s->id);
    const char *k = ms_site_kind_name(s->kind);
    rp_json_kstr(j, "kind", k ? k : "unknown");
    rp_json_kstr(j, "file", s->file);
    rp_json_ku64(j, "line", s->line);
    rp_json_ku64(j, "column", s->column);
    rp_json_kstr(j, "function", s->function);
    rp_json_kstr(j, "type", s->type_name);
    rp_json_kstr(j, "variable", s->var_name);
    rp_json_kstr(j, "callee", s->callee);
    rp_json_ku64(j, "elem_size", s->elem_size);
    rp_json_ku64(j, "flags", s->flags);
    rp_json_obj_end(j);
}

void rp_chunk_items_json(rp_json *j, const ms_decoded *d) {
    rp_json_arr(j);
    for (size_t i = 0; i < d->count; i++) {
        switch (d->type) {
        case MS_CHUNK_EVENTS:
            event_json(j, &d->u.events[i]);
            break;
        case MS_CHUNK_SITES:
            site_json(j, &d->u.sites[i]);
            break;
        case MS_CHUNK_STACKS: {
            const ms_stack *s = &d->u.stacks[i];
            rp_json_obj(j);
            rp_json_ku64(j, "id", s->id);
            rp_json_key(j, "frames");
            rp_json_arr(j);
            for (uint32_t k = 0; k < s->depth; k++)
                rp_json_hex(j, s->frames[k]);
            rp_json_arr_end(j);
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_MODULES: {
            const ms_module *x = &d->u.modules[i];
            rp_json_obj(j);
            rp_json_ku64(j, "time_ns", x->time_ns);
            rp_json_khex(j, "base", x->base);
            rp_json_ku64(j, "size", x->size);
            rp_json_kstr(j, "path", x->path);
            rp_json_key(j, "build_id");
            rp_json_bin(j, x->build_id, x->build_id_len);
            rp_json_kbool(j, "loaded", x->loaded != 0);
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_THREADS: {
            const ms_thread *t = &d->u.threads[i];
            rp_json_obj(j);
            rp_json_ku64(j, "tid", t->tid);
            rp_json_ku64(j, "parent_tid", t->parent_tid);
            rp_json_ku64(j, "start_ns", t->start_ns);
            rp_json_ku64(j, "end_ns", t->end_ns);
            rp_json_kstr(j, "name", t->name);
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_COUNTERS: {
            const ms_counter *c = &d->u.counters[i];
            rp_json_obj(j);
            rp_json_ku64(j, "time_ns", c->time_ns);
            rp_json_ku64(j, "rss", c->rss);
            rp_json_ku64(j, "heap_arena", c->heap_arena);
            rp_json_ku64(j, "heap_in_use", c->heap_in_use);
            rp_json_ku64(j, "heap_free", c->heap_free);
            rp_json_ku64(j, "live_bytes", c->live_bytes);
            rp_json_ku64(j, "live_blocks", c->live_blocks);
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_SUMMARY: {
            const ms_kv *kv = &d->u.kvs[i];
            rp_json_obj(j);
            rp_json_kstr(j, "key", kv->key);
            rp_json_key(j, "value");
            if (kv->s)
                rp_json_str(j, kv->s);
            else
                rp_json_u64(j, kv->u);
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_LEAKS: {
            const ms_leak *l = &d->u.leaks[i];
            rp_json_obj(j);
            rp_json_khex(j, "addr", l->addr);
            rp_json_ku64(j, "size", l->size);
            rp_json_kstr(j, "kind", rp_leak_kind_name(l->kind));
            rp_json_obj_end(j);
            break;
        }
        case MS_CHUNK_STRINGS: {
            const ms_string *s = &d->u.strings[i];
            rp_json_obj(j);
            rp_json_ku64(j, "id", s->id);
            rp_json_kstr(j, "str", s->str);
            rp_json_obj_end(j);
            break;
        }
        default:
            break;
        }
    }
    rp_json_arr_end(j);
}
