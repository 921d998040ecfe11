#!/bin/sh
# report.sh -- `ledgersim report DIR` and `run --report` on real runs,
# checked end to end:
#   - the bundled backtest with off-exchange holdings, the same without
#     holdings, with --trace none, a replay of exchange facts and a
#     generated scenario (decimation) are run and reported;
#   - index.html is one file: every chart is a PNG data URI, byte-identical
#     to the STEM.png beside it, of the size the page declares, not blank;
#     the STEM.svg beside it parses with that size; nothing is loaded from
#     anywhere else;
#   - two reports of the same run are byte-identical, and so is the report
#     of a copy of the run in another folder, locale and time zone;
#   - headless Chromium: the DOM of the bundled report (ledger table, badge,
#     charts); index.html copied ALONE into an empty folder loads every
#     chart; its screenshot (a run without holdings) shows the AUM donut as
#     a full USDT ring (ring pixels counted in all four quadrants);
#   - the AUM donut: a slice per valued asset plus USDT, the asset without a
#     mark listed, the USDT share grows with the NAV; one slice is an arc of
#     0..360; a negative futures NAV is no slice, and the centre shows the
#     total of nav.json and the KPI card;
#   - tables show money for reading (no raw doubles); the trades table
#     (from orders.jsonl in a backtest, from E's fills in reconcile.jsonl in
#     a replay) carries kpis_v7.json's trade count and realized PnL; a null
#     Sharpe says why; daily returns are listed;
#   - NAV and AUM: no second Y axis; AUM starts at its first value that
#     differs from the NAV; reconcile panels: all three bands in the legend,
#     a Y range from the data and epsilon (not the WARN band), USDT;
#   - --trace none: no reconcile chart, a note saying why, the per-rule
#     counts of kpis_v7.json; never "no snapshot evaluated a rule";
#   - a rerun without --report removes the earlier report;
#   - progress: on a terminal (script(1)) a replay draws "replay FILE
#     N% ... rows ... events/s" and the report phase shows no byte counts;
#     with stderr not a terminal nothing is printed;
#   - a yellow ledger gets the yellow badge;
#   - without gnuplot, `report` exits 2 and says so; a missing directory or
#     one that is not a run directory exits 2 naming it; --help exits 0.
# Every check of a file runs in ONE python3 process at the end (python3 is
# slow to start here). Uses $LEDGERSIM (default bin/ledgersim). Exits
# non-zero with a message on the first failure.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
case "$LEDGERSIM" in /*) ;; *) LEDGERSIM=$(pwd)/$LEDGERSIM ;; esac
SCENARIO=scenarios/backtest_fuzz.csv
REPLAY_SCENARIO=scenarios/exits_tp_sl.csv
HOLDINGS=fixtures/holdings/offexchange_holdings.json
work=$(mktemp -d)
browser=""
# On the way out, the background Chromium job (section 4) ends first (each
# of its runs is bounded by timeout): no process outlives the script.
trap '[ -n "$browser" ] && wait "$browser" 2>/dev/null; rm -rf "$work"' EXIT INT TERM

fail() {
    echo "report.sh: FAIL: $*" >&2
    exit 1
}

[ -x "$LEDGERSIM" ] || fail "no executable $LEDGERSIM (run make first)"
command -v gnuplot >/dev/null 2>&1 || fail "gnuplot is not installed (tools/install-deps.sh)"
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed"
command -v script >/dev/null 2>&1 || fail "script (util-linux) is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (tools/install-deps.sh)"
for file in "$SCENARIO" "$REPLAY_SCENARIO" "$HOLDINGS"; do [ -f "$file" ] || fail "missing $file"; done

checks="$work/checks.txt"
: >"$checks"
# Queues one check for the python pass at the end (arguments: command, paths).
check() { echo "$*" >>"$checks"; }

# Runs a scenario into $work/NAME with extra run options.
run_scenario() { # name scenario options...
    name=$1
    scenario=$2
    shift 2
    "$LEDGERSIM" run "$scenario" --out "$work/$name" "$@" >"$work/$name.run.out" 2>&1 ||
        fail "ledgersim run $scenario $*: $(cat "$work/$name.run.out")"
}

report() { # run directory
    "$LEDGERSIM" report "$1" >"$work/report.out" 2>&1 || fail "ledgersim report $1: $(cat "$work/report.out")"
    [ -f "$1/reports/index.html" ] || fail "no $1/reports/index.html"
}

# 1. The runs and their reports.
run_scenario bundled "$SCENARIO" --holdings "$HOLDINGS"
report "$work/bundled"
check files "$work/bundled/reports" 6
check trading "$work/bundled/reports" "$work/bundled/logs/state/kpis_v7.json"
check reconcile "$work/bundled/reports"
check tables "$work/bundled/reports"
run_scenario nohold "$SCENARIO" --report
check files "$work/nohold/reports" 6
check one_slice "$work/nohold/reports"
run_scenario tracenone "$SCENARIO" --trace none --report
check files "$work/tracenone/reports" 4
check trace_none "$work/tracenone/reports" "$work/tracenone/logs/state/kpis_v7.json"
run_scenario replay "$REPLAY_SCENARIO" --holdings "$HOLDINGS"
report "$work/replay"
check files "$work/replay/reports" 5
check aum_axis "$work/replay/reports"
"$LEDGERSIM" gen --events 30000 --seed 7 --symbols 3 >"$work/generated.csv" 2>"$work/gen.err" ||
    fail "ledgersim gen: $(cat "$work/gen.err")"
run_scenario generated "$work/generated.csv" --holdings "$HOLDINGS"
report "$work/generated"
check files "$work/generated/reports" 5

# A replay of exchange fills (no orders.jsonl): trades from reconcile.jsonl;
# extreme values (deltas near the largest double) still draw.
run_scenario flip scenarios/position_flip.csv --report
check trading "$work/flip/reports" "$work/flip/logs/state/kpis_v7.json"
run_scenario extreme scenarios/extreme_values.csv --report
check files "$work/extreme/reports" 3

# 2. Deterministic: the same run twice, and a copy elsewhere, same bytes.
for name in bundled replay generated; do
    cp -R "$work/$name/reports" "$work/$name.first"
    report "$work/$name"
    diff -r "$work/$name.first" "$work/$name/reports" >"$work/diff.out" 2>&1 ||
        fail "two reports of the same run differ: $(head -5 "$work/diff.out")"
done
mkdir "$work/elsewhere"
cp -R "$work/bundled" "$work/elsewhere/bundled"
rm -rf "$work/elsewhere/bundled/reports"
report "$work/elsewhere/bundled"
diff -r "$work/bundled.first" "$work/elsewhere/bundled/reports" >"$work/diff.out" 2>&1 ||
    fail "the report depends on where the run directory is: $(head -5 "$work/diff.out")"
LC_ALL=C.UTF-8 TZ=Asia/Kathmandu report "$work/elsewhere/bundled"
diff -r "$work/bundled.first" "$work/elsewhere/bundled/reports" >"$work/diff.out" 2>&1 ||
    fail "the report depends on the locale or time zone: $(head -5 "$work/diff.out")"
echo "deterministic: same bytes on a second report, in another folder, locale and time zone"

# 3. A rerun without --report leaves no report of the earlier run.
cp -R "$work/nohold" "$work/rerun"
run_scenario rerun "$SCENARIO"
[ ! -e "$work/rerun/reports" ] || fail "a rerun without --report kept the earlier report: $(ls "$work/rerun/reports")"
echo "rerun without --report: the earlier report is gone"

# 4. Headless Chromium. Its three runs (seconds of wall each, mostly
#    waiting) go in the background, beside sections 5 to 7, which write
#    only folders of their own; the script waits for them before section 8.
#    A failure there ends the background job with the message in
#    $work/browser.out; its checks are queued in their own file, added to the
#    list after the wait (the order of the checks stays fixed).
browse() { # chromium options and url
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-default-apps \
        --allow-file-access-from-files --user-data-dir="$profile" --window-size=1280,2000 \
        --virtual-time-budget=3000 "$@" 2>"$work/chromium.err"
}
browser_checks() {
    checks="$work/checks.browser"
    : >"$checks"
    browse --dump-dom "file://$work/bundled/reports/index.html" >"$work/bundled.dom.html" ||
        fail "chromium --dump-dom failed: $(tail -5 "$work/chromium.err")"
    check dom "$work/bundled.dom.html" "$work/bundled/reports" "$work/bundled/logs/state/state.json"
    # index.html alone in an empty folder: a probe page frames it and reports,
    # in its own DOM, how many chart images loaded with their declared size.
    mkdir "$work/single"
    cp "$work/nohold/reports/index.html" "$work/single/index.html"
    cat >"$work/single/probe.html" <<'HTML'
<!DOCTYPE html><html><body><div id="load-status"></div>
<iframe id="frame" src="index.html" width="1280" height="2000"></iframe>
<script>
document.getElementById("frame").addEventListener("load", function () {
  var images = this.contentDocument.querySelectorAll("img.chart"), loaded = 0, broken = 0, detail = [];
  images.forEach(function (image) {
    var fine = image.complete && image.naturalWidth == image.getAttribute("width") &&
               image.naturalHeight == image.getAttribute("height");
    if (fine) loaded++; else { broken++; detail.push(image.id); }
  });
  var status = document.getElementById("load-status");
  status.setAttribute("data-loaded", loaded);
  status.setAttribute("data-broken", broken);
  status.setAttribute("data-detail", detail.join(" "));
});
</script></body></html>
HTML
    browse --dump-dom "file://$work/single/probe.html" >"$work/single.probe.html" ||
        fail "chromium probe failed: $(tail -5 "$work/chromium.err")"
    rm -f "$work/single/probe.html"
    check loaded "$work/single.probe.html" "$work/single/index.html"
    (cd "$work" && browse --screenshot="$work/single.png" "file://$work/single/index.html" >/dev/null) ||
        fail "chromium --screenshot failed: $(tail -5 "$work/chromium.err")"
    [ -f "$work/single.png" ] || fail "chromium wrote no screenshot"
    check ring "$work/single.png"
}
browser_checks >"$work/browser.out" 2>&1 &
browser=$!

# 5. Progress on a terminal (script gives the run one), none without.
"$LEDGERSIM" gen --events 20000 --seed 11 --symbols 2 >"$work/progress.csv" 2>"$work/gen.err" ||
    fail "ledgersim gen: $(cat "$work/gen.err")"
script -qfec "\"$LEDGERSIM\" run \"$work/progress.csv\" --out \"$work/progress\" --report" "$work/typescript" \
    >/dev/null 2>&1 || fail "ledgersim run under script failed: $(tail -c 400 "$work/typescript")"
check progress_tty "$work/typescript"
"$LEDGERSIM" run "$work/progress.csv" --out "$work/progress" --report >/dev/null 2>"$work/progress.err" ||
    fail "ledgersim run --report: $(cat "$work/progress.err")"
[ ! -s "$work/progress.err" ] || fail "progress drawn on a stderr that is not a terminal: $(head -c 200 "$work/progress.err")"

# 6. A yellow ledger (a position whose registry entry has no SL).
cat >"$work/yellow.csv" <<'CSV'
ts,event_id,type,symbol,side,qty,price,entry_price,tp,sl,key,value
3,,tp_sl,BTCUSDT,LONG,,,100,110,,,
4,,fill,BTCUSDT,BUY,1,100,,,,,
5,,mark,BTCUSDT,,,101,,,,,
CSV
run_scenario yellow "$work/yellow.csv" --report
check badge "$work/yellow/reports" "$work/yellow/logs/state/state.json" yellow

# 7. The AUM donut at two NAV levels with the same holdings (BTC and USDC
#    valued, XAUT without a mark), and with a negative futures NAV.
for wallet in 10000 60000; do
    cat >"$work/donut_$wallet.csv" <<CSV
ts,event_id,type,symbol,qty,price,wallet_balance,avg_cost,key,value
,,config,,,,,,seed_capital,10000
1,,holding,BTC,0.5,,,40000,,
1,,holding,XAUT,2,,,2000,,
1,,holding,USDC,5000,,,1,,
2,b1,balance,,,,$wallet,,,
3,,mark,BTCUSDT,,50000,,,,
3,,mark,USDCUSDT,,1,,,,
CSV
    run_scenario "donut_$wallet" "$work/donut_$wallet.csv" --report
    check donut "$work/donut_$wallet/reports"
done
check grows "$work/donut_10000/reports" "$work/donut_60000/reports"
cat >"$work/negative.csv" <<'CSV'
ts,event_id,type,symbol,side,qty,price,entry_price,tp,sl,key,value
,,config,,,,,,,,seed_capital,1000
1,,holding,BTC,,0.1,,,,,,
4,,fill,BTCUSDT,BUY,1,50000,,,,,
5,,mark,BTCUSDT,,,40000,,,,,
CSV
run_scenario negative "$work/negative.csv" --report
check negative "$work/negative/reports" "$work/negative/logs/state/nav.json"

wait "$browser" || { cat "$work/browser.out" >&2; exit 1; }
cat "$work/checks.browser" >>"$checks"

# 8. Errors: no gnuplot on PATH, a missing directory, not a run directory, --help.
mkdir "$work/empty-path"
status=0
PATH="$work/empty-path" "$LEDGERSIM" report "$work/bundled" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report without gnuplot on PATH: exit $status, expected 2"
grep -q gnuplot "$work/err" || fail "report without gnuplot does not say so: $(cat "$work/err")"
status=0
"$LEDGERSIM" report "$work/no-such-run" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report of a missing directory: exit $status, expected 2"
grep -q "$work/no-such-run" "$work/err" || fail "report of a missing directory does not name it: $(cat "$work/err")"
mkdir "$work/not-a-run"
status=0
"$LEDGERSIM" report "$work/not-a-run" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report of a folder that is not a run: exit $status, expected 2"
grep -q "$work/not-a-run" "$work/err" || fail "report of a non-run folder does not name it: $(cat "$work/err")"
[ ! -e "$work/not-a-run/reports" ] || fail "report wrote into a folder that is not a run directory"
"$LEDGERSIM" report --help >"$work/out" 2>&1 || fail "report --help exits non-zero"
grep -q "usage: ledgersim report" "$work/out" || fail "report --help prints no usage"
status=0
"$LEDGERSIM" report >"$work/out" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "report without a directory: exit $status, expected 2"
echo "errors: no gnuplot, missing and non-run directories exit 2; --help works"

# 9. Every queued check, in one python3 process.
python3 "$(dirname "$0")/report_checks.py" "$checks" || exit 1
echo "report.sh: all checks passed"
