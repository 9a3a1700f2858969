#!/usr/bin/env python3
"""check_codecs.py - run by codecs.sh in its work directory (see there)."""
import collections
import json
import os
import sys

CODECS = ["zstd", "lz4", "brotli", "none"]
failures = []


def load(path):
    if not os.path.exists(path):
        failures.append("%s: missing (an earlier step failed)" % path)
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def expect_eq(what, got, want):
    if got != want:
        failures.append("%s: expected %r, got %r" % (what, want, got))


def facts(d):
    """What the program did, independent of timing and addresses."""
    sites = sorted((s["site"]["kind"], s["site"]["function"], s["site"]["line"],
                    s["site"]["type"], s["site"]["variable"],
                    s["allocations"], s["frees"], s["bytes"])
                   for s in d["sites"] if s["site"]["kind"] != "uninstrumented")
    ctf = sorted((c["variable"], c["count"], c["bytes"], c["alloc"]["thread_name"],
                  c["free"]["thread_name"]) for c in d["cross_thread_frees"]
                 if c["alloc"]["site"]["kind"] != "uninstrumented")
    return {"sites": sites, "cross_thread_frees": ctf,
            "errors": d["errors"]["counts"]}


base = load("run-zstd.json")
for c in CODECS:
    info = load("run-%s.info.json" % c)
    if info:
        expect_eq("run-%s: info header codec" % c, info["header"]["codec"], c)
        ev = [t for t in info["types"] if t["type"] == "events"]
        expect_eq("run-%s: info lists events chunks" % c, len(ev), 1)
        if ev:
            # A chunk that does not shrink may be stored raw ("none").
            codecs = set(ev[0]["codecs"])
            expect_eq("run-%s: the codec is used for events chunks" % c, c in codecs, True)
            expect_eq("run-%s: codecs of the events chunks besides %s and none" % (c, c),
                      sorted(codecs - {c, "none"}), [])
    d = load("run-%s.json" % c)
    if d and base:
        expect_eq("run-%s: trace complete" % c, d["trace"]["complete"], True)
        expect_eq("run-%s: the program's facts equal the zstd run's" % c, facts(d), facts(base))

if base:
    ref = dict(base)
    ref.pop("trace")
    for c in CODECS:
        d = load("conv-%s.json" % c)
        info = load("conv-%s.info.json" % c)
        if info:
            expect_eq("conv-%s: info header codec" % c, info["header"]["codec"], c)
        if d:
            expect_eq("conv-%s: trace complete" % c, d["trace"]["complete"], True)
            tr = d.pop("trace")
            expect_eq("conv-%s: pid kept" % c, tr["header"]["pid"], base["trace"]["header"]["pid"])
            diff = sorted(k for k in set(d) | set(ref) if d.get(k) != ref.get(k))
            expect_eq("conv-%s: analysis sections that differ from the original's" % c, diff, [])

    ex = load("export.json")
    if ex:
        kinds = collections.Counter(e["kind"] for ch in ex["chunks"] if ch["type"] == "events"
                                    for e in ch["items"])
        t = base["totals"]
        expect_eq("export: alloc events = totals.allocations", kinds["alloc"], t["allocations"])
        expect_eq("export: free events = totals.frees", kinds["free"], t["frees"])
        expect_eq("export: realloc events = totals.reallocations", kinds["realloc"],
                  t["reallocations"])
        expect_eq("export: all events = totals.events", sum(kinds.values()), t["events"])
        expect_eq("export: recovery complete", ex["recovery"]["complete"], True)
        xt = load("extract.json")
        if xt:
            expect_eq("extract: chunk type", xt["type"], "events")
            expect_eq("extract: events = export's", sum(len(ch["items"]) for ch in xt["chunks"]),
                      sum(kinds.values()))
            expect_eq("extract: error", xt.get("error"), None)

if failures:
    print("FAIL codecs: %d checks failed" % len(failures))
    for f in failures:
        print("  - " + f)
    sys.exit(1)
print("codec and subcommand checks passed")
