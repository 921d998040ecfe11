#!/bin/sh
# reliability.sh -- issue 15, case by case: a run's outputs change as one
# set, one writer at a time, no symbolic link followed, `ledger --sync` loses
# nothing of the executor's file, readers that refuse what they cannot read,
# and the small ones (exit statuses, limits, one duplicate-key rule, the
# fault hook absent from the release binary). Every check below failed
# before issue 15.
#   env: LEDGERSIM (the binary), LEDGERSIM_HOOKED (the test binary, default
#        LEDGERSIM-test)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
HOOKED=${LEDGERSIM_HOOKED:-$LEDGERSIM-test}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
checks=0
fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
check() { checks=$((checks + 1)); }
[ -x "$HOOKED" ] || { echo "FAIL: no test binary $HOOKED"; exit 1; }
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | awk '{print $2, $1}'); }

header='ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin,high,low,entry_price,tp,sl,key,value'
cat >"$work/a.csv" <<CSV
$header
,,config,,,,,,,,,,,,,,seed_capital,10000
1,e1,fill,BTCUSDT,BUY,0.1,50000,2,0,,,,,,,,,
1,e1,balance,,,,,,,9998,5000,,,,,,,
2,,mark,BTCUSDT,,,50100,,,,,,,,,,,
CSV
cat >"$work/b.csv" <<CSV
$header
,,config,,,,,,,,,,,,,,seed_capital,20000
1,e1,fill,ETHUSDT,SELL,2,3000,1.5,0,,,,,,,,,
1,e1,balance,,,,,,,19998.5,6000,,,,,,,
2,,mark,ETHUSDT,,,2950,,,,,,,,,,,
CSV
"$LEDGERSIM" run "$work/a.csv" --out "$work/A" >/dev/null 2>&1 || { echo "FAIL: run A"; exit 1; }
"$LEDGERSIM" run "$work/b.csv" --out "$work/B" >/dev/null 2>&1 || { echo "FAIL: run B"; exit 1; }
sums "$work/A" >"$work/A.sums"
sums "$work/B" >"$work/B.sums"

# --- 1. one generation per run -----------------------------------------------
# A file of an earlier run that this run does not write (a stale report) is gone.
mkdir -p "$work/g"
cp -R "$work/A" "$work/g/out"
mkdir -p "$work/g/out/reports"
echo stale >"$work/g/out/reports/nav.png"
"$LEDGERSIM" run "$work/b.csv" --out "$work/g/out" >/dev/null 2>&1 || fail "run over an earlier run"
sums "$work/g/out" | cmp -s - "$work/B.sums" || fail "a rerun left files of the earlier run (stale report)"
[ "$(ls -A "$work/g")" = out ] || fail "the run left something beside DIR: $(ls -A "$work/g")"
check
# The fallback of file systems without RENAME_EXCHANGE gives the same result.
LEDGERSIM_TEST_NO_EXCHANGE=1 "$HOOKED" run "$work/a.csv" --out "$work/g/out" >/dev/null 2>&1 || fail "fallback run"
sums "$work/g/out" | cmp -s - "$work/A.sums" || fail "the fallback swap did not give exactly the new run"
[ "$(ls -A "$work/g")" = out ] || fail "the fallback left something beside DIR: $(ls -A "$work/g")"
check
# A run killed between the fallback's two renames (DIR moved aside, no DIR):
# the next run restores it before anything else (here a run that then fails
# on bad input, so DIR must be that previous run again).
mv "$work/g/out" "$work/g/.out.previous"
{ cat "$work/b.csv"; echo "3,,mark,BTCUSDT,,,-1,,,,,,,,,,,"; } >"$work/late_b.csv"
"$LEDGERSIM" run "$work/late_b.csv" --out "$work/g/out" >/dev/null 2>&1
[ -d "$work/g/out" ] && sums "$work/g/out" | cmp -s - "$work/A.sums" || fail "a parked previous run was not restored to DIR"
[ "$(ls -A "$work/g")" = out ] || fail "the restoring run left something beside DIR: $(ls -A "$work/g")"
check
# A DIR holding anything but a run's output is never replaced.
mkdir -p "$work/home/logs"
echo precious >"$work/home/notes.txt"
"$LEDGERSIM" run "$work/a.csv" --out "$work/home" >/dev/null 2>"$work/err"
[ $? -eq 3 ] || fail "a DIR with other files: expected exit 3"
grep -q 'notes.txt' "$work/err" || fail "the refusal does not name the foreign file"
[ "$(cat "$work/home/notes.txt")" = precious ] || fail "a foreign DIR was touched"
check
# Bad input late in a file: no folder created for --out is left.
{ cat "$work/a.csv"; echo "3,,mark,BTCUSDT,,,-1,,,,,,,,,,,"; } >"$work/late.csv"
"$LEDGERSIM" run "$work/late.csv" --out "$work/new1/new2/out" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad input late in a file: expected exit 2"
[ ! -e "$work/new1" ] || fail "bad input late in a file left folders: $(find "$work/new1")"
check

