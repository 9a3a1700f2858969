#!/bin/sh
# run_example.sh BUILD_DIR SOURCE.c OPT WORKDIR [expected-exit]
# Compiles SOURCE with memscope-cc at OPT, runs it in WORKDIR, writes the
# report as WORKDIR/report.json, and checks it with check_<name>.py.
set -eu
build=$1 src=$2 opt=$3 work=$4 want_exit=${5:-0}
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$src" .c)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$build/bin/memscope-cc" "$opt" -pthread "$src" -o "$name"
set +e
MEMSCOPE_OPTIONS=output=trace.ms "./$name" >stdout.txt 2>stderr.txt
rc=$?
set -e
if [ "$want_exit" = abort ]; then
  [ $rc -eq 134 ] || { echo "expected SIGABRT (134), got exit $rc"; cat stderr.txt; exit 1; }
elif [ $rc -ne "$want_exit" ]; then
  echo "program exited $rc, expected $want_exit"; cat stderr.txt; exit 1
fi
[ -s trace.ms ] || { echo "no trace written"; exit 1; }
"$build/bin/memscope-report" verify trace.ms >verify.txt 2>&1 || {
  [ "$want_exit" = abort ] || { echo "verify failed:"; cat verify.txt; exit 1; }; }
"$build/bin/memscope-report" trace.ms --json -o report.json
"$build/bin/memscope-report" trace.ms >report.txt
exec python3 "$here/check_$name.py" report.json report.txt "$opt"
