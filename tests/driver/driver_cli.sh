#!/bin/sh
# driver_cli.sh BIN CLANG WORK - memscope-cc / memscope-c++ / memscope-run
# command-line behaviour that needs no plugin or runtime: pass-through is
# exact, own errors say what and where (exit 2), exit statuses are passed on.
# The driver is copied to WORK/bin, so WORK/lib/memscope is empty.
set -u
BIN=$1 CLANG=$2 W=$3
rm -rf "$W" && mkdir -p "$W/bin" "$W/src" || exit 1
cp "$BIN/memscope-cc" "$BIN/memscope-c++" "$BIN/memscope-run" "$W/bin/" || exit 1
CC=$W/bin/memscope-cc
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_status WANT DESC CMD... (stderr in $W/err, stdout in $W/out)
expect_status() {
  want=$1 desc=$2; shift 2
  "$@" >"$W/out" 2>"$W/err"; got=$?
  if [ "$got" = "$want" ]; then ok "$desc"; else fail "$desc: exit $got, want $want"; cat "$W/err"; fi
}
expect_err() {   # expect_err TEXT DESC
  if grep -qF -- "$1" "$W/err"; then ok "$2"; else fail "$2: stderr lacks '$1'"; cat "$W/err"; fi
}
unset MEMSCOPE_CLANG MEMSCOPE_CLANGXX MEMSCOPE_CC_VERBOSE MEMSCOPE_CC_DISABLE MEMSCOPE_DRIVER_ACTIVE

cd "$W/src" || exit 1
printf 'int answer(void) { return 42; }\n' > x.c
printf 'int main(void) { return 0 }\n' > bad.c
printf '.text\n.globl f\nf: ret\n' > f.s
"$CLANG" -c x.c -o x.o || exit 1

# --- pass-through is exact: same output, same status
"$CLANG" --version >want.out 2>&1; "$CC" --version >got.out 2>&1
cmp -s want.out got.out && ok "--version identical" || fail "--version differs"
"$CLANG" -E x.c >want.out 2>&1; "$CC" -E -fmemscope-no-scope x.c >got.out 2>&1
cmp -s want.out got.out && ok "-E identical (own flag removed)" || fail "-E differs"
"$CLANG" -dumpmachine >want.out; "$CC" -dumpmachine >got.out
cmp -s want.out got.out && ok "-dumpmachine identical" || fail "-dumpmachine differs"
"$CLANG" -fsyntax-only bad.c >want.out 2>&1; want=$?
"$CC" -fsyntax-only bad.c >got.out 2>&1; got=$?
[ "$want" = "$got" ] && [ "$want" != 0 ] && cmp -s want.out got.out && ok "syntax error: same status $got and message" \
  || fail "syntax error: status $got vs $want"
expect_status 0 "-c of assembly passes through" "$CC" -c f.s -o f.o
expect_status 0 "-r link passes through" "$CC" -r x.o f.o -o xf.o
expect_status 0 "no input files: -print-prog-name" "$CC" -print-prog-name=ld
[ -s "$W/out" ] && ok "-print-prog-name printed" || fail "-print-prog-name printed nothing"
expect_status 0 "memscope-c++ pass-through" sh -c "printf '#ifdef __cplusplus\nCXX\n#endif\n' | '$W/bin/memscope-c++' -E -x c++ -"
grep -q '^CXX$' "$W/out" && ok "memscope-c++ runs a C++ compiler" || fail "memscope-c++ is not C++"

# --- missing pieces: clear message with the path, exit 2
expect_status 2 "compile without plugin" "$CC" -c x.c -o y.o
expect_err "memscope-cc: cannot find the memscope pass plugin at $W/lib/memscope/memscope-pass.so" "names the plugin path"
expect_status 2 "link without runtime" "$CC" x.o -o prog
expect_err "memscope-cc: cannot find the memscope runtime at $W/lib/memscope/libmemscope_rt.a" "names the runtime path"
expect_status 2 "shared link without shared runtime" "$CC" -shared x.o -o libx.so
expect_err "cannot find the memscope shared runtime at $W/lib/memscope/libmemscope_rt.so" "names the shared runtime path"
expect_status 0 "MEMSCOPE_CC_DISABLE=1 compiles plainly" env MEMSCOPE_CC_DISABLE=1 "$CC" -c x.c -o y.o -fmemscope-no-scope

