#!/usr/bin/env python3
"""CLI tests of memscope-report: exit codes, error lines, every subcommand,
and the --json document parsed back with the values the synthetic traces
were built with (tests/report/rp_gen_trace.c).

usage: test_report_cli.py MEMSCOPE_REPORT RP_GEN_TRACE WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

REPORT, GEN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def run(*args, rc=None):
    p = subprocess.run([REPORT, *args], capture_output=True, text=True, timeout=60)
    if rc is not None and p.returncode != rc:
        failures.append(f"{args}: exit {p.returncode}, expected {rc}; stderr: {p.stderr.strip()}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


def gen(scenario, name):
    path = os.path.join(WORK, name)
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run([GEN, scenario, path], check=True)
    return path


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
demo = gen("demo", "demo.ms")

# ---- usage and input errors -------------------------------------------------
p = run("--help", rc=0)
check("Exit codes" in p.stdout and "export --input" in p.stdout, "--help lists exit codes")
p = run(rc=2)
p = run("--bogus", demo, rc=2)
check(p.stderr.strip() == "memscope-report: unknown option '--bogus' (see --help)",
      f"unknown option line: {p.stderr!r}")
p = run("-n", "x", demo, rc=2)
check("takes a number" in p.stderr, "bad -n value")
missing = os.path.join(WORK, "missing.ms")
p = run(missing, rc=3)
check(p.stderr.strip() == f"memscope-report: {missing}: No such file or directory",
      f"missing file line: {p.stderr!r}")
text = os.path.join(WORK, "notes.txt")
with open(text, "w") as f:
    f.write("this is not a trace, just some text that is long enough\n" * 4)
p = run(text, rc=3)
check(p.stderr.startswith(f"memscope-report: {text}: not a memscope trace"),
      f"non-trace line: {p.stderr!r}")
check(p.stderr.count("\n") == 1, "one line for a non-trace file")
empty = os.path.join(WORK, "empty.ms")
open(empty, "w").close()
p = run(empty, rc=3)
check(empty in p.stderr, "empty file named")
run("info", missing, rc=3)
run("verify", text, rc=3)

# ---- the JSON document --------------------------------------------------------
p = run(demo, "--json", rc=0)
doc = json.loads(p.stdout)
check(doc["schema"] == 1, "schema field")
check(doc["trace"]["complete"] is True and doc["trace"]["notice"] is None, "complete trace")
t = doc["totals"]
check((t["allocations"], t["frees"], t["reallocations"]) == (12, 9, 10), f"totals {t}")
check(t["peak_bytes"] == 1172 and t["peak_blocks"] == 4, "peak")
check(t["bytes_requested"] == 7112, "bytes requested")
check(t["temporaries"] == 7, f"temporaries {t['temporaries']}")
check(t["peak_contributors"][0]["site"]["variable"] == "buf", "top peak contributor")
lk = doc["leaks"]
check(lk["scan"] is True and lk["definite"] == {"blocks": 3, "bytes": 72}, f"leaks {lk['definite']}")
g = lk["groups"][0]
check((g["kind"], g["count"], g["bytes"], g["type"], g["variable"]) ==
      ("definite", 3, 72, "struct node", "n"), f"leak group {g}")
o = g["owners"][0]
check((o["variable"], o["function"], o["file"], o["line"], o["count"]) ==
      ("head", "main", "list.c", 30, 3), f"leak owner {o}")
frames = g["stack"]["frames"]
check(frames[0]["function"] == "gen_leaky_push", f"runtime frame hidden, symbolized: {frames[0]}")
check(frames[0]["file"].endswith("rp_gen_trace.c") and frames[0]["line"] > 0, "file:line")
check(frames[1]["function"] == "main", "second frame main")
rc_ = doc["realloc_chains"]
check(rc_["chains"] == 1 and rc_["quadratic"] == 1, "chains")
c = rc_["top"][0]
check(c["variable"] == "buf" and c["quadratic"] and c["steps"] == 10, f"chain {c}")
check(c["sizes"][:3] == [100, 200, 300] and c["bytes_copied"] == 5500, "chain sizes/copied")
x = doc["cross_thread_frees"][0]
check((x["count"], x["bytes"], x["variable"], x["alloc"]["thread"], x["free"]["thread"]) ==
      (2, 96, "item", 1, 2), f"cross-thread {x}")
check(x["free"]["site"]["function"] == "consumer" and x["free"]["thread_name"] == "consumer",
      "free side named")
e = doc["errors"]
check(e["sound"] is True and e["counts"]["double_free"] == 1, f"errors {e['counts']}")
check(e["list"][0]["other"]["role"] == "first_free", "double free: first free side")
d = doc["destructors"]["by_site"][0]
check((d["callee"], d["calls"], d["frees"], d["total_ns"]) == ("list_free", 1, 1, 40), f"dtor {d}")
types = {ty["type"]: ty for ty in doc["types"]}
check(types["struct node"]["allocations"] == 4 and types["struct item"]["bytes"] == 96, "types")
check(doc["phases"][0]["name"] == "startup", "phases")
check(doc["call_tree"]["top_down"]["children"][0]["function"] == "main", "call tree top-down")
check(doc["call_tree"]["bottom_up"]["children"][0]["function"] == "gen_leaky_push",
      "call tree bottom-up")
stk = {s["id"]: s for s in doc["stacks"]}
inl = stk[2]["frames"]
check(inl[0]["function"] == "gen_inlined_helper" and inl[0]["inlined"] is True,
      f"inlined frame first: {inl[0]}")
check(inl[1]["function"] == "main" and inl[1]["inlined"] is False and inl[1]["line"] > 0,
      f"then the function it is inlined into, at the call site: {inl[1]}")
check(stk[2]["allocations"] == 2 and stk[2]["bytes"] == 96, "stack statistics")
check(doc["run_summary"]["exit_reason"] == "exit(0)", "run summary")
p = run(demo, "--json", "-n", "1", rc=0)
check(len(json.loads(p.stdout)["sites"]) == 1, "-n limits JSON lists")

# ---- text ---------------------------------------------------------------------
p = run(demo, rc=0)
check("SUMMARY" in p.stdout and "last owner `head` left scope at list.c:30 in main" in p.stdout,
      "text shows the last owner")
check("\033[" not in p.stdout, "no colour when not a terminal")
check("QUADRATIC" in p.stdout, "text flags the quadratic chain")

# ---- folded stacks -------------------------------------------------------------
p = run(demo, "--folded", rc=0)
check("main;gen_leaky_push 96" in p.stdout.splitlines(), f"folded by bytes: {p.stdout!r}")
p = run(demo, "--folded=live", rc=0)
check(p.stdout.splitlines() == ["main;gen_leaky_push 72"], f"folded by live bytes: {p.stdout!r}")
run(demo, "--folded=nope", rc=2)

# ---- -o and -f -------------------------------------------------------------------
out = os.path.join(WORK, "out.json")
run(demo, "--json", "-o", out, rc=0)
check(json.load(open(out))["schema"] == 1, "-o writes the file")
p = run(demo, "--json", "-o", out, rc=4)
check("file exists" in p.stderr, "-o refuses to overwrite")
run(demo, "--json", "-o", out, "-f", rc=0)
p = run(demo, "-o", demo, "-f", rc=4)
check("output is the input file" in p.stderr, "never overwrite the trace being read")
check(os.path.getsize(demo) > 1000, "the trace is intact")

# ---- HTML -------------------------------------------------------------------------
class Tags(HTMLParser):
    """every start tag with its attributes, and the page's text"""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


