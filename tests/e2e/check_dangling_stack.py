#!/usr/bin/env python3
"""check_dangling_stack.py - facts of examples/dangling_stack.c.

main mallocs one struct entry (16 B) `e`; register_name() stores the
address of its local `char name[16]` into e->label (offset 8) and returns
while the entry is live: one escape, one dangling stack pointer. The entry
is freed at the end.
"""
import sys

from e2e_common import Report

r = Report(sys.argv, "dangling_stack")
r.expect_trace_complete()
r.expect_no_instrumented_leaks()

e = r.find_site("entry malloc site", "malloc", "main", "e")
if e:
    r.expect_site_record("entry site", e["site"], "dangling_stack.c",
                         r.line("struct entry *e = malloc"), "struct entry", "e")
    r.expect_eq("entry allocations", e["allocations"], 1)
    r.expect_eq("entry frees", e["frees"], 1)
    r.expect_eq("entry bytes", e["bytes"], 16)
allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, 1)
r.expect_eq("instrumented frees", frees, 1)
t = r.json["totals"]
r.expect_eq("totals.escapes", t["escapes"], 1)
r.expect_eq("totals.local_deads", t["local_deads"], 1)

err = r.json["errors"]
counts = err["counts"]
r.expect_eq("errors.counts.dangling_stack_pointer", counts["dangling_stack_pointer"], 1)
for k in ("double_free", "invalid_free", "interior_free", "realloc_of_freed", "invalid_realloc"):
    r.expect_eq("errors.counts." + k, counts[k], 0)
ds = [x for x in err["list"] if x["kind"] == "dangling_stack_pointer"]
if r.expect_eq("dangling_stack_pointer entries", len(ds), 1):
    d = ds[0]
    r.expect_eq("dangling local", d.get("local"), "name")
    r.expect_eq("local's scope end function", d["site"]["function"], "register_name")
    r.expect_eq("local's type", d["site"]["type"], "char[16]")
    r.expect_eq("slot is heap memory", d.get("slot_global"), False)
    other = d.get("other") or {}
    r.expect_eq("other side role", other.get("role"), "escape")
    es = other.get("site") or {}
    r.expect_eq("escape function", es.get("function"), "register_name")
    r.expect_eq("escape line", es.get("line"), r.line("e->label = name;"))
    r.expect("escape before local death", other.get("time_ns", 1 << 62) <= d["time_ns"],
             "escape %s death %s" % (other.get("time_ns"), d["time_ns"]))
    blk = d.get("block") or {}
    r.expect_eq("holding block size", blk.get("size"), 16)
    r.expect_eq("slot offset in the entry (e->label)", blk.get("offset"), 8)
    als = blk.get("alloc_site") or {}
    r.expect_eq("holding block allocation variable", als.get("variable"), "e")
    r.expect_eq("holding block type", als.get("type"), "struct entry")
    if blk.get("addr") and d.get("slot"):
        r.expect_eq("slot = block + offset", int(d["slot"], 16),
                    int(blk["addr"], 16) + (blk.get("offset") or 0))

r.expect_in_text("error kind", "dangling_stack_pointer: 1")
r.expect_in_text("the local and its scope end",
                 "dangling_stack.c:%d in register_name (char[16] `name`)"
                 % (r.line('printf("registered') + 1))
r.expect_in_text("the escape", "address stored at")
r.finish()
