#!/usr/bin/env python3
"""check_growing_buffer.py - facts of examples/growing_buffer.c.

append_doubling(): malloc(16), then 8 reallocs 32, 64, ... 4096.
append_by_step(): malloc(16), then 255 reallocs of +16 up to 4096: flagged
quadratic. Both are `char *buf` and both are freed.
"""
import sys

from e2e_common import Report

TARGET, STEP = 4096, 16
DOUBLING = [16 << k for k in range(9)]                  # 16 .. 4096
STEPPED = list(range(STEP, TARGET + 1, STEP))           # 16 .. 4096
def copied(sizes):
    return sum(min(a, b) for a, b in zip(sizes, sizes[1:]))

r = Report(sys.argv, "growing_buffer")
r.expect_trace_complete()
r.expect_no_errors()
r.expect_no_instrumented_leaks()

# Each function has one `char *buf = malloc(cap)` and one realloc line, in
# this order in the file.
mallocs = [i + 1 for i, l in enumerate(r.source_lines) if "char *buf = malloc(cap);" in l]
reallocs = [i + 1 for i, l in enumerate(r.source_lines) if "buf = realloc(buf, cap);" in l]
if len(mallocs) != 2 or len(reallocs) != 2:
    raise SystemExit("checker error: expected 2 malloc and 2 realloc lines in %s" % r.source)
for fn, sizes, mline, rline in (("append_doubling", DOUBLING, mallocs[0], reallocs[0]),
                                ("append_by_step", STEPPED, mallocs[1], reallocs[1])):
    m = r.find_site(fn + " malloc site", "malloc", fn, "buf")
    if m:
        r.expect_site_record(fn + " malloc site", m["site"], "growing_buffer.c",
                             mline, "char", "buf")
        r.expect_eq(fn + " malloc allocations", m["allocations"], 1)
        r.expect_eq(fn + " malloc frees", m["frees"], 1)
        r.expect_eq(fn + " malloc bytes", m["bytes"], sizes[0])
    re = r.find_site(fn + " realloc site", "realloc", fn, "buf")
    if re:
        r.expect_site_record(fn + " realloc site", re["site"], "growing_buffer.c",
                             rline, "char", "buf")
        r.expect_eq(fn + " reallocations", re["reallocations"], len(sizes) - 1)
        r.expect_eq(fn + " realloc bytes (sum of new sizes)", re["bytes"], sum(sizes[1:]))

allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations (a realloc is not a new block)", allocs, 2)
r.expect_eq("instrumented frees", frees, 2)
r.expect("totals.reallocations >= 263", r.json["totals"]["reallocations"] >= 263,
         "totals.reallocations %d" % r.json["totals"]["reallocations"])

rc = r.json["realloc_chains"]
chains = [c for c in rc["top"] if c["site"]["kind"] != "uninstrumented"
          and c["site"]["function"] in ("append_doubling", "append_by_step")]
r.expect_eq("realloc chains of the two buffers", len(chains), 2)
r.expect_eq("realloc_chains.quadratic", rc["quadratic"], 1)
by_fn = {c["site"]["function"]: c for c in chains}
for fn, sizes, quad in (("append_doubling", DOUBLING, False), ("append_by_step", STEPPED, True)):
    c = by_fn.get(fn)
    if not r.expect("chain in %s" % fn, c is not None, "chains in %s" % sorted(by_fn)):
        continue
    what = "chain %s" % fn
    r.expect_eq(what + " variable", c["variable"], "buf")
    r.expect_eq(what + " type", c["type"], "char")
    r.expect_eq(what + " alloc_site function", c["alloc_site"]["function"], fn)
    r.expect_eq(what + " alloc_site kind", c["alloc_site"]["kind"], "malloc")
    r.expect_eq(what + " steps", c["steps"], len(sizes) - 1)
    r.expect_eq(what + " sizes (first 32)", c["sizes"], sizes[:32])
    r.expect_eq(what + " sizes_truncated", c["sizes_truncated"], len(sizes) > 32)
    r.expect_eq(what + " first_size", c["first_size"], sizes[0])
    r.expect_eq(what + " last_size", c["last_size"], sizes[-1])
    r.expect_eq(what + " shrinks", c["shrinks"], 0)
    r.expect_eq(what + " bytes_copied (upper bound)", c["bytes_copied"], copied(sizes))
    r.expect_eq(what + " quadratic", c["quadratic"], quad)
    if fn == "append_doubling":
        r.expect(what + " growth_factor 2", abs(c["growth_factor"] - 2.0) < 1e-6,
                 "growth_factor %r" % c["growth_factor"])
    else:
        r.expect_eq(what + " min_step", c["min_step"], STEP)
        r.expect_eq(what + " max_step", c["max_step"], STEP)
if len(chains) == 2:
    r.expect_eq("quadratic chain listed first", rc["top"][0]["site"]["function"], "append_by_step")

r.expect_in_text("realloc site", "growing_buffer.c:%d" % reallocs[1])
r.expect_in_text("buffer variable", "char `buf`")
r.expect_in_text("chain summary", "2 chains, 1 quadratic")
r.expect_in_text("quadratic chain", "`buf`: 255 steps 16 -> 4096 bytes")
r.expect_in_text("quadratic flag", "QUADRATIC")
r.expect_in_text("doubling chain", "`buf`: 8 steps 16 -> 4096 bytes, factor 2.00")
r.finish()
