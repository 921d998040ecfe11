#!/bin/sh
# valgrind.sh "VALGRIND COMMAND" BUILD BIN UNIT_TEST... -- FUZZ_NAME...
# (`make valgrind`, issue 9). Runs under the valgrind command, which must
# exit non-zero on any error or leak:
#   every unit test binary (CK_FORK=no: one process, so that valgrind sees it all),
#   every fuzz corpus replay BUILD/fuzz/replay_NAME over fixtures/fuzz/NAME/,
#   tests/io_faults.sh with every ledgersim run under valgrind (the error
#   paths of every failed save leak nothing), kind "any" only: it reaches
#   every open, write, fsync and rename of a save.
# The groups run in two lanes at once (valgrind is slow: about 50x). One line
# per group, a last line "N passed, N failed"; exit 1 on any failure.
set -u
VALGRIND=$1
BUILD=$2
BIN=$3
shift 3
LEDGERSIM=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# The groups, one a line: NAME|COMMAND. The slowest first, so that the lanes balance.
{
    echo "tests/io_faults.sh (any, once)|LEDGERSIM='$LEDGERSIM' LEDGERSIM_WRAPPER='$VALGRIND' IO_FAULT_KINDS=any IO_FAULT_MODES=once sh tests/io_faults.sh"
    echo "tests/io_faults.sh (any, persistent)|LEDGERSIM='$LEDGERSIM' LEDGERSIM_WRAPPER='$VALGRIND' IO_FAULT_KINDS=any IO_FAULT_MODES=persistent sh tests/io_faults.sh"
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        echo "unit $(basename "$1")|CK_FORK=no $VALGRIND $1"
        shift
    done
    [ $# -gt 0 ] && shift
    for name in "$@"; do echo "fuzz corpus $name|$VALGRIND $BUILD/fuzz/replay_$name fixtures/fuzz/$name"; done
} >"$log/groups"
# lane N: runs every other group (N = 0 or 1), each into log/INDEX.out and .status.
lane() {
    index=0
    while IFS='|' read -r name command; do
        if [ $((index % 2)) -eq "$1" ]; then
            sh -c "$command" </dev/null >"$log/$index.out" 2>&1
            echo $? >"$log/$index.status"
        fi
        index=$((index + 1))
    done <"$log/groups"
}
lane 0 &
lane 1 &
wait
passed=0
failed=0
index=0
while IFS='|' read -r name command; do
    if [ "$(cat "$log/$index.status" 2>/dev/null)" = 0 ]; then
        passed=$((passed + 1)); echo "PASS valgrind $name"
    else
        failed=$((failed + 1)); echo "FAIL valgrind $name"; grep -v '^input ' "$log/$index.out" | tail -40 | sed 's/^/    /'
    fi
    index=$((index + 1))
done <"$log/groups"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
