#!/bin/sh
# test_rt_bug_dwarf4 - regression test of e2e bug 4: valgrind 3.19 gave up on
# every memscope-cc binary ("unhandled dwarf2 abbrev form code 0x25") because
# the runtime's and libmsformat's objects carried DWARF 5.
# Usage: test_rt_bug_dwarf4.sh DWARFDUMP LIBDIR RT_PROG [VALGRIND]
set -u
dump=$1 libdir=$2 prog=$3 vg=${4:-}
fail=0
for a in "$libdir/libmemscope_rt.a" "$libdir/libmsformat.a" "$libdir/libmemscope_rt.so"; do
    v5=$("$dump" --debug-info "$a" | grep -c 'version = 0x0005')
    v4=$("$dump" --debug-info "$a" | grep -c 'version = 0x0004')
    echo "$a: DWARF4 CUs $v4, DWARF5 CUs $v5"
    if [ "$v5" -ne 0 ] || [ "$v4" -eq 0 ]; then
        echo "FAIL: $a must carry DWARF 4 only"
        fail=1
    fi
done
# The real consumer: valgrind reads a program linked with the runtime.
if [ -n "$vg" ] && [ -x "$vg" ]; then
    d=$(mktemp -d /tmp/rt_dwarf4_XXXXXX)
    (cd "$d" && MEMSCOPE_OPTIONS=output=vg.ms "$vg" -q --leak-check=no "$prog" basic \
        >/dev/null 2>vg.err)
    rc=$?
    if [ $rc -ne 0 ] || grep -q 'Giving up\|unhandled dwarf2' "$d/vg.err" || [ ! -s "$d/vg.ms" ]; then
        echo "FAIL: valgrind run of $prog (rc $rc):"
        head -5 "$d/vg.err"
        fail=1
    else
        echo "valgrind read $prog and the runtime: ok"
    fi
    rm -rf "$d"
else
    echo "valgrind not found: debug-info check only"
fi
exit $fail
