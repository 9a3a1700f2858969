#!/bin/sh
# report_errors.sh BUILD_DIR SOURCE.c WORKDIR
# memscope-report's answers to bad input, against its documented exit codes
# (memscope-report --help): 2 usage error, 3 input problem, 4 output
# problem, 1 verify of a damaged trace. Each error is one line on stderr,
# "memscope-report: ..." naming the file or the option, and nothing on
# stdout. Damaged-but-readable traces are analysed (exit 0) with the notice
# at the top. SOURCE.c is compiled with memscope-cc to get a real trace.
set -u
build=$(cd "$1" && pwd) src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") work=$3
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/bin"
R="$bin/memscope-report"
. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
cd "$work" || exit 1
"$bin/memscope-cc" -O0 "$src" -o prog || { echo "memscope-cc failed"; exit 1; }
MEMSCOPE_OPTIONS=output=good.ms ./prog >/dev/null 2>&1
[ -s good.ms ] || { echo "no trace from $src"; exit 1; }
"$R" verify good.ms >/dev/null 2>&1 || { echo "the fresh trace does not verify"; exit 1; }
size=$(wc -c <good.ms)

# Inputs: missing, a directory, empty, garbage, only the magic, a header cut
# short, a trace cut in the middle of a chunk, a trace with one damaged chunk.
mkdir adir
: >empty.ms
python3 -c "
import random, sys
rnd = random.Random(1234)
sys.stdout.buffer.write(bytes(rnd.randrange(256) for _ in range(4096)))" >garbage.ms
printf 'MEMSCOPE' >magic.ms
head -c 20 good.ms >shortheader.ms
head -c $((size / 2)) good.ms >half.ms
cp good.ms damaged.ms
# Overwrite 4 bytes in the middle of the file: inside some chunk's payload,
# or its header; the index and trailer stay valid.
printf '\125\252\125\252' | dd of=damaged.ms bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null

fail=0 n=0
# expect RC NEEDLE ARGS...: exit status RC, nothing on stdout, exactly one
# line on stderr that starts with "memscope-report: " and contains NEEDLE.
expect() {
  want=$1 needle=$2
  shift 2
  n=$((n + 1))
  "$R" "$@" >out.txt 2>err.txt
  rc=$?
  lines=$(wc -l <err.txt)
  msg=$(head -n 1 err.txt)
  bad=""
  [ $rc -eq "$want" ] || bad="exit $rc, expected $want"
  [ -s out.txt ] && bad="$bad; wrote to stdout: $(head -c 200 out.txt)"
  [ "$lines" -eq 1 ] || bad="$bad; $lines lines on stderr, expected 1"
  case "$msg" in "memscope-report: "*) ;; *) bad="$bad; stderr does not start with 'memscope-report: '" ;; esac
  case "$msg" in *"$needle"*) ;; *) bad="$bad; stderr does not mention '$needle'" ;; esac
  if [ -n "$bad" ]; then
    echo "FAIL: memscope-report $*: $bad"; sed 's/^/    stderr: /' err.txt; fail=1
  else
    echo "ok: memscope-report $* -> $rc: $msg"
  fi
}

# Input problems: exit 3.
expect 3 missing.ms missing.ms
expect 3 missing.ms --json missing.ms
expect 3 missing.ms verify missing.ms
expect 3 missing.ms info missing.ms
expect 3 adir adir
expect 3 empty.ms empty.ms
expect 3 garbage.ms garbage.ms
expect 3 garbage.ms verify garbage.ms
expect 3 garbage.ms info garbage.ms
expect 3 garbage.ms --json garbage.ms
expect 3 magic.ms magic.ms
expect 3 shortheader.ms shortheader.ms
# Usage errors: exit 2.
expect 2 --bogus --bogus good.ms
expect 2 --frobnicate good.ms --frobnicate
expect 2 --bogus verify --bogus good.ms
expect 2 abc -n abc good.ms
# Output problems: exit 4 (the file exists and -f was not given).
: >exists.json
expect 4 exists.json good.ms --json -o exists.json

# Damaged but readable: verify says so (exit 1); the analysis loads what was
# recovered (exit 0) and starts with the notice, in text and in JSON.
for f in half.ms damaged.ms; do
  n=$((n + 1))
  "$R" verify "$f" >out.txt 2>err.txt
  rc=$?
  if [ $rc -ne 1 ]; then echo "FAIL: verify $f exited $rc, expected 1"; cat out.txt err.txt; fail=1
  else echo "ok: verify $f -> 1: $(cat out.txt err.txt | head -n 1)"; fi
  n=$((n + 1))
  "$R" "$f" >out.txt 2>err.txt
  rc=$?
  first=$(head -n 1 out.txt)
  case "$rc:$first" in
    0:NOTICE:*) echo "ok: memscope-report $f -> 0: $first" ;;
    *) echo "FAIL: memscope-report $f: exit $rc, first line '$first' (expected 0 and a NOTICE line)"
       cat err.txt; fail=1 ;;
  esac
  n=$((n + 1))
  "$R" "$f" --json >out.json 2>err.txt
  rc=$?
  if [ $rc -ne 0 ] || ! python3 -c "
import json, sys
t = json.load(open('out.json'))['trace']
sys.exit(0 if t['recovered'] and not t['complete'] and t['notice'] else 1)"; then
    echo "FAIL: memscope-report $f --json: exit $rc or trace.recovered/notice not set"
    cat err.txt; fail=1
  else
    echo "ok: memscope-report $f --json -> 0, trace.recovered with a notice"
  fi
done

# The exit codes are documented in --help (stdout, exit 0).
n=$((n + 1))
"$R" --help >help.txt 2>err.txt
rc=$?
if [ $rc -ne 0 ] || ! grep -q "Exit codes" help.txt; then
  echo "FAIL: --help exited $rc or does not document the exit codes"; fail=1
else
  for code in "2  usage" "3  input" "4  output" "1  verify"; do
    grep -q "^ *$code" help.txt || { echo "FAIL: --help does not document '$code'"; fail=1; }
  done
  echo "ok: --help documents the exit codes"
fi

[ $fail -eq 0 ] && echo "PASS report_errors: $n cases"
exit $fail
