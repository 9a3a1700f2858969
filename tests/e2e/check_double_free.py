#!/usr/bin/env python3
"""check_double_free.py - facts of examples/double_free.c.

open_session() mallocs a struct session (16 B) and its 64-byte buffer
`s->buf`; close_session() frees the buffer, main frees it again through
`alias`, glibc aborts. The trace (flushed on SIGABRT) must show the double
free with both frees' sites and stacks and the block's allocation site.
"""
# e2e-exit: abort
import sys

from e2e_common import Report, frame_functions

r = Report(sys.argv, "double_free")
# docs/RUNTIME.md: glibc's abort on a double free leaves a complete trace.
r.expect_trace_complete()
r.expect_eq("run_summary.exit_reason", r.json["run_summary"].get("exit_reason"), "signal 6")

sess = r.find_site("session malloc site", "malloc", "open_session", "s")
buf = r.find_site("buffer malloc site", "malloc", "open_session", "s->buf")
if sess:
    r.expect_site_record("session site", sess["site"], "double_free.c",
                         r.line("struct session *s = malloc"), "struct session", "s")
    r.expect_eq("session allocations", sess["allocations"], 1)
    r.expect_eq("session bytes", sess["bytes"], 16)
    r.expect_eq("session frees (the abort comes before free(s))", sess["frees"], 0)
if buf:
    r.expect_site_record("buffer site", buf["site"], "double_free.c",
                         r.line("s->buf = malloc"), "char", "s->buf")
    r.expect_eq("buffer allocations", buf["allocations"], 1)
    r.expect_eq("buffer bytes", buf["bytes"], 64)
    r.expect_eq("buffer frees (the block was freed once)", buf["frees"], 1)
allocs, _, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, 2)

leaks = r.json["leaks"]
r.expect_eq("leaks.scan (no exit-time scan after abort)", leaks["scan"], False)
r.expect("leaks.reason says why", bool(leaks.get("reason")), "reason %r" % leaks.get("reason"))
live = [g for g in r.instrumented_leak_groups() if g["kind"] == "live_at_end"]
r.expect_eq("live at end: the session only",
            [(g["variable"], g["count"], g["bytes"]) for g in live], [("s", 1, 16)])

err = r.json["errors"]
r.expect_eq("errors.sound", err["sound"], True)
counts = err["counts"]
r.expect_eq("errors.counts.double_free", counts["double_free"], 1)
for k in ("invalid_free", "interior_free", "realloc_of_freed", "invalid_realloc",
          "dangling_stack_pointer"):
    r.expect_eq("errors.counts." + k, counts[k], 0)
dfs = [e for e in err["list"] if e["kind"] == "double_free"]
if r.expect_eq("double_free entries", len(dfs), 1):
    e = dfs[0]
    second, first, block = e["site"], e.get("other") or {}, e.get("block") or {}
    r.expect_eq("second free site kind", second["kind"], "free")
    r.expect_eq("second free function", second["function"], "main")
    r.expect_eq("second free line", second["line"], r.line("free(alias);"))
    r.expect_eq("second free variable", second["variable"], "alias")
    fns = frame_functions(e["stack"])
    r.expect("second free stack starts in main", fns[:1] == ["main"], "stack %s" % fns)
    r.expect_eq("other side role", first.get("role"), "first_free")
    fs = first.get("site") or {}
    r.expect_eq("first free function", fs.get("function"), "close_session")
    r.expect_eq("first free line", fs.get("line"), r.line("    free(s->buf);"))
    r.expect_eq("first free variable", fs.get("variable"), "s->buf")
    ffns = frame_functions(first.get("stack"))
    # At -O2 close_session is inlined into main: it is then an inlined frame.
    r.expect("first free stack: close_session called from main",
             ffns[:2] == ["close_session", "main"], "stack %s" % ffns)
    r.expect("first free before the second", first.get("time_ns", 1 << 62) <= e["time_ns"],
             "first %s second %s" % (first.get("time_ns"), e["time_ns"]))
    r.expect_eq("block size", block.get("size"), 64)
    r.expect_eq("block offset", block.get("offset"), 0)
    r.expect_eq("double-freed address is the block", block.get("addr"), e["addr"])
    als = block.get("alloc_site") or {}
    r.expect_eq("block allocation function", als.get("function"), "open_session")
    r.expect_eq("block allocation variable", als.get("variable"), "s->buf")
    r.expect_eq("block allocation line", als.get("line"), r.line("s->buf = malloc"))
    afns = frame_functions(block.get("alloc_stack"))
    r.expect("allocation stack: open_session called from main",
             afns[:2] == ["open_session", "main"], "stack %s" % afns)

r.expect_in_text("error section", "double_free: 1")
r.expect_in_text("second free", "double_free.c:%d in main (char `alias`)" % r.line("free(alias);"))
r.expect_in_text("first free", "double_free.c:%d in close_session (char `s->buf`)"
                 % r.line("    free(s->buf);"))
r.expect_in_text("killed: no scan", "no exit-time leak scan")
r.finish()
