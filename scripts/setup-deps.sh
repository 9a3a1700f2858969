#!/bin/sh
# Installs what a fresh Debian 12 machine lacks to build and test memscope.
# Idempotent: prints nothing and changes nothing when everything is present.
set -eu
PKGS="clang-19 llvm-19-dev llvm-19-tools libclang-rt-19-dev libzstd-dev liblz4-dev
libbrotli-dev libmsgpack-dev libxxhash-dev libcmocka-dev libdw-dev libelf-dev
pkg-config cmake make python3 autoconf automake libtool binutils file"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "memscope setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/tmp/memscope-apt.log 2>&1; then
  $SUDO apt-get update -qq >>/tmp/memscope-apt.log 2>&1
  $SUDO apt-get install -y -qq --no-install-recommends $missing >>/tmp/memscope-apt.log 2>&1 || {
    echo "memscope setup: apt-get install failed, see /tmp/memscope-apt.log" >&2; exit 1; }
fi
