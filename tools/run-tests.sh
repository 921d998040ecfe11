#!/bin/sh
# run-tests.sh BUILD BIN -- every test of the project, one line per test
# group, and a last line "N passed, N failed" (the groups). Exit 1 on any
# failure.
#   unit:      every Check binary in BUILD/tests/
#   scenarios: `ledgersim check` over scenarios/*.csv
#   tests/*.sh every other test script (each exits 0 on success); it gets
#              LEDGERSIM=BIN and BUILD in its environment.
set -u
BUILD=${1:-build}
BIN=${2:-bin/ledgersim}
LEDGERSIM=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
export LEDGERSIM BUILD
passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
record() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1"
    else failed=$((failed + 1)); echo "FAIL $1"; sed 's/^/    /' "$log/out" | tail -40; fi
}
for test_binary in "$BUILD"/tests/test_*; do
    [ -x "$test_binary" ] || continue
    CK_FORK=yes "$test_binary" >"$log/out" 2>&1
    status=$?
    grep -E '^[0-9]+%: Checks' "$log/out" | sed "s|^|    $(basename "$test_binary"): |"
    record "unit $(basename "$test_binary")" $status
done
"$LEDGERSIM" check --out "$log/scenarios" scenarios/*.csv >"$log/out" 2>&1
status=$?
tail -1 "$log/out" | sed 's/^/    scenarios: /'
record "scenarios (ledgersim check scenarios/*.csv)" $status
for script in tests/*.sh; do
    [ -f "$script" ] || continue
    sh "$script" >"$log/out" 2>&1
    record "$script" $?
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