# --- 2. one writer -------------------------------------------------------------
# Deterministic: this Python process holds the locks (fcntl, as ledgersim
# takes them); a run, a check and a --sync on the same paths fail at once
# with exit 3 naming its pid, and change nothing.
mkdir -p "$work/w"
cp -R "$work/A" "$work/w/out"
echo '{}' >"$work/w/registry.json"
echo '{"positions": [{"symbol": "BTCUSDT", "side": "LONG", "qty": 1, "entry_price": 100}]}' >"$work/positions.json"
python3 - "$LEDGERSIM" "$work" <<'PY' || fail "a second writer was not refused"
import fcntl, os, subprocess, sys
binary, work = sys.argv[1], sys.argv[2]
bad = []
holds = []
for lock in (work + "/w/.out.lock", work + "/w/.registry.json.lock"):
    handle = open(lock, "w")
    fcntl.lockf(handle, fcntl.LOCK_EX)
    holds.append(handle)
commands = [[binary, "run", work + "/b.csv", "--out", work + "/w/out"],
            [binary, "check", work + "/b.csv", "--out", work + "/w/out"],
            [binary, "ledger", "--positions", work + "/positions.json", "--tp-sl", work + "/w/registry.json",
             "--sync", "--ts", "1"]]
for command in commands:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 3:
        bad.append("%s: exit %d, expected 3" % (command[1], done.returncode))
    if "process %d" % os.getpid() not in done.stderr:
        bad.append("%s: the message does not name the holder's pid: %r" % (command[1], done.stderr))
if open(work + "/w/registry.json").read() != "{}\n":
    bad.append("the registry changed under a held lock")
for line in bad:
    print(line)
if bad:
    sys.exit(1)
PY
sums "$work/w/out" | cmp -s - "$work/A.sums" || fail "a refused run changed DIR"
check
# Two real writers at once, many times: each exits 0 or 3 (naming a pid),
# and DIR is always exactly one whole run.
rm -rf "$work/w/out"
trial=0
refused=0
while [ "$trial" -lt 10 ]; do
    "$LEDGERSIM" run "$work/a.csv" --out "$work/w/out" >/dev/null 2>"$work/err1" &
    first=$!
    "$LEDGERSIM" run "$work/b.csv" --out "$work/w/out" >/dev/null 2>"$work/err2"
    second=$?
    wait "$first"
    status=$?
    for pair in "$status:$work/err1" "$second:$work/err2"; do
        code=${pair%%:*}
        case $code in
            0) ;;
            3) refused=$((refused + 1)); grep -q 'being written by process [0-9]' "${pair#*:}" || fail "concurrent: exit 3 without the holder's pid" ;;
            *) fail "concurrent writers: exit $code" ;;
        esac
    done
    sums "$work/w/out" >"$work/now.sums"
    cmp -s "$work/now.sums" "$work/A.sums" || cmp -s "$work/now.sums" "$work/B.sums" || fail "concurrent writers mixed two runs"
    trial=$((trial + 1))
done
echo "concurrent writers: 10 pairs, $refused refused"
check

# --- 3. no symbolic link followed ----------------------------------------------
echo target >"$work/target"
mkdir -p "$work/l"
cp -R "$work/A" "$work/l/out"
for name in account nav kpis_v7 positions_state position_tp_sl state; do
    ln -s "$work/target" "$work/l/out/logs/state/$name.json.tmp"
done
for name in reconcile.jsonl nav.csv exits.jsonl faults.jsonl orders.jsonl marks.csv; do
    ln -s "$work/target" "$work/l/out/logs/$name.tmp"
