#!/bin/sh
# valgrind_compare.sh MODE BUILD_DIR WORKDIR VALGRIND CLANG NAME SOURCE.c... [FLAGS...]
# Builds program NAME from the sources (and link flags) after NAME, runs it
# with no arguments, and compares memscope's whole-heap totals against valgrind's memcheck (issue 6):
# total allocations, total frees and definitely-lost bytes must be equal.
#
# MODE same-run: the memscope-instrumented program runs under
#   `valgrind --leak-check=full`; both tools watch the very same run.
#   --soname-synonyms=somalloc=NONE-memscope keeps memcheck from replacing the
#   malloc family the memscope runtime defines in the executable (so libc's
#   own allocations still reach memscope, which then calls glibc's
#   __libc_malloc, which memcheck does replace).
# MODE native: the same source built natively with CLANG runs under memcheck,
#   and the instrumented build runs alone; deterministic programs must give
#   the same counts (a cross-check of memscope's counting that does not
#   depend on the two tools coexisting).
# Both: --run-libc-freeres=no, because memcheck otherwise frees libc's
# buffers (stdout's) after the program ended, which no in-process tool sees;
# -gdwarf-4 because Debian's valgrind 3.19 cannot read clang-19's DWARF 5.
set -u
if [ $# -lt 7 ]; then
  echo "usage: valgrind_compare.sh MODE BUILD_DIR WORKDIR VALGRIND CLANG NAME SOURCE.c... [FLAGS...]"
  exit 2
fi
mode=$1 build=$2 work=$3 valgrind=$4 clang=$5 name=$6
shift 6
case "$mode" in same-run|native) ;; *) echo "unknown mode $mode"; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/bin"
VG_OPTS="--leak-check=full --run-libc-freeres=no --error-exitcode=0"
. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
cd "$work" || exit 1
"$bin/memscope-cc" -O2 -gdwarf-4 -pthread "$@" -o "$name" || { echo "memscope-cc failed"; exit 1; }

fail=0
case "$mode" in
same-run)
  # valgrind must be able to run the instrumented binary as it is.
  MEMSCOPE_OPTIONS=output=probe.ms "$valgrind" $VG_OPTS --soname-synonyms=somalloc=NONE-memscope \
      --log-file=probe.txt "./$name" >/dev/null 2>&1
  if grep -q "Possibly corrupted debuginfo\|I can't recover" probe.txt; then
    echo "FAIL: valgrind cannot run the memscope-cc binary: it cannot read its debug info"
    echo "      (DWARF versions in the binary: $(readelf --debug-dump=info "$name" 2>/dev/null |
          sed -n 's/^ *Version: *//p' | sort | uniq -c | tr '\n' ' '))"
    grep "debuginfo\|dwarf" probe.txt | head -n 5 | sed 's/^/      /'
    echo "      continuing with a debug-stripped copy to compare the counts"
    fail=1
    objcopy --strip-debug "$name" "$name.vg" || exit 1
    run="./$name.vg"
  else
    run="./$name"
  fi
  MEMSCOPE_OPTIONS=output=trace.ms "$valgrind" $VG_OPTS --soname-synonyms=somalloc=NONE-memscope \
      --log-file=valgrind.txt $run >stdout.txt 2>stderr.txt
  ;;
native)
  "$clang" -O2 -gdwarf-4 -pthread "$@" -o "$name.native" || { echo "$clang failed"; exit 1; }
  "$valgrind" $VG_OPTS --log-file=valgrind.txt "./$name.native" >stdout.native.txt 2>&1
  MEMSCOPE_OPTIONS=output=trace.ms "./$name" >stdout.txt 2>stderr.txt
  ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
[ -s trace.ms ] || { echo "no trace written"; cat stderr.txt; exit 1; }
"$bin/memscope-report" trace.ms --json -o report.json || { echo "memscope-report failed"; exit 1; }
python3 -B "$here/valgrind_compare.py" "$mode" valgrind.txt report.json || fail=1
exit $fail
