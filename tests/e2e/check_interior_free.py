#!/usr/bin/env python3
"""check_interior_free.py - facts of examples/interior_free.c.

parse_header() mallocs a 48-byte char `packet`; release() frees
packet + 8; glibc aborts. The trace (complete: flushed on SIGABRT) shows
one interior free at offset 8 of the packet block, both sides named.
"""
# e2e-exit: abort
import sys

from e2e_common import Report, frame_functions

PACKET, HEADER = 48, 8

r = Report(sys.argv, "interior_free")
r.expect_trace_complete()
r.expect_eq("run_summary.exit_reason", r.json["run_summary"].get("exit_reason"), "signal 6")

pkt = r.find_site("packet malloc site", "malloc", "parse_header", "packet")
if pkt:
    r.expect_site_record("packet site", pkt["site"], "interior_free.c",
                         r.line("char *packet = malloc"), "char", "packet")
    r.expect_eq("packet allocations", pkt["allocations"], 1)
    r.expect_eq("packet bytes", pkt["bytes"], PACKET)
    r.expect_eq("packet frees (the bad free frees nothing)", pkt["frees"], 0)
allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, 1)
r.expect_eq("instrumented frees", frees, 0)

err = r.json["errors"]
r.expect_eq("errors.sound", err["sound"], True)
counts = err["counts"]
r.expect_eq("errors.counts.interior_free", counts["interior_free"], 1)
for k in ("double_free", "invalid_free", "realloc_of_freed", "invalid_realloc",
          "dangling_stack_pointer"):
    r.expect_eq("errors.counts." + k, counts[k], 0)
es = [e for e in err["list"] if e["kind"] == "interior_free"]
if r.expect_eq("interior_free entries", len(es), 1):
    e = es[0]
    r.expect_eq("free site function", e["site"]["function"], "release")
    r.expect_eq("free site line", e["site"]["line"], r.line("free(buf);"))
    r.expect_eq("free site variable", e["site"]["variable"], "buf")
    fns = frame_functions(e["stack"])
    # At -O2 release() reaches free through a tail call, so its frame is
    # gone from the stack; main is there at both levels.
    r.expect("free stack reaches main", "main" in fns, "stack %s" % fns)
    if r.opt == "-O0":
        r.expect("free stack at -O0: release called from main", fns[:2] == ["release", "main"],
                 "stack %s" % fns)
    other = e.get("other") or {}
    r.expect_eq("other side role", other.get("role"), "allocation")
    r.expect_eq("other side function", (other.get("site") or {}).get("function"), "parse_header")
    blk = e.get("block") or {}
    r.expect_eq("containing block size", blk.get("size"), PACKET)
    r.expect_eq("offset of the freed pointer", blk.get("offset"), HEADER)
    if blk.get("addr"):
        r.expect_eq("freed address = block + offset", int(e["addr"], 16),
                    int(blk["addr"], 16) + HEADER)
    r.expect_eq("block allocation variable", (blk.get("alloc_site") or {}).get("variable"), "packet")
    afns = frame_functions(blk.get("alloc_stack"))
    r.expect("allocation stack: parse_header called from main",
             afns[:2] == ["parse_header", "main"], "stack %s" % afns)

r.expect_in_text("error count", "interior_free: 1")
r.expect_in_text("free site", "interior_free.c:%d in release (char `buf`)" % r.line("free(buf);"))
r.expect_in_text("allocation side", "block allocated at")
r.finish()