# --- own options and errors
expect_status 2 "unknown -fmemscope option" "$CC" -fmemscope-bogus -c x.c
expect_err "memscope-cc: unknown or malformed option '-fmemscope-bogus'" "names the option"
expect_status 0 "--memscope-help" "$CC" --memscope-help
grep -q -- "-fmemscope-default-options" "$W/out" && ok "help lists options" || fail "help text"
expect_status 0 "--memscope-version" "$CC" --memscope-version
grep -q "memscope-cc (memscope)" "$W/out" && ok "version line" || fail "version text"
expect_status 1 "--memscope-print-config with pieces missing" "$CC" --memscope-print-config
grep -q "plugin: *$W/lib/memscope/memscope-pass.so (missing)" "$W/out" && ok "print-config shows the plugin path" || { fail "print-config"; cat "$W/out"; }

# --- the real compiler
expect_status 2 "MEMSCOPE_CLANG pointing at the driver" env MEMSCOPE_CLANG="$CC" "$CC" --version
expect_err "is memscope-cc itself" "refuses itself"
ln -sf "$CC" "$W/bin/cc-link"
expect_status 2 "MEMSCOPE_CLANG = symlink to the driver" env MEMSCOPE_CLANG="$W/bin/cc-link" "$CC" --version
expect_status 2 "MEMSCOPE_CLANG missing" env MEMSCOPE_CLANG=/nonexistent/clang "$CC" --version
expect_err "cannot find the real compiler '/nonexistent/clang'" "names the missing compiler"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$CC" > loop.sh; chmod +x loop.sh
expect_status 2 "wrapper loop" env MEMSCOPE_CLANG="$W/src/loop.sh" "$CC" --version
expect_err "wrapper loop" "says loop"
printf '#!/bin/sh\nexit 42\n' > exit42.sh; chmod +x exit42.sh
expect_status 42 "compiler's exit status passed on" env MEMSCOPE_CLANG="$W/src/exit42.sh" "$CC" --version
printf '#!/bin/sh\nkill -TERM $$\n' > killed.sh; chmod +x killed.sh
expect_status 143 "compiler killed by a signal: same death" env MEMSCOPE_CLANG="$W/src/killed.sh" "$CC" --version
expect_status 0 "MEMSCOPE_CLANG by name on PATH" env MEMSCOPE_CLANG="$(basename "$CLANG")" PATH="$(dirname "$CLANG"):$PATH" "$CC" --version
expect_status 0 "verbose prints the command" env MEMSCOPE_CC_VERBOSE=1 "$CC" -E x.c
expect_err "memscope-cc: running: " "verbose line"

# --- memscope-run
RUN=$W/bin/memscope-run
expect_status 2 "memscope-run without program" "$RUN"
expect_err "memscope-run: no program to run" "says so"
expect_status 2 "memscope-run bad codec" "$RUN" --compression xz true
expect_err "--compression takes zstd, lz4, brotli or none: 'xz'" "names the codec"
expect_status 127 "memscope-run missing program" "$RUN" no-such-program-ms
printf '#!/bin/sh\necho "opts=$MEMSCOPE_OPTIONS"\nexit 5\n' > s.sh; chmod +x s.sh
expect_status 5 "memscope-run returns the program's status" env MEMSCOPE_OPTIONS=stack_depth=8 "$RUN" -o t.ms --compression lz4 --level 3 ./s.sh
grep -q "^opts=stack_depth=8:output=t.ms:compression=lz4:level=3$" "$W/out" && ok "MEMSCOPE_OPTIONS appended" || { fail "options"; cat "$W/out"; }
expect_err "is not an ELF executable" "script noted"
expect_err "no trace was written to t.ms" "reports the missing trace"
printf '#!/bin/sh\nkill -KILL $$\n' > k.sh; chmod +x k.sh
expect_status 137 "memscope-run: killed program is 128+9" "$RUN" ./k.sh
expect_status 2 "memscope-run on an uninstrumented ELF without shared runtime" "$RUN" "$CLANG" --version
expect_err "cannot find the memscope shared runtime at $W/lib/memscope/libmemscope_rt.so" "names the path"

echo "$fails failure(s)"
[ "$fails" = 0 ]
