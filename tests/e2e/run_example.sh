#!/bin/sh
# run_example.sh BUILD_DIR SOURCE.c OPT WORKDIR
# Compiles SOURCE with BUILD_DIR/bin/memscope-cc at OPT, runs it in WORKDIR
# (MEMSCOPE_OPTIONS=output=trace.ms), checks `memscope-report verify`, writes
# the report as WORKDIR/report.json and WORKDIR/report.txt, and checks them
# with check_<name>.py next to this script.
#
# The expected end of the program is declared in the checker itself, by a
# line "# e2e-exit: N" (exit status N, default 0) or "# e2e-exit: abort"
# (killed by SIGABRT). A program that dies by a signal must still leave a
# trace the report can analyse.
set -eu
build=$(cd "$1" && pwd) src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") opt=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$src" .c)
check="$here/check_$name.py"
bin="$build/bin"
[ -f "$check" ] || { echo "no checker $check for example $src: every example needs one"; exit 1; }
want_exit=$(sed -n 's/^# e2e-exit: *\([a-z0-9]*\).*/\1/p' "$check" | head -n 1)
want_exit=${want_exit:-0}
for tool in memscope-cc memscope-report; do
  [ -x "$bin/$tool" ] || { echo "missing $bin/$tool (build the target $tool)"; exit 1; }
done

. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
cd "$work" || exit 1
"$bin/memscope-cc" "$opt" -pthread "$src" -o "$name" >cc.txt 2>&1 || {
  echo "memscope-cc $opt $src failed:"; cat cc.txt; exit 1; }
[ -s cc.txt ] && { echo "memscope-cc printed something for a clean example:"; cat cc.txt; exit 1; }
set +e
MEMSCOPE_OPTIONS=output=trace.ms "./$name" >stdout.txt 2>stderr.txt
rc=$?
set -e
if [ "$want_exit" = abort ]; then
  [ $rc -eq 134 ] || { echo "expected death by SIGABRT (134), got exit $rc"; cat stderr.txt; exit 1; }
elif [ $rc -ne "$want_exit" ]; then
  echo "program exited $rc, expected $want_exit"; cat stderr.txt; exit 1
fi
[ -s trace.ms ] || { echo "no trace written (trace.ms missing or empty)"; cat stderr.txt; exit 1; }
# The runtime flushes and closes the trace at exit and on fatal signals, so
# even the aborted program's trace must verify (index and trailer present).
set +e
"$bin/memscope-report" verify trace.ms >verify.txt 2>&1
vrc=$?
set -e
[ $vrc -eq 0 ] || { echo "memscope-report verify trace.ms exited $vrc:"; cat verify.txt; exit 1; }
"$bin/memscope-report" trace.ms --json -o report.json
"$bin/memscope-report" trace.ms >report.txt
exec python3 -B "$check" report.json report.txt "$opt" "$src"
