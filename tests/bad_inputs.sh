#!/bin/sh
# bad_inputs.sh -- every malformed scenario in tests/bad/ must exit 2 with
# exactly the "FILE:LINE: message" of the table below as the first line on
# stderr (the line and the reason are pinned: a file rejected at another line
# or for another reason fails) and leave no file in its output directory,
# under `run` and under `check`; and an existing run's files must survive a
# bad run into the same directory unchanged. A file of tests/bad/ missing
# from the table, or a table row without its file, fails too.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
count=0
# NAME|LINE|MESSAGE: each line checked by hand against the file. The first
# stderr line must be exactly FILE:LINE: MESSAGE, where a * in MESSAGE stands
# for any text (a list of valid keys that grows, bytes that are not UTF-8).
cat >"$work/expected" <<'TABLE'
bad_config_value|2|config seed_capital: 'lots' is not a finite number
bad_iso_date|2|ts '2026-02-30T00:00:00Z' is neither epoch seconds nor ISO-8601 UTC
binary_garbage|1|the header is not a row of column names (binary data?)
cell_in_unused_column|2|column 'wallet_balance' is not used by fill rows (given '5000')
config_after_timed_row|3|config rows must come before the first timed row
decreasing_timestamp|3|ts 4 goes back: line 2 has ts 5
duplicate_column|1|column 'price' appears twice
empty|1|empty file: expected a header row
expect_word_for_number|2|expect nav.total: 'high' is not a number, absent or null
fill_with_position_side|2|side 'LONG' on a fill row: expected BUY or SELL
header_only|2|no rows after the header
hex_number|2|price '0x10' is not a finite number
infinite_value|2|price 'inf' is not a finite number
leverage_below_one|2|leverage must be >= 1
lone_carriage_return|1|a carriage return without a line feed (lines end in LF or CRLF)
missing_timestamp|2|mark rows need a ts
missing_type_column|1|the header has no 'type' column
nan_value|2|price 'nan' is not a finite number
negative_fill_qty|2|qty must be > 0
number_with_suffix|2|price '12.5abc' is not a finite number
symbol_not_utf8|2|symbol: byte 7 is not valid UTF-8
too_many_fields|2|5 fields, but the header has 4
transfer_with_symbol|2|column 'symbol' is not used by transfer rows (given 'BTCUSDT')
transfer_without_amount|2|transfer rows need a amount
unknown_column|1|unknown column 'colour'
unknown_config_key|2|unknown config key 'seed_capitol' (did you mean 'seed_capital'?); valid keys: *
unknown_expect_path|2|unknown expect path 'k.capitol' (did you mean 'k.capital'?); valid paths: *
unknown_type|2|unknown row type 'markk'
unterminated_quote|2|unterminated quoted cell
TABLE
while IFS='|' read -r name line message; do
    [ -f "tests/bad/$name.csv" ] || { echo "FAIL table row $name: no tests/bad/$name.csv"; failures=$((failures + 1)); }
done <"$work/expected"
# The table and each stderr are read by the shell itself (no basename, grep,
# cut or head process per file: ~15 process starts per file before).
for file in tests/bad/*.csv; do
    count=$((count + 1))
    name=${file##*/}
    name=${name%.csv}
    expected=""
    while IFS= read -r row; do
        case "$row" in "$name|"*) expected=$row; break ;; esac
    done <"$work/expected"
    if [ -z "$expected" ]; then
        echo "FAIL $file: not in the table of expected messages"; failures=$((failures + 1)); continue
    fi
    expected_line=${expected#*|}
    expected_line=${expected_line%%|*}
    expected_message=${expected#*|*|}
    for command in run check; do
        "$LEDGERSIM" "$command" "$file" --out "$work/$name" >"$work/stdout" 2>"$work/stderr"
        status=$?
        if [ "$status" -ne 2 ]; then
            echo "FAIL $file ($command): exit $status, expected 2"; failures=$((failures + 1)); continue
        fi
        first=""
        IFS= read -r first <"$work/stderr"
        # shellcheck disable=SC2254
        case "$first" in
            "$file:$expected_line: "$expected_message) matched=yes ;;
            *) matched=no ;;
        esac
        if [ "$matched" = no ]; then
            echo "FAIL $file ($command): expected '$file:$expected_line: $expected_message', got:"
            cat "$work/stderr"; failures=$((failures + 1))
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
[ "$failures" -eq 0 ] && [ "$count" -ge 29 ]