hostile = gen("hostile", "hostile.ms")
hdir = os.path.join(WORK, "html")
os.makedirs(hdir)
page = os.path.join(hdir, "report.html")
run(hostile, "--html", "-o", page, rc=0)
check(os.listdir(hdir) == ["report.html"], f"--html writes a single file: {os.listdir(hdir)}")
html = open(page, encoding="utf-8").read()
check(html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>"), "a whole page")
check("http://" not in html and "https://" not in html, "no network address in the page")
parsed = Tags()
parsed.feed(html)
names = {t for t, _ in parsed.tags}
allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "nav", "a", "p",
           "b", "i", "br", "span", "code", "div", "table", "tr", "th", "td", "ol", "ul", "li"}
check(names <= allowed, f"no script or external-resource element: {sorted(names - allowed)}")
check(all("src" not in a and not any(k.startswith("on") for k in a) for _, a in parsed.tags),
      "no src= attribute and no event handler in any element")
check(all(a.get("href", "#").startswith("#") for _, a in parsed.tags), "links are in-page only")
raw_var, raw_file = "<script>alert('n')</script>", "<b>list&.c"
check(raw_var not in html and raw_file not in html and "<img src=x" not in html,
      "hostile names are not in the page raw")
check("&lt;script&gt;alert(&#39;n&#39;)&lt;/script&gt;" in html, "the variable name escaped")
check("&lt;b&gt;list&amp;.c:10" in html, "the file name escaped")
text = "".join(parsed.text)
check(raw_var in text and "<img src=x onerror=alert(1)>" in text,
      "the escaped names read back as the original text")
