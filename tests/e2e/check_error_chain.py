#!/usr/bin/env python3
"""check_error_chain.py - facts of examples/error_chain.c.

protected_call() links the address of its local `h` into the heap-allocated
state 100 times and unlinks it before returning: 100 escapes, no dangling
stack pointer (the runtime re-reads the slot when `h` dies), no error, no
leak. One struct state (16 B) is allocated with calloc and freed.
"""
import sys

from e2e_common import Report

r = Report(sys.argv, "error_chain")
r.expect_trace_complete()
r.expect_no_instrumented_leaks()

s = r.find_site("state calloc site", "calloc", "main", "s")
if s:
    r.expect_eq("state allocations", s["allocations"], 1)
    r.expect_eq("state frees", s["frees"], 1)
    r.expect_eq("state bytes", s["bytes"], 16)
t = r.json["totals"]
r.expect_eq("totals.escapes", t["escapes"], 100)
r.expect_eq("totals.local_deads (withdrawn escapes are not recorded)", t["local_deads"], 0)
counts = r.json["errors"]["counts"]
for k, v in counts.items():
    r.expect_eq("errors.counts." + k, v, 0)
r.expect("text names no dangling pointer", "dangling" not in r.text.lower()
         or "0 dangling" in r.text.lower(), "text mentions a dangling pointer")
r.finish()
