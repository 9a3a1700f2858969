#!/bin/sh
# codecs.sh BUILD_DIR SOURCE.c WORKDIR
# The trace through every codec and every file subcommand, on a real
# multi-threaded program (examples/producer_consumer.c):
#  - the runtime writes zstd, lz4, brotli and none (MEMSCOPE_OPTIONS
#    compression=...): each verifies, `info` names the codec, and the
#    program's facts in the report are the same whatever the codec;
#  - `convert` re-encodes one trace into each codec: each verifies and
#    analyses to exactly the same JSON (apart from the `trace` section);
#  - `export --format json` and `extract --chunk events` hold as many
#    events of each kind as the report counted.
set -u
build=$(cd "$1" && pwd) src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") work=$3
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/bin"
R="$bin/memscope-report"
. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
cd "$work" || exit 1
"$bin/memscope-cc" -O2 -pthread "$src" -o prog || { echo "memscope-cc failed"; exit 1; }

fail=0
step() { # step DESCRIPTION CMD...: run, report a non-zero exit
  what=$1
  shift
  if ! "$@" >step.out 2>step.err; then
    echo "FAIL: $what: $* exited non-zero"; cat step.out step.err | head -n 5; fail=1
    return 1
  fi
  return 0
}
info() { # info TRACE OUT.json: `info --json` (it prints to stdout; no -o)
  if ! "$R" info --json "$1" >"$2" 2>step.err; then
    echo "FAIL: info --json $1 exited non-zero"; cat step.err; rm -f "$2"; fail=1
    return 1
  fi
  return 0
}
for c in zstd lz4 brotli none; do
  MEMSCOPE_OPTIONS=output=run-$c.ms:compression=$c ./prog >/dev/null 2>run-$c.err ||
    { echo "FAIL: the program with compression=$c exited non-zero"; cat run-$c.err; fail=1; }
  [ -s run-$c.err ] && { echo "FAIL: runtime printed with compression=$c:"; cat run-$c.err; fail=1; }
  step "verify run-$c.ms" "$R" verify run-$c.ms
  info run-$c.ms run-$c.info.json
  step "report run-$c.ms" "$R" run-$c.ms --json -o run-$c.json
done
for c in zstd lz4 brotli none; do
  step "convert to $c" "$R" convert run-zstd.ms -o conv-$c.ms --compression $c &&
  step "verify conv-$c.ms" "$R" verify conv-$c.ms &&
  info conv-$c.ms conv-$c.info.json &&
  step "report conv-$c.ms" "$R" conv-$c.ms --json -o conv-$c.json
done
step "export" "$R" export --input run-zstd.ms --format json -o export.json
step "extract" "$R" extract --chunk events run-zstd.ms -o extract.json
python3 -B "$here/check_codecs.py" || fail=1
[ $fail -eq 0 ] && echo "PASS codecs"
exit $fail