for want in ("1172 bytes", "7112 bytes", "definitely lost", "72 bytes) in 3 blocks",
             "last owner", "QUADRATIC", "double_free", "first freed", "list_free",
             "gen_leaky_push", "rp_gen_trace.c:", "struct node", "Cross-thread frees"):
    check(want in text, f"HTML shows {want!r}")
check("trace state" in text and "complete" in text and "recovered" not in text,
      "complete trace stated")
p = run(hostile, "--html", "-o", page, rc=4)
check("file exists" in p.stderr and open(page, encoding="utf-8").read() == html,
      "--html -o refuses to overwrite and leaves the file alone")
run(hostile, "--html", "-o", page, "-f", rc=0)
p = run(hostile, "--html", "-n", "1", rc=0)
check(p.stdout.count("<tr><td class=\"num\" title=") == 3, "-n 1: one row per site table")
p = run(gen("noindex", "noindex-html.ms"), "--html", rc=0)
check("NOTICE: trace" in p.stdout and "recovered (truncated or damaged)" in p.stdout,
      "HTML of a truncated trace says so")

# ---- weaker claims without whole-heap coverage ------------------------------------
nw = gen("nowhole", "nowhole.ms")
doc = json.loads(run(nw, "--json", rc=0).stdout)
check(doc["errors"]["sound"] is False and doc["errors"]["note"], "weaker claim noted")
check("weaker claim" in run(nw, rc=0).stdout, "text says the claim is weaker")
check(any("dropped 5" in w for w in doc["warnings"]), f"dropped events warned: {doc['warnings']}")

# ---- build id mismatch -----------------------------------------------------------------
bb = gen("badbuildid", "badbuildid.ms")
doc = json.loads(run(bb, "--json", rc=0).stdout)
check(any("build id mismatch" in w for w in doc["warnings"]), f"build id warning {doc['warnings']}")
check(doc["leaks"]["groups"][0]["stack"]["frames"][0]["addr"].startswith("0x"), "addresses kept")

# ---- truncated and damaged traces -------------------------------------------------------
ni = gen("noindex", "noindex.ms")
p = run(ni, rc=0)
check(p.stdout.startswith("NOTICE: trace"), f"notice first: {p.stdout[:80]!r}")
doc = json.loads(run(ni, "--json", rc=0).stdout)
check(doc["trace"]["recovered"] is True and "truncated" in doc["trace"]["notice"], "json notice")
check(doc["totals"]["allocations"] == 12, "no-index trace fully recovered")
p = run("verify", ni, rc=1)
check("DAMAGED" in p.stdout, "verify says damaged")

