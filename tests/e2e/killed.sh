#!/bin/sh
# killed.sh BUILD_DIR progs/killed_midrun.c WORKDIR
# A program killed with SIGKILL mid-run (while it allocates) leaves a trace
# that ends at the runtime's last timer flush: `memscope-report` must load
# it (exit 0) with a recovery notice at the top of the text and in the JSON,
# `verify` must call it incomplete and exit 1, and everything the program
# did before the last flush (phase 1: 500 records) must be in it.
set -eu
build=$(cd "$1" && pwd) src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") work=$3
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/bin"
. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
cd "$work" || exit 1
"$bin/memscope-cc" -O2 "$src" -o killed_midrun

# flush_ms=100 is the default; stated so the wait below has a meaning.
MEMSCOPE_OPTIONS=output=trace.ms:flush_ms=100 ./killed_midrun ready >stdout.txt 2>stderr.txt &
pid=$!
i=0
while [ ! -e ready ]; do
  i=$((i + 1))
  if [ $i -gt 400 ]; then
    kill -9 $pid 2>/dev/null || true
    echo "the program never reached phase 2 (no ready file after 20 s)"; cat stderr.txt; exit 1
  fi
  sleep 0.05
done
# Ten flush periods: phase 1 is surely flushed, phase 2 is running.
sleep 1
kill -9 $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 137 ] || { echo "expected death by SIGKILL (137), got $rc"; cat stderr.txt; exit 1; }
[ -s trace.ms ] || { echo "no trace left by the killed program"; exit 1; }

fail=0
# verify: damaged/incomplete, exit 1, and says so.
set +e
"$bin/memscope-report" verify trace.ms >verify.out 2>verify.err
vrc=$?
set -e
if [ $vrc -ne 1 ]; then
  echo "FAIL: verify of the killed program's trace exited $vrc, expected 1"; fail=1
fi
if ! grep -qi -e incomplete -e damaged -e truncated verify.out verify.err; then
  echo "FAIL: verify did not say the trace is incomplete:"; cat verify.out verify.err; fail=1
fi

# The analysis loads what was recovered and says so first.
set +e
"$bin/memscope-report" trace.ms >report.txt 2>report.err
trc=$?
"$bin/memscope-report" trace.ms --json -o report.json 2>report-json.err
jrc=$?
set -e
[ $trc -eq 0 ] || { echo "FAIL: memscope-report trace.ms exited $trc"; cat report.err; fail=1; }
[ $jrc -eq 0 ] || { echo "FAIL: memscope-report --json exited $jrc"; cat report-json.err; fail=1; }
first=$(head -n 1 report.txt)
case "$first" in
  NOTICE:*) ;;
  *) echo "FAIL: the text report does not start with the recovery notice; first line: $first"; fail=1 ;;
esac
if [ $jrc -eq 0 ]; then
  python3 -B "$here/check_killed.py" report.json report.txt -O2 "$src" || fail=1
fi
[ $fail -eq 0 ] && echo "PASS killed: verify exit 1, report loads the recovered trace"
exit $fail
