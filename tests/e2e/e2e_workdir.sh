# e2e_workdir.sh - sourced by the e2e scripts: e2e_fresh_workdir DIR empties
# DIR for a run, but only a directory these scripts made (it holds the
# marker .e2e-work) or one that does not exist yet: a wrong argument must
# never delete anything else.
e2e_fresh_workdir() {
  if [ -e "$1" ] && [ ! -f "$1/.e2e-work" ]; then
    echo "refusing to use $1 as a work directory: it exists and was not made by tests/e2e"
    exit 1
  fi
  rm -rf "$1" && mkdir -p "$1" && : >"$1/.e2e-work"
}