cut = os.path.join(WORK, "cut.ms")
shutil.copy(demo, cut)
size = os.path.getsize(cut)
os.truncate(cut, size * 2 // 3)
p = run(cut, "--json", rc=0)
doc = json.loads(p.stdout)
check(doc["trace"]["recovered"] and doc["leaks"]["scan"] is False, "cut trace: recovered, no scan")
check(doc["leaks"]["reason"] is not None, "cut trace: reason for live-at-end")
p = run("verify", cut, rc=1)
check(cut in p.stderr, "verify names the file")
conv_cut = os.path.join(WORK, "conv_cut.ms")
run("convert", cut, "-o", conv_cut, rc=0)
run("verify", conv_cut, rc=0)
doc = json.loads(run(conv_cut, "--json", rc=0).stdout)
check(any("converted from a damaged" in w for w in doc["warnings"]),
      "a converted damaged trace still says data was lost")

bad = os.path.join(WORK, "flipped.ms")
data = bytearray(open(demo, "rb").read())
info = json.loads(run("info", "--json", "--chunks", demo, rc=0).stdout)
ev = [ch for ch in info["chunks"] if ch["type"] == "events"][0]
pos = ev["offset"] + (size - ev["offset"]) // 8 + 40
data[pos] ^= 0xFF
open(bad, "wb").write(bytes(data))
p = run("verify", bad, rc=1)
check("chunk" in p.stderr, f"verify reports the damaged chunk: {p.stderr!r}")
run("verify", demo, rc=0)

# ---- info / extract / convert / export -------------------------------------------------
p = run("info", demo, rc=0)
check("events" in p.stdout and "sites" in p.stdout, "info lists chunk types")
types = {ty["type"]: ty for ty in info["types"]}
check(types["events"]["items"] == 38 and types["sites"]["items"] == 10, f"info json {types.keys()}")
doc = json.loads(run("extract", "--chunk", "sites", demo, rc=0).stdout)
sites = [s for ch in doc["chunks"] for s in ch["items"]]
check(len(sites) == 10 and any(s["variable"] == "head" for s in sites), "extract sites")
run("extract", "--chunk", "bogus", demo, rc=2)
conv = os.path.join(WORK, "conv.ms")
run("convert", demo, "-o", conv, "--compression", "lz4", rc=0)
ci = json.loads(run("info", "--json", conv, rc=0).stdout)
check(ci["complete"] and all("zstd" not in ty["codecs"] for ty in ci["types"]), "converted codec")
a = json.loads(run(demo, "--json", "--no-symbols", rc=0).stdout)["totals"]
b = json.loads(run(conv, "--json", "--no-symbols", rc=0).stdout)["totals"]
check(a == b, "converted trace analyses the same")
p = run("convert", demo, "-o", conv, rc=4)
check("file exists" in p.stderr, "convert refuses to overwrite")
run("convert", demo, "-o", conv, "--compression", "nope", rc=2)
doc = json.loads(run("export", "--input", demo, "--format", "json", rc=0).stdout)
evs = [e for ch in doc["chunks"] if ch["type"] == "events" for e in ch["items"]]
check(len(evs) == 38 and evs[1]["kind"] == "alloc" and evs[1]["size"] == 24, "export events")
check(doc["recovery"]["complete"] is True, "export recovery")
run("export", "--input", demo, "--format", "xml", rc=2)

# ---- damaged input never crashes: random byte flips and cuts ------------------
import random
rng = random.Random(6)
orig = open(demo, "rb").read()
fuzz = os.path.join(WORK, "fuzz.ms")
for i in range(60):
    data = bytearray(orig)
    if i % 3 == 2:
        data = data[:rng.randrange(8, len(data))]
    else:
        for _ in range(rng.randrange(1, 4)):
            pos = rng.randrange(len(data))
            data[pos] ^= 1 << rng.randrange(8)
    open(fuzz, "wb").write(bytes(data))
    for args in ((fuzz, "--json", "--no-symbols"), ("verify", fuzz), ("export", fuzz),
                 ("info", fuzz)):
        p = run(*args)
        if p.returncode not in (0, 1, 3):
            failures.append(f"fuzz {i} {args}: exit {p.returncode} {p.stderr.strip()[:200]}")
        elif p.returncode == 0 and args[0] == fuzz:
            try:
                json.loads(p.stdout)
            except ValueError as exc:
                failures.append(f"fuzz {i}: invalid JSON: {exc}")

if failures:
    print("FAILED:")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("all report CLI checks passed")