done
ln -s "$work/target" "$work/l/.out.previous"
"$LEDGERSIM" run "$work/b.csv" --out "$work/l/out" >/dev/null 2>&1 || fail "a run with planted links failed"
[ "$(cat "$work/target")" = target ] || fail "a run wrote through a planted link"
sums "$work/l/out" | cmp -s - "$work/B.sums" || fail "a run over planted links is not exactly the new run"
check
# The lock's name as a link: refused (O_NOFOLLOW), the target untouched.
ln -s "$work/target" "$work/l/.out.lock"
"$LEDGERSIM" run "$work/a.csv" --out "$work/l/out" >/dev/null 2>&1
[ $? -eq 3 ] || fail "a link at the lock's name was not refused"
[ "$(cat "$work/target")" = target ] || fail "a run wrote through the lock's link"
rm "$work/l/.out.lock"
check
# --sync: links at the old fixed temp name and at this process's likely names.
echo '{}' >"$work/l/registry.json"
ln -s "$work/target" "$work/l/registry.json.tmp"
"$LEDGERSIM" ledger --positions "$work/positions.json" --tp-sl "$work/l/registry.json" --sync --ts 1 >/dev/null 2>&1 ||
    fail "--sync with a planted link failed"
[ "$(cat "$work/target")" = target ] || fail "--sync wrote through a planted link"
grep -q BTCUSDT "$work/l/registry.json" || fail "--sync did not write the registry"
check

# --- 4. --sync keeps every field of the entries it keeps --------------------------
cat >"$work/executor.json" <<'JSON'
{
  "BTCUSDT": {"side": "LONG", "entry_price": 50000.10, "tp": 5.1e4, "sl": null, "created_ts": 1, "updated_ts": 2,
              "tp_order_id": 123456789012345678, "trailing": {"active": true, "offset_pct": 0.5, "peak": [1, 2.50]},
              "note": "caf\u00e9"},
  "XRPUSDT": {"side": "SHORT", "entry_price": 0.5, "tp": 0.4, "sl": 0.6, "created_ts": 1, "updated_ts": 1,
              "tp_order_id": 7}
}
JSON
cat >"$work/positions2.json" <<'JSON'
{"positions": [{"symbol": "BTCUSDT", "side": "LONG", "qty": 1, "entry_price": 50000.1},
               {"symbol": "ETHUSDT", "side": "SHORT", "qty": 2, "entry_price": 3000}]}
JSON
cp "$work/executor.json" "$work/r.json"
"$LEDGERSIM" ledger --positions "$work/positions2.json" --tp-sl "$work/r.json" --sync --ts 9 >"$work/out.txt" 2>&1
[ $? -le 1 ] || fail "--sync of a registry with unknown fields: $(cat "$work/out.txt")"
python3 - "$work/executor.json" "$work/r.json" <<'PY' || fail "--sync lost or changed a field of a kept entry"
import json, sys
before, after = open(sys.argv[1]).read(), open(sys.argv[2]).read()
old, new = json.loads(before), json.loads(after)
problems = []
if new.get("BTCUSDT") != old["BTCUSDT"]:
    problems.append("BTCUSDT changed: %r" % new.get("BTCUSDT"))
# Byte for byte in value: the kept entry's text is in the new file as it was.
start = before.index('{"side": "LONG"')
end = before.index('"note": "caf\\u00e9"}') + len('"note": "caf\\u00e9"}')
if before[start:end] not in after:
    problems.append("the kept entry's text is not in the file as it was")
if "XRPUSDT" in new:
    problems.append("XRPUSDT (no position) was not removed")
if sorted(new) != ["BTCUSDT", "ETHUSDT"] or new["ETHUSDT"].get("created_ts") != 9:
    problems.append("ETHUSDT was not seeded: %r" % new)
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
PY
check
# The executor writes the registry between sync's read and its rename: sync
# starts over from the new file (the executor's entry survives) ...
cp "$work/executor.json" "$work/r.json"
cat >"$work/executor2.json" <<'JSON'
{"BTCUSDT": {"side": "LONG", "entry_price": 50000.1, "tp": 52000, "sl": 49000, "created_ts": 1, "updated_ts": 3, "tp_order_id": 99}}
JSON
LEDGERSIM_TEST_AT_SYNC_BEFORE_RENAME="[ -e '$work/once' ] || { cp '$work/executor2.json' '$work/r.json'; : >'$work/once'; }" \
    "$HOOKED" ledger --positions "$work/positions2.json" --tp-sl "$work/r.json" --sync --ts 9 >/dev/null 2>&1
[ $? -le 1 ] || fail "--sync did not succeed after starting over"
grep -q '"tp_order_id": 99' "$work/r.json" || fail "--sync lost the executor's write made during the sync"
check
# ... and when the file keeps changing, it refuses (exit 3) and leaves the executor's file.
cp "$work/executor.json" "$work/r.json"
: >"$work/spaces"
LEDGERSIM_TEST_AT_SYNC_BEFORE_RENAME="echo ' ' >>'$work/spaces'; cat '$work/executor2.json' '$work/spaces' >'$work/r.json'" \
    "$HOOKED" ledger --positions "$work/positions2.json" --tp-sl "$work/r.json" --sync --ts 9 >/dev/null 2>"$work/err"
