#!/bin/sh
# fuzz_corpus.sh -- replays every committed fuzz input as a regression case
# (issue 9): each target tests/fuzz/fuzz_NAME.c, built as the plain program
# $BUILD/fuzz/replay_NAME by `make fuzz-replay` (part of `make test`), runs
# over fixtures/fuzz/NAME/. Under `make asan` the replays carry ASan and
# UBSan. Passes when every input runs without a crash, a sanitizer finding or
# a broken invariant, and every target has a corpus of at least 5 inputs.
set -u
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
targets=0
for source in tests/fuzz/fuzz_*.c; do
    name=$(basename "$source" .c)
    name=${name#fuzz_}
    targets=$((targets + 1))
    replay="$BUILD/fuzz/replay_$name"
    corpus="fixtures/fuzz/$name"
    if [ ! -x "$replay" ]; then
        echo "FAIL $name: $replay is not built (make fuzz-replay BUILD=$BUILD)"; failures=$((failures + 1)); continue
    fi
    inputs=$(find "$corpus" -maxdepth 1 -type f 2>/dev/null | wc -l)
    if [ "$inputs" -lt 5 ]; then
        echo "FAIL $name: $corpus holds $inputs inputs, expected at least 5"; failures=$((failures + 1)); continue
    fi
    if "$replay" "$corpus" >"$work/out" 2>"$work/err"; then
        echo "ok   $name: $(cat "$work/out") replayed"
    else
        echo "FAIL $name: $(grep '^input ' "$work/err" | tail -1)"
        grep -v '^input ' "$work/err" | head -30 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
done
echo "fuzz corpus: $targets targets, $failures failures"
[ "$failures" -eq 0 ] && [ "$targets" -ge 3 ]
