#!/usr/bin/env python3
"""valgrind_compare.py MODE valgrind.txt report.json

Compares memcheck's "total heap usage" and "definitely lost" with
memscope-report's totals and leak classes. memcheck counts a realloc as one
allocation plus one free; memscope counts it as a reallocation of the same
block, so: vg allocs = allocations + reallocations, vg frees = frees +
reallocations. Bytes are compared in the same-run mode only (natively the
instrumented executable has one more TLS module, so glibc's per-thread DTV
blocks are 16 bytes larger).
"""
import json
import re
import sys


def num(s):
    return int(s.replace(",", ""))


def parse_valgrind(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    m = re.search(r"total heap usage: ([\d,]+) allocs, ([\d,]+) frees, ([\d,]+) bytes allocated", text)
    if not m:
        sys.exit("no 'total heap usage' line in %s:\n%s" % (path, text[-2000:]))
    vg = {"allocs": num(m.group(1)), "frees": num(m.group(2)), "bytes": num(m.group(3))}
    for cls in ("definitely lost", "indirectly lost", "possibly lost", "still reachable"):
        m = re.search(cls + r": ([\d,]+) bytes in ([\d,]+) blocks", text)
        vg[cls] = (num(m.group(1)), num(m.group(2))) if m else (0, 0)
    m = re.search(r"ERROR SUMMARY: ([\d,]+) errors", text)
    vg["errors"] = num(m.group(1)) if m else None
    return vg


def main():
    mode, vgpath, jpath = sys.argv[1:4]
    vg = parse_valgrind(vgpath)
    d = json.load(open(jpath, encoding="utf-8"))
    t, leaks = d["totals"], d["leaks"]
    ms_allocs = t["allocations"] + t["reallocations"]
    ms_frees = t["frees"] + t["reallocations"]
    rows = [
        ("allocations (incl. reallocs)", vg["allocs"], ms_allocs),
        ("frees (incl. reallocs)", vg["frees"], ms_frees),
        ("definitely lost bytes", vg["definitely lost"][0], leaks["definite"]["bytes"]),
        ("definitely lost blocks", vg["definitely lost"][1], leaks["definite"]["blocks"]),
    ]
    if mode == "same-run":
        rows.append(("bytes allocated", vg["bytes"], t["bytes_requested"]))
    print("%-30s %12s %12s" % ("(%s)" % mode, "valgrind", "memscope"))
    bad = 0
    for what, v, m in rows:
        flag = "" if v == m else "   <-- differs"
        bad += v != m
        print("%-30s %12d %12d%s" % (what, v, m, flag))
    print("%-30s %12s %12s" % ("indirectly lost bytes", vg["indirectly lost"][0], leaks["indirect"]["bytes"]))
    print("%-30s %12s %12s" % ("possibly lost bytes", vg["possibly lost"][0], leaks["possible"]["bytes"]))
    print("%-30s %12s %12s" % ("still reachable bytes", vg["still reachable"][0], leaks["reachable"]["bytes"]))
    print("%-30s %12s" % ("memcheck errors", vg["errors"]))
    print("memscope trace: complete=%s, leak scan=%s" % (d["trace"]["complete"], leaks["scan"]))
    if bad:
        print("FAIL: %d of %d totals differ" % (bad, len(rows)))
        sys.exit(1)
    print("PASS: %d totals equal" % len(rows))


main()
