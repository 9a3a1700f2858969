#!/bin/sh
# corpus_configure.sh CORPUS_SH MSCC CLANG WORK [MSLOGS] - the corpus's autotools
# projects: ./configure with memscope-cc prints the same checks and results
# as with clang-19 (no probe turns from yes to no). Reuses the memscope-cc
# logs of the driver_corpus test (MSLOGS/NAME/build.log) when they exist.
set -u
CORPUS=$1 MSCC=$2 CLANG=$3 WORK=$4 MSLOGS=${5:-}
[ -x "$CORPUS" ] || { echo "SKIP: $CORPUS is absent"; exit 77; }
projects="jansson libyaml"
fails=0
mkdir -p "$WORK/ms" || exit 1
for p in $projects; do
  if [ -n "$MSLOGS" ] && grep -q '^checking' "$MSLOGS/$p/build.log" 2>/dev/null; then
    mkdir -p "$WORK/ms/$p" && cp "$MSLOGS/$p/build.log" "$WORK/ms/$p/build.log"
  else
    "$CORPUS" --cc "$MSCC" --work "$WORK/ms" "$p" || true
  fi
done
"$CORPUS" --cc "$CLANG" --work "$WORK/clang" $projects || true
for p in $projects; do
  a=$WORK/clang/$p/build.log b=$WORK/ms/$p/build.log
  grep '^checking' "$a" | sed "s|$CLANG|CC|g; s|$(basename "$CLANG")|CC|g" > "$WORK/$p.clang.checks"
  grep '^checking' "$b" | sed "s|$MSCC|CC|g; s|memscope-cc|CC|g" > "$WORK/$p.ms.checks"
  n=$(wc -l < "$WORK/$p.ms.checks")
  if [ "$n" -gt 20 ] && cmp -s "$WORK/$p.clang.checks" "$WORK/$p.ms.checks"; then
    echo "ok: $p: configure output identical ($n checks)"
  else
    echo "FAIL: $p: configure output differs ($n checks with memscope-cc)"
    diff "$WORK/$p.clang.checks" "$WORK/$p.ms.checks" | head -n 40
    fails=$((fails + 1))
  fi
done
[ "$fails" = 0 ]
