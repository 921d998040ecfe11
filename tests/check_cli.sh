#!/bin/sh
# check_cli.sh -- the run/check command line: failed expectations and their
# exit status, config precedence, determinism, the per-file lines, --junit
# (validated against fixtures/junit/junit.xsd), files without expect rows,
# folders, output-name clashes, usage errors, help and version.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A failed expectation: exit 1, FILE:LINE: PATH expected X, got Y, summary line.
cat >"$work/wrong.csv" <<'CSV'
ts,type,symbol,side,qty,price,key,value
1,fill,BTCUSDT,BUY,1,100,,
1,expect,,,,,k.fees_paid,3
1,expect,,,,,status,OK
CSV
"$LEDGERSIM" check "$work/wrong.csv" --out "$work/wrong" >"$work/out" 2>&1
[ $? -eq 1 ] || fail "a failed expectation must exit 1"
grep -qx "$work/wrong.csv:3: k.fees_paid expected 3, got 0" "$work/out" || { cat "$work/out"; fail "failure line"; }
tail -1 "$work/out" | grep -qx "0 passed, 1 failed" || fail "summary line"

# Mixed: one good, one failing, one bad file -> exit 2, summary counts files.
"$LEDGERSIM" check scenarios/funding.csv "$work/wrong.csv" tests/bad/nan_value.csv --out "$work/mixed" >"$work/out" 2>&1
[ $? -eq 2 ] || fail "bad input among files must exit 2"
tail -1 "$work/out" | grep -qx "1 passed, 2 failed" || { cat "$work/out"; fail "mixed summary"; }

# Precedence: --set over --config over scenario config rows over defaults.
cat >"$work/precedence.csv" <<'CSV'
ts,type,key,value
,config,seed_capital,5000
,config,reconcile.pending_fee_bound,50
1,expect,k.capital,10000
CSV
"$LEDGERSIM" check "$work/precedence.csv" --config fixtures/config/thresholds.json --out "$work/p1" >/dev/null ||
    fail "--config must override the scenario's config rows"
"$LEDGERSIM" check "$work/precedence.csv" --config fixtures/config/thresholds.json --set seed_capital=7000 \
    --out "$work/p2" >"$work/out" 2>&1
grep -q "k.capital expected 10000, got 7000" "$work/out" || fail "--set must override --config"
"$LEDGERSIM" run "$work/precedence.csv" --set seed_capitol=1 --out "$work/p3" 2>"$work/out"
[ $? -eq 2 ] && grep -q "unknown config key" "$work/out" || fail "--set with an unknown key"

# Determinism: two runs give byte-identical trees. The two series of runs
# (into a/ and into b/) go at once, in two lanes: each run waits for its
# fsyncs with the CPU idle. A lane prints the scenario of a failed run.
runs_into() { # a|b
    for scenario in scenarios/*.csv; do
        name=${scenario##*/}
        "$LEDGERSIM" run "$scenario" --out "$work/$1/${name%.csv}" >/dev/null 2>&1 || echo "$scenario"
    done
}
runs_into a >"$work/a.failed" &
lane_a=$!
runs_into b >"$work/b.failed" &
lane_b=$!
wait "$lane_a" "$lane_b"
[ -s "$work/a.failed" ] && fail "run $(head -1 "$work/a.failed")"
[ -s "$work/b.failed" ] && fail "run $(head -1 "$work/b.failed")"
diff -r "$work/a" "$work/b" >/dev/null || fail "two runs differ"

# Every JSON file parses and no number is NaN/Infinity text: one python3
# for all of them (python3 here takes about a second to start).
find "$work/a" -name '*.json' | sort >"$work/json-files"
[ "$(grep -c '' "$work/json-files")" -ge 100 ] || fail "fewer JSON files than the scenarios write"
python3 - "$work/json-files" <<'PY' || fail "a JSON file does not parse"
import json, sys
def non_finite(text):
    raise ValueError("non-finite " + text)
bad = 0
for path in open(sys.argv[1]).read().split():
    try:
        json.load(open(path), parse_constant=non_finite)
    except ValueError as error:
        print(path + ": " + str(error)); bad += 1
if bad:
    sys.exit(1)
PY

