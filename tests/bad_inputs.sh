#!/bin/sh
# bad_inputs.sh -- every malformed scenario in tests/bad/ must exit 2 with a
# "FILE:LINE: message" on stderr and leave no file in its output directory,
# under `run` and under `check`; and an existing run's files must survive a
# bad run into the same directory unchanged.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
count=0
for file in tests/bad/*.csv; do
    count=$((count + 1))
    name=$(basename "$file" .csv)
    for command in run check; do
        "$LEDGERSIM" "$command" "$file" --out "$work/$name" >"$work/stdout" 2>"$work/stderr"
        status=$?
        if [ "$status" -ne 2 ]; then
            echo "FAIL $file ($command): exit $status, expected 2"; failures=$((failures + 1)); continue
        fi
        if ! grep -q "^$file:[0-9][0-9]*: " "$work/stderr"; then
            echo "FAIL $file ($command): no FILE:LINE: message:"; cat "$work/stderr"; failures=$((failures + 1))
        fi
        if [ -e "$work/$name" ]; then
            echo "FAIL $file ($command): left $(find "$work/$name" | head -5)"; failures=$((failures + 1))
            rm -rf "${work:?}/$name"
        fi
    done
done
# A bad run over an existing output directory leaves the old files intact.
"$LEDGERSIM" run scenarios/r1_capital_vs_wallet.csv --out "$work/kept" >/dev/null || { echo "FAIL: good run"; exit 1; }
before=$(cd "$work/kept" && find . -type f | sort | xargs sha256sum)
"$LEDGERSIM" run tests/bad/decreasing_timestamp.csv --out "$work/kept" >/dev/null 2>&1
after=$(cd "$work/kept" && find . -type f | sort | xargs sha256sum)
[ "$before" = "$after" ] || { echo "FAIL: a bad run changed an existing output directory"; failures=$((failures + 1)); }
echo "bad inputs: $count files, $failures failures"
[ "$failures" -eq 0 ] && [ "$count" -ge 15 ]
