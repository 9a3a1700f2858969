#!/bin/sh
# e2e_autotools.sh: a small autoconf + automake + libtool project.
# 1. ./configure with memscope-cc prints the same as with clang-19 (no probe
#    turns from yes to no) and writes the same config.h;
# 2. make + make check with memscope-cc; the test program writes a trace.
. "$(dirname "$0")/e2e_lib.sh"
for t in autoreconf automake libtoolize make; do
  command -v $t >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
done
cp -r "$PROJECTS/autotools" "$W/src" && mkdir -p "$W/src/m4" || exit 1
run "autoreconf" sh -c "cd '$W/src' && autoreconf -fi" || finish
mkdir -p "$W/plain" "$W/ms"
run "configure CC=clang-19" sh -c "cd '$W/plain' && '$W/src/configure' CC='$CLANG' > configure.out" || finish
run "configure CC=memscope-cc" sh -c "cd '$W/ms' && '$W/src/configure' CC='$MSCC' > configure.out" || finish
sed "s|$CLANG|CC|g; s|$(basename "$CLANG")|CC|g" "$W/plain/configure.out" > "$W/plain.norm"
sed "s|$MSCC|CC|g; s|memscope-cc|CC|g" "$W/ms/configure.out" > "$W/ms.norm"
if cmp -s "$W/plain.norm" "$W/ms.norm"; then ok "configure output identical ($(grep -c '^checking' "$W/ms.norm") checks)"
else fail "configure output differs"; diff "$W/plain.norm" "$W/ms.norm" | head -n 40; fi
cmp -s "$W/plain/config.h" "$W/ms/config.h" && ok "config.h identical" || { fail "config.h differs"; diff "$W/plain/config.h" "$W/ms/config.h"; }
run "make" make -C "$W/ms" || finish
run "make check" env MEMSCOPE_OPTIONS="output=$W/check-%p.ms" make -C "$W/ms" check
grep -q "^# PASS: *1" "$W/ms/test-suite.log" && ok "make check passed" || fail "make check did not pass"
check_traces "$W/check-*.ms" "make check" --sites
run "installed program runs" env MEMSCOPE_OPTIONS="output=$W/wc.ms" "$W/ms/wordcount" "a b c" "d e"
check_trace "$W/wc.ms" "wordcount" --sites
finish