# check prints one line per file: PASS FILE (N expectations, T s). Times vary:
# every comparison below drops them first.
strip_times() { sed -E 's/, [0-9]+\.[0-9]+ s\)$/)/'; }
"$LEDGERSIM" check scenarios/funding.csv --out "$work/one" >"$work/out" 2>&1 || fail "check funding.csv"
expected_rows=$(grep -c ',expect,' scenarios/funding.csv)
grep -Eqx "PASS scenarios/funding.csv \($expected_rows expectations, [0-9]+\.[0-9]{2} s\)" "$work/out" ||
    { cat "$work/out"; fail "the per-file PASS line"; }

# A folder stands for every *.csv in it, sorted: the same as the files listed.
# (The two checks run at once: separate outputs, fsync waits overlapped.)
"$LEDGERSIM" check scenarios/*.csv --out "$work/listed" >"$work/listed.out" 2>&1 &
listed=$!
"$LEDGERSIM" check scenarios/ --out "$work/folder" --junit "$work/all.xml" >"$work/folder.out" 2>&1 ||
    { wait "$listed"; fail "check scenarios/"; }
wait "$listed" || fail "check scenarios/*.csv"
strip_times <"$work/folder.out" | sed 's|scenarios//|scenarios/|' >"$work/folder.plain"
strip_times <"$work/listed.out" >"$work/listed.plain"
cmp -s "$work/folder.plain" "$work/listed.plain" || { diff "$work/listed.plain" "$work/folder.plain"; fail "check DIR differs"; }
[ "$(grep -c '^PASS ' "$work/folder.out")" -eq "$(ls scenarios/*.csv | wc -l)" ] || fail "one PASS line per scenario"

# --junit: valid JUnit XML (the schema CI reporters read), one testsuite per
# file, one testcase per expect row, each failure with FILE:LINE, expected, actual.
command -v xmllint >/dev/null 2>&1 || fail "xmllint is not installed (tools/install-deps.sh installs libxml2-utils)"
xmllint --noout --schema fixtures/junit/junit.xsd "$work/all.xml" 2>"$work/xmllint.err" ||
    { cat "$work/xmllint.err"; fail "check --junit: not valid JUnit XML"; }
[ "$(grep -c '<testsuite ' "$work/all.xml")" -eq "$(ls scenarios/*.csv | wc -l)" ] || fail "one testsuite per file"
[ "$(grep -c '<testcase ' "$work/all.xml")" -eq "$(cat scenarios/*.csv | grep -c ',expect,')" ] ||
    fail "one testcase per expect row"
printf 'ts,type,symbol,price\n1,mark,BTCUSDT,100\n' >"$work/empty.csv"
"$LEDGERSIM" check "$work/wrong.csv" scenarios/funding.csv tests/bad/nan_value.csv "$work/empty.csv" \
    --out "$work/j2" --junit "$work/mixed.xml" >"$work/out" 2>"$work/err"
[ $? -eq 2 ] || fail "bad input among files must exit 2 (with --junit)"
xmllint --noout --schema fixtures/junit/junit.xsd "$work/mixed.xml" 2>"$work/xmllint.err" ||
    { cat "$work/xmllint.err"; fail "check --junit with failures: not valid JUnit XML"; }
grep -q "<testsuites name=\"ledgersim check\" tests=\"$((expected_rows + 4))\" failures=\"2\" errors=\"1\"" \
    "$work/mixed.xml" || { head -3 "$work/mixed.xml"; fail "JUnit totals"; }
grep -q "<failure message=\"$work/wrong.csv:3: k.fees_paid expected 3, got 0\" type=\"expectation\">" \
    "$work/mixed.xml" || fail "JUnit failure: FILE:LINE, expected and actual"
grep -q "<testcase classname=\"$work/wrong.csv\" name=\"line 3: k.fees_paid = 3\" file=\"$work/wrong.csv\" line=\"3\">" \
    "$work/mixed.xml" || fail "JUnit testcase: file and line"
grep -q '<error message="tests/bad/nan_value.csv:[0-9]*: ' "$work/mixed.xml" || fail "JUnit error for bad input"

# A file without expect rows fails (a check that checks nothing), unless --allow-empty.
"$LEDGERSIM" check "$work/empty.csv" --out "$work/e1" >"$work/out" 2>&1
[ $? -eq 1 ] || fail "a file without expect rows must fail check"
grep -q "^$work/empty.csv: no expect rows" "$work/out" || fail "the no-expect-rows message"
grep -Eqx "FAIL $work/empty.csv \(0 expectations, [0-9.]+ s\)" "$work/out" || fail "FAIL line of an empty file"
"$LEDGERSIM" check "$work/empty.csv" --allow-empty --out "$work/e2" >/dev/null 2>&1 || fail "--allow-empty"

# check takes run's --trace and --report.
"$LEDGERSIM" check scenarios/funding.csv --trace none --out "$work/t" >/dev/null 2>&1 || fail "check --trace none"
[ ! -e "$work/t/logs/reconcile.jsonl" ] || fail "check --trace none wrote reconcile.jsonl"

# Two files that would write one output folder are refused, nothing written.
mkdir -p "$work/x1" "$work/x2"
cp scenarios/funding.csv "$work/x1/same.csv"; cp scenarios/funding.csv "$work/x2/same.csv"
"$LEDGERSIM" run "$work/x1/same.csv" "$work/x2/same.csv" --out "$work/same" >"$work/out" 2>&1
[ $? -eq 2 ] || fail "two files named alike must be refused (exit 2)"
grep -q "would both write $work/same/same" "$work/out" || fail "the name clash message"
[ ! -e "$work/same" ] || fail "a refused run wrote something"

# Usage errors: the error (with did you mean), one usage line, see --help; exit 2.
"$LEDGERSIM" check --junt x.xml scenarios/ >"$work/out" 2>&1
[ $? -eq 2 ] || fail "an unknown option must exit 2"
[ "$(grep -c '' "$work/out")" -eq 3 ] || { cat "$work/out"; fail "a usage error is three lines"; }
sed -n 1p "$work/out" | grep -qx "ledgersim check: unknown option '--junt' (did you mean '--junit'?)" ||
    fail "did you mean --junit"
sed -n 2p "$work/out" | grep -q '^usage: ledgersim check ' || fail "the usage line"
sed -n 3p "$work/out" | grep -qx "see 'ledgersim check --help'" || fail "see --help"
"$LEDGERSIM" chek >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "unknown command 'chek' (did you mean 'check'?)" "$work/out" || fail "did you mean check"
"$LEDGERSIM" check scenarios/funding.csv --set tp.pt=1 --out "$work/k" >"$work/out" 2>&1
grep -q "unknown config key 'tp.pt' (did you mean 'tp.pct'?); valid keys: seed_capital, " "$work/out" ||
    fail "an unknown config key lists the valid keys"
printf 'ts,type,key,value\n1,expect,k.capitol,1\n' >"$work/path.csv"
"$LEDGERSIM" check "$work/path.csv" --out "$work/k" >"$work/out" 2>&1
grep -q "path.csv:2: unknown expect path 'k.capitol' (did you mean 'k.capital'?); valid paths: status, .*ledger.SYM" \
    "$work/out" || fail "an unknown expect path lists the valid paths"

# Exit statuses: the same four everywhere (top-level --help, live --help, README).
"$LEDGERSIM" --help | grep -q "3 an output error" || fail "top-level --help: exit status 3"
"$LEDGERSIM" live --help | grep -q "^Exit status: 0 " || fail "live --help: exit statuses"
grep -q "^Exit status everywhere: 0 success, 1 a check failed" README.md || fail "README: exit statuses"

# fuzz --junit: a testcase for the clean run and one per seed.
"$LEDGERSIM" fuzz scenarios/backtest_fuzz.csv --seeds 1..5 --faults all=0.01 --junit "$work/fuzz.xml" \
    >/dev/null 2>&1 || fail "fuzz --junit"
xmllint --noout --schema fixtures/junit/junit.xsd "$work/fuzz.xml" 2>/dev/null || fail "fuzz --junit: not valid"
[ "$(grep -c '<testcase ' "$work/fuzz.xml")" -eq 6 ] || fail "fuzz --junit: 1 + 5 testcases"

# No help text points outside the repository (the formats are in docs/).
for command in run check ledger report fuzz gen live; do
    "$LEDGERSIM" "$command" --help 2>&1 | grep -q 'shared/' && fail "$command --help points outside the repository"
done
"$LEDGERSIM" --help | grep -q 'shared/' && fail "--help points outside the repository"
grep -q 'shared/spec' README.md && fail "README points to shared/spec"
[ -f docs/scenario-format.md ] && [ -f docs/state-files.md ] || fail "docs/ lacks the formats"

"$LEDGERSIM" --version | grep -q '^ledgersim ' || fail "--version"
for command in run check ledger report fuzz gen live; do
    "$LEDGERSIM" "$command" --help >/dev/null 2>&1 || fail "$command --help"
done
"$LEDGERSIM" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command must exit 2"
echo "check_cli: ok"