[ $? -eq 3 ] || fail "--sync over a registry changing all the time: expected exit 3"
grep -q 'changed while it was being synced' "$work/err" || fail "--sync does not say why it refused"
grep -q '"tp_order_id": 99' "$work/r.json" || fail "--sync overwrote the executor's write"
check

# --- 5. readers ---------------------------------------------------------------
frame='{"e":"markPriceUpdate","E":1767225600000,"s":"BTCUSDT","p":"50000"}'
frame2='{"e":"markPriceUpdate","E":1767225601000,"s":"BTCUSDT","p":"50100"}'
# A NUL at a line's start and inside a line: each an error naming its line;
# the next line is read as itself (its own number, converted).
printf '\000%s\n%s\n%s\000x\n%s\n' "$frame" "$frame" "$frame2" "$frame2" >"$work/nul.jsonl"
"$LEDGERSIM" live convert "$work/nul.jsonl" >"$work/nul.csv" 2>"$work/err"
[ $? -eq 2 ] || fail "live convert with NUL bytes: expected exit 2"
grep -q 'nul.jsonl:1: a NUL byte' "$work/err" || fail "a NUL at a line's start is not reported at line 1"
grep -q 'nul.jsonl:3: a NUL byte' "$work/err" || fail "a NUL inside line 3 is not reported at line 3"
[ "$(grep -c ',mark,BTCUSDT' "$work/nul.csv")" -eq 2 ] || fail "the lines after a NUL were not converted as themselves"
check
# /dev/zero, a folder and a FIFO with no writer: refused at once (exit 2).
mkfifo "$work/fifo"
for input in /dev/zero "$work" "$work/fifo"; do
    timeout 20 "$LEDGERSIM" live convert "$input" >/dev/null 2>"$work/err"
    [ $? -eq 2 ] || fail "live convert $input: expected exit 2"
    grep -q 'not a regular file' "$work/err" || fail "live convert $input: no reason given"
done
timeout 20 "$LEDGERSIM" run "$work/fifo" --out "$work/fifo_out" >/dev/null 2>"$work/err"
[ $? -eq 2 ] || fail "run on a FIFO: expected exit 2"
timeout 20 "$LEDGERSIM" ledger --positions "$work/fifo" >/dev/null 2>"$work/err"
[ $? -eq 2 ] || fail "ledger --positions on a FIFO: expected exit 2"
timeout 20 "$LEDGERSIM" run "$work/a.csv" --holdings /dev/zero --out "$work/zero_out" >/dev/null 2>"$work/err"
[ $? -eq 2 ] || fail "--holdings /dev/zero: expected exit 2"
check
# \u0000 in a JSON string: an error naming the file and the byte (it used to
# read "BTC\u0000USDT" as "BTC").
printf '{"BTC\\u0000USDT": {"side": "LONG", "entry_price": 1}}\n' >"$work/nul_key.json"
"$LEDGERSIM" ledger --positions "$work/positions.json" --tp-sl "$work/nul_key.json" --sync >/dev/null 2>"$work/err"
[ $? -eq 2 ] || fail "a registry with \\u0000: expected exit 2"
grep -q 'nul_key.json.*byte offset 5: \\u0000' "$work/err" || fail "\\u0000: no file and place: $(cat "$work/err")"
printf '{"BTC": {"qty": 1, "avg_cost": "\\u0000"}}\n' >"$work/nul_holdings.json"
"$LEDGERSIM" run "$work/a.csv" --holdings "$work/nul_holdings.json" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'nul_holdings.json: byte 32: ' "$work/err" || fail "\\u0000 in --holdings: $(cat "$work/err")"
check
# Invalid UTF-8: in a scenario's event id, in a JSON file.
{ cat "$work/a.csv"; printf '3,e\377,fill,BTCUSDT,SELL,0.1,50200,2,20,,,,,,,,,\n'; } >"$work/utf8.csv"
"$LEDGERSIM" run "$work/utf8.csv" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'utf8.csv:6: event_id: byte 2 is not valid UTF-8' "$work/err" ||
    fail "invalid UTF-8 in an event id: $(cat "$work/err")"
printf '{"positions": [{"symbol": "BTC\300\200", "side": "LONG", "qty": 1, "entry_price": 1}]}' >"$work/utf8.json"
"$LEDGERSIM" ledger --positions "$work/utf8.json" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'utf8.json.*byte offset 30: not valid UTF-8' "$work/err" ||
    fail "invalid UTF-8 in a JSON file: $(cat "$work/err")"
