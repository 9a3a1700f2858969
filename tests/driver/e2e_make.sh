#!/bin/sh
# e2e_make.sh: a plain Makefile project built with `make CC=memscope-cc`,
# at -O2 and -O0, run directly and through memscope-run; an uninstrumented
# build run through memscope-run (shared runtime preloaded); runtime
# defaults compiled in with -fmemscope-default-options.
. "$(dirname "$0")/e2e_lib.sh"
cp -r "$PROJECTS/make" "$W/src" || exit 1
cd "$W/src" || exit 1

run "make CC=memscope-cc (-O2 -Werror)" make CC="$MSCC" CFLAGS="-O2 -g -Wall -Wextra -Werror" || finish
[ -s main.d ] && grep -q list.h main.d && ok "-MMD dependency files written" || fail "-MMD files missing"
nm listdemo | grep -q " T __memscope_init_v1$" && ok "runtime linked in" || fail "__memscope_init_v1 not defined in listdemo"
exports listdemo __memscope_malloc && ok "entry points exported (dynamic list)" || fail "__memscope_malloc not in .dynsym"
run "instrumented program runs" env MEMSCOPE_OPTIONS="output=$W/direct.ms" ./listdemo
check_trace "$W/direct.ms" "direct run" --sites

run "memscope-run -o --compression lz4" "$MSRUN" -o "$W/run-lz4.ms" --compression lz4 ./listdemo
grep -q "memscope-run: trace written to $W/run-lz4.ms" "$W/step.log" && ok "memscope-run says where" || { fail "memscope-run message"; cat "$W/step.log"; }
check_trace "$W/run-lz4.ms" "memscope-run lz4" --sites --codec lz4
run "memscope-run with %p" "$MSRUN" -o "$W/pid-%p.ms" --compression none ./listdemo
check_traces "$W/pid-*.ms" "memscope-run %p" --codec none

run "-x c compile + link in one step (archives after -x)" "$MSCC" -x c -O1 -Werror main.c list.c -o listdemo_x
run "-x c program runs" env MEMSCOPE_OPTIONS="output=$W/x.ms" ./listdemo_x
check_trace "$W/x.ms" "-x c build" --sites
run "source from stdin (-x c -)" sh -c "'$MSCC' -x c -O2 -I. -c - -o stdin.o < main.c && '$MSCC' stdin.o list.o -o listdemo_stdin"
run "stdin-built program runs" env MEMSCOPE_OPTIONS="output=$W/stdin.ms" ./listdemo_stdin
check_trace "$W/stdin.ms" "stdin build" --sites
run "assembly out of -S -o -" sh -c "'$MSCC' -O2 -S -o - list.c | grep -q __memscope_malloc"

run "make clean; -O0 build" sh -c "make clean >/dev/null && make CC='$MSCC' CFLAGS='-O0 -Wall -Werror'"
run "-O0 program runs" env MEMSCOPE_OPTIONS="output=$W/o0.ms" ./listdemo
check_trace "$W/o0.ms" "-O0 run" --sites

mkdir -p "$W/tmp"
run "runtime defaults compiled in" sh -c "make clean >/dev/null && TMPDIR='$W/tmp' make CC='$MSCC' CFLAGS='-O2' LDFLAGS='-fmemscope-default-options=output=$W/dflt.ms:compression=lz4'"
run "program with compiled-in defaults runs" ./listdemo
check_trace "$W/dflt.ms" "-fmemscope-default-options" --sites --codec lz4
[ -z "$(ls -A "$W/tmp")" ] && ok "no temporary file left" || fail "temporary files left in $W/tmp"

run "uninstrumented build with clang" sh -c "make clean >/dev/null && make CC='$CLANG' CFLAGS='-O2'"
nm listdemo | grep -q __memscope_init_v1 && fail "plain build has the runtime" || ok "plain build has no runtime"
run "memscope-run preloads the shared runtime" "$MSRUN" -o "$W/preload.ms" ./listdemo
check_trace "$W/preload.ms" "preloaded run" --no-sites
mkdir -p "$W/kids"
run "memscope-run: a program that runs another" "$MSRUN" -o "$W/kids/sh-%p.ms" sh -c 'sh -c "exit 0"; exit 0'
grep -q "memscope-run: also written: $W/kids/sh-[0-9]*.ms" "$W/step.log" && ok "names the child's trace too" || { fail "child trace not reported"; cat "$W/step.log"; }
[ "$(ls "$W/kids" | wc -l)" = 2 ] && ok "two traces (parent, child)" || fail "want 2 traces in $W/kids: $(ls "$W/kids")"
finish