check

# --- 6. the small ones ------------------------------------------------------------
# run and check fail when standard output cannot be written.
if [ -w /dev/full ]; then
    "$LEDGERSIM" run "$work/a.csv" --out "$work/full" >/dev/full 2>/dev/null
    [ $? -eq 3 ] || fail "run > /dev/full: expected exit 3"
    "$LEDGERSIM" check "$work/a.csv" --out "$work/full" >/dev/full 2>/dev/null
    [ $? -eq 3 ] || fail "check > /dev/full: expected exit 3"
else
    fail "/dev/full is not available"
fi
check
# A holding row's asset name past the limit --holdings enforces (27 bytes).
{ cat "$work/a.csv"; echo "3,,holding,ABCDEFGHIJKLMNOPQRSTUVWXYZAB,,1,,,,,,,,,,,,"; } >"$work/asset.csv"
"$LEDGERSIM" run "$work/asset.csv" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'asset.csv:6: holding asset' "$work/err" || fail "a 28-byte holding asset: $(cat "$work/err")"
{ cat "$work/a.csv"; echo "3,,holding,ABCDEFGHIJKLMNOPQRSTUVWXYZA,,1,,,,,,,,,,,,"; } >"$work/asset27.csv"
"$LEDGERSIM" run "$work/asset27.csv" --out "$work/x27" >/dev/null 2>&1 || fail "a 27-byte holding asset was refused"
check
# A limit crossed by a fault row is reported with the fault row's line.
awk -v header="$header" 'BEGIN { print header; for (i = 0; i < 256; i++) printf "1,,tp_sl,S%03d,LONG,,,,,,,,,100,110,90,,\n", i
    print "2,,fault,EXTRA,,,,,,,,,,,110,90,orphan_tp_sl," }' >"$work/limit.csv"
"$LEDGERSIM" run "$work/limit.csv" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'limit.csv:258: more than 256 symbols' "$work/err" || fail "fault row limit: $(cat "$work/err")"
check
# One duplicate-key rule: a key given twice in one source is an error that
# names it (--set, --config, --holdings, config rows, state files alike).
"$LEDGERSIM" run "$work/a.csv" --set fee.taker_rate=0.1 --set fee.taker_rate=0.2 --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'fee.taker_rate is given twice' "$work/err" || fail "--set twice: $(cat "$work/err")"
printf '{"fee": {"taker_rate": 0.1}, "fee.taker_rate": 0.2}' >"$work/config.json"
"$LEDGERSIM" run "$work/a.csv" --config "$work/config.json" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q "config key 'fee.taker_rate' is given twice" "$work/err" || fail "--config twice: $(cat "$work/err")"
printf '{"BTC": {"qty": 1}, "BTC": {"qty": 2}}' >"$work/holdings.json"
"$LEDGERSIM" run "$work/a.csv" --holdings "$work/holdings.json" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'asset BTC is given twice' "$work/err" || fail "--holdings twice: $(cat "$work/err")"
{ echo "$header"; echo ",,config,,,,,,,,,,,,,,seed_capital,1000"; echo ",,config,,,,,,,,,,,,,,seed_capital,2000"; tail -3 "$work/a.csv"; } >"$work/config_rows.csv"
"$LEDGERSIM" run "$work/config_rows.csv" --out "$work/x" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q "config_rows.csv:3: config key 'seed_capital' is given twice (first on line 2)" "$work/err" ||
    fail "config rows twice: $(cat "$work/err")"
printf '{"BTCUSDT": {"side": "LONG", "entry_price": 1}, "BTCUSDT": {"side": "LONG", "entry_price": 2}}' >"$work/dup.json"
"$LEDGERSIM" ledger --positions "$work/positions.json" --tp-sl "$work/dup.json" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'BTCUSDT is given more than once' "$work/err" || fail "state file twice: $(cat "$work/err")"
[ ! -e "$work/x" ] || fail "a refused run wrote its output"
check
# The I/O-fault hook is in the test binary only.
LEDGERSIM_IO_FAULT=any:1 "$LEDGERSIM" run "$work/a.csv" --out "$work/hook" >/dev/null 2>&1 ||
    fail "the release binary obeyed LEDGERSIM_IO_FAULT"
LEDGERSIM_IO_FAULT=any:1 "$HOOKED" run "$work/a.csv" --out "$work/hook2" >/dev/null 2>&1
[ $? -eq 3 ] || fail "the test binary ignored LEDGERSIM_IO_FAULT"
check

echo "reliability: $checks groups, $failures failures"
[ "$failures" -eq 0 ]
