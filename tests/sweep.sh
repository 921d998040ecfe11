#!/bin/sh
# sweep.sh -- `ledgersim sweep` against separate `ledgersim run --set` runs
# (issue 16): for every grid point and every scenario (and seed), the counts
# of the sweep's breakdown equal those of kpis_v7.json of a run with the
# point's values given as --set: reconcile ok/warn/error, per rule (when
# kpis_v7.json has reconcile.rules) and, with faults, injected and detected
# per kind. Bundled scenarios and generated ones (`ledgersim gen`), a
# threshold-only grid (one pass) and one with a non-threshold key (groups).
# The rule set (reconcile.rules=seed,v2) swept too.
# Also: sweep.csv's totals are the breakdown's sums, -j 1/3 give the same
# bytes, the bundled scenarios/thresholds/ pass `check`, usage errors.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$LEDGERSIM" gen --events 3000 --seed 7 >"$work/gen7.csv" || fail "gen 7"
"$LEDGERSIM" gen --events 2000 --seed 11 --symbols 3 >"$work/gen11.csv" || fail "gen 11"

# Runs every point of sweep DIR separately: for each point, scenario and
# seed, `run --set KEY=V...` into DIR/runs/P-S-R; writes DIR/manifest
# ("point scenario_index seed|clean rundir"); fault runs use --detect-window 3.
# The runs are independent (each its own folder) and spend much of their time
# waiting for fsync: they go in two lanes at once, from one list DIR/jobs.
run_points() { # dir faults seeds scenario...
    dir=$1; faults=$2; seeds=$3; shift 3
    tab=$(printf '\t')
    : >"$dir/manifest"
    : >"$dir/jobs"
    jq -r '.points[] | [.point, ([.values | to_entries[] | "\(.key)=\(.value)"] | join(" "))] | @tsv' \
        "$dir/sweep.json" >"$dir/points.tsv" || fail "points of $dir"
    while IFS="$tab" read -r point settings; do
        index=0
        for scenario in "$@"; do
            printf '%s\t%s\t%s\t%s\t%s\n' "$point" "$index" clean "$scenario" "$settings" >>"$dir/jobs"
            echo "$point $index clean $dir/runs/$point-$index-clean" >>"$dir/manifest"
            if [ -n "$faults" ]; then
                for seed in $seeds; do
                    printf '%s\t%s\t%s\t%s\t%s\n' "$point" "$index" "$seed" "$scenario" "$settings" >>"$dir/jobs"
                    echo "$point $index $seed $dir/runs/$point-$index-$seed" >>"$dir/manifest"
                done
            fi
            index=$((index + 1))
        done
    done <"$dir/points.tsv"
    mkdir -p "$dir/runs"
    run_lane "$dir" "$faults" 0 >"$dir/failed.0" &
    lane0=$!
    run_lane "$dir" "$faults" 1 >"$dir/failed.1" &
    lane1=$!
    wait "$lane0" "$lane1"
    [ -s "$dir/failed.0" ] || [ -s "$dir/failed.1" ] && fail "$(cat "$dir/failed.0" "$dir/failed.1" | head -1)"
}

# run_lane DIR FAULTS LANE: the runs of every other line of DIR/jobs (from
# line LANE + 1); prints "run SCENARIO --set ... [seed S]" for each failed one.
run_lane() {
    number=0
    while IFS="$tab" read -r point index seed scenario settings; do
        number=$((number + 1))
        [ $(((number - 1) % 2)) -eq "$3" ] || continue
        sets=""
        for setting in $settings; do sets="$sets --set $setting"; done
        if [ "$seed" = clean ]; then
            # shellcheck disable=SC2086
            "$LEDGERSIM" run "$scenario" $sets --trace none --out "$1/runs/$point-$index-clean" >/dev/null 2>&1 ||
                echo "run $scenario $sets"
        else
            # shellcheck disable=SC2086
            "$LEDGERSIM" run "$scenario" $sets --faults "$2" --seed "$seed" --detect-window 3 --trace none \
                --out "$1/runs/$point-$index-$seed" >/dev/null 2>&1 || echo "run $scenario $sets seed $seed"
        fi
    done <"$1/jobs"
}

# 1. Threshold grid (one pass), bundled and generated scenarios, no faults.
scenarios="scenarios/r1_capital_vs_wallet.csv scenarios/r2_realized_pnl.csv scenarios/r4_open_notional.csv
scenarios/r5_used_margin.csv scenarios/backtest_basic.csv scenarios/fault_stale_mark.csv $work/gen7.csv"
# shellcheck disable=SC2086
"$LEDGERSIM" sweep $scenarios --grid reconcile.pending_fee_bound=0.5,20 --grid reconcile.capital_epsilon=0.0001,0.5 \
    --grid reconcile.mark_staleness_factor=0.001,0.05 --grid reconcile.realized_rounding=0.01,1 \
    --grid reconcile.leverage_rounding_band=0,2 --no-report --out "$work/a" >"$work/a.out" 2>&1 || fail "sweep a: $(cat "$work/a.out")"
# shellcheck disable=SC2086
run_points "$work/a" "" "" $scenarios

# 2. A non-threshold key beside thresholds, with drawn faults and seeds.
"$LEDGERSIM" sweep scenarios/backtest_fuzz.csv "$work/gen11.csv" --grid tp.pct=0.01,0.03 \
    --grid reconcile.pending_fee_bound=1,20 --faults all=0.02 --seeds 3..4 --detect-window 3 -j 2 --no-report \
    --out "$work/b" >"$work/b.out" 2>&1 || fail "sweep b: $(cat "$work/b.out")"
run_points "$work/b" all=0.02 "3 4" scenarios/backtest_fuzz.csv "$work/gen11.csv"

# 2b. The rule set swept beside a threshold (v2 reads more than deltas: every
#     snapshot is classified under every point), with faults.
"$LEDGERSIM" sweep scenarios/backtest_fuzz.csv scenarios/rules_v2_zero_wallet_frame.csv --grid reconcile.rules=seed,v2 \
    --grid reconcile.pending_fee_bound=1,20 --faults all=0.02 --seeds 5..6 --detect-window 3 --no-report \
    --out "$work/c" >"$work/c.out" 2>&1 || fail "sweep c: $(cat "$work/c.out")"
run_points "$work/c" all=0.02 "5 6" scenarios/backtest_fuzz.csv scenarios/rules_v2_zero_wallet_frame.csv

python3 - "$work/a" "$work/b" "$work/c" <<'PY' || fail "sweep counts differ from run --set"
import csv, json, sys
problems = []
for directory in sys.argv[1:]:
    sweep = json.load(open(directory + "/sweep.json"))
    faults = sweep["faults"] is not None
    points = {p["point"]: p for p in sweep["points"]}
    scenarios = [i["path"] for i in sweep["inputs"] if i["role"] == "scenario"]
    checked = 0
    for line in open(directory + "/manifest"):
        point, index, seed, rundir = line.split()
        kpis = json.load(open(rundir + "/logs/state/kpis_v7.json"))
        rows = [r for r in points[int(point)]["breakdown"] if r["scenario"] == scenarios[int(index)]
                and (r["seed"] is None if seed == "clean" else r["seed"] == int(seed))]
        if len(rows) != 1:
            problems.append("%s: no breakdown row for %s" % (directory, line.strip()))
            continue
        row = rows[0]
        for name in ("ok", "warn", "error"):
            if row[name] != kpis["reconcile"][name]:
                problems.append("%s point %s %s seed %s: %s sweep %d run %d" % (directory, point, scenarios[int(index)],
                                seed, name, row[name], kpis["reconcile"][name]))
        for field, counts in kpis["reconcile"].get("rules", {}).items():
            for name in ("evaluated", "ok", "warn", "error"):
                if row["rules"].get(field, {}).get(name) != counts[name]:
                    problems.append("%s point %s %s: rules.%s.%s sweep %s run %d" % (directory, point,
                                    scenarios[int(index)], field, name, row["rules"].get(field, {}).get(name), counts[name]))
        if faults:
            detection = (kpis.get("simulator") or {}).get("detection", {})
            for kind, counts in row["faults"].items():
                got = detection.get(kind, {"injected": 0, "detected": 0})
                for name in ("injected", "detected"):
                    if counts[name] != got[name]:
                        problems.append("%s point %s %s seed %s: %s.%s sweep %d run %d" % (directory, point,
                                        scenarios[int(index)], seed, kind, name, counts[name], got[name]))
        checked += 1
    if checked != len(points) * len(scenarios) * (3 if faults else 1):
        problems.append("%s: %d runs checked" % (directory, checked))
    # sweep.csv totals are the sums of the breakdown
    with open(directory + "/sweep.csv") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            breakdown = points[number]["breakdown"]
            for name in ("ok", "warn", "error", "snapshots"):
                if int(row[name]) != sum(r[name] for r in breakdown):
                    problems.append("%s sweep.csv row %d %s" % (directory, number, name))
            if int(row["runs"]) != len(breakdown):
                problems.append("%s sweep.csv row %d runs" % (directory, number))
    print("%s: %d runs compared" % (directory, checked))
    if checked == 0:
        problems.append("nothing compared")
for problem in problems[:30]:
    print(problem)
sys.exit(1 if problems else 0)
PY

# 3. The same bytes for every -j; the csv column order; the grid order (last key fastest).
"$LEDGERSIM" sweep scenarios/backtest_fuzz.csv "$work/gen11.csv" --grid tp.pct=0.01,0.03 \
    --grid reconcile.pending_fee_bound=1,20 --faults all=0.02 --seeds 3..4 --detect-window 3 -j 3 --no-report \
    --out "$work/b3" >/dev/null 2>&1 || fail "sweep -j 3"
cmp -s "$work/b/sweep.json" "$work/b3/sweep.json" && cmp -s "$work/b/sweep.csv" "$work/b3/sweep.csv" ||
    fail "-j 2 and -j 3 differ"
head -1 "$work/b/sweep.csv" | grep -q '^tp.pct,reconcile.pending_fee_bound,runs,snapshots,ok,warn,error,capital_vs_wallet.warn,' ||
    fail "csv header: $(head -1 "$work/b/sweep.csv")"
head -1 "$work/b/sweep.csv" | grep -q ',clean_not_ok,stale_mark.injected,stale_mark.detected,' || fail "csv fault columns"
[ "$(cut -d, -f1,2 "$work/b/sweep.csv" | tr '\n' ' ')" = "tp.pct,reconcile.pending_fee_bound 0.01,1 0.01,20 0.03,1 0.03,20 " ] ||
    fail "grid order: $(cut -d, -f1,2 "$work/b/sweep.csv" | tr '\n' ' ')"

# 4. Usage and bad input: exit 2, nothing written.
for arguments in "--grid reconcile.pending_fee_bound=1" "scenarios/r1_capital_vs_wallet.csv" \
    "scenarios/r1_capital_vs_wallet.csv --grid nope=1" "scenarios/r1_capital_vs_wallet.csv --grid reconcile.capital_epsilon=-1" \
    "scenarios/r1_capital_vs_wallet.csv --grid reconcile.capital_epsilon=1,1.0" \
    "scenarios/r1_capital_vs_wallet.csv --grid tp.pct=0.1 --set tp.pct=0.2" \
    "scenarios/r1_capital_vs_wallet.csv --grid tp.pct=0.1 --faults all=0.1" \
    "$work/missing.csv --grid tp.pct=0.1"; do
    # shellcheck disable=SC2086
    "$LEDGERSIM" sweep $arguments --out "$work/bad" >"$work/bad.out" 2>&1
    [ $? -eq 2 ] || fail "sweep $arguments: not exit 2: $(cat "$work/bad.out")"
    [ -e "$work/bad" ] && fail "sweep $arguments wrote $work/bad"
done
printf 'ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin,key,value\n1,e1,fill,BTCUSDT,BUY,x,1,0,0,,,,\n' \
    >"$work/broken.csv"
"$LEDGERSIM" sweep "$work/broken.csv" --grid reconcile.capital_epsilon=1,2 --out "$work/bad" >"$work/bad.out" 2>&1
[ $? -eq 2 ] || fail "a broken scenario is not exit 2"
grep -q "broken.csv:2:" "$work/bad.out" || fail "the broken scenario's line is not named: $(cat "$work/bad.out")"
[ -e "$work/bad" ] && fail "a broken scenario wrote output"

# 5. Limits (README "Limits"), at the limit and one past it, through --plan
#    (which checks everything and runs nothing).
r1=scenarios/r1_capital_vs_wallet.csv
values=$(seq 1 100 | tr '\n' ',' | sed 's/,$//')
"$LEDGERSIM" sweep "$r1" --grid "reconcile.pending_fee_bound=$values" --plan >/dev/null 2>&1 || fail "100 values refused"
"$LEDGERSIM" sweep "$r1" --grid "reconcile.pending_fee_bound=$values,101" --plan >"$work/limit.out" 2>&1
[ $? -eq 2 ] && grep -q "more than 100 values" "$work/limit.out" || fail "101 values: $(cat "$work/limit.out")"
files=$(yes "$r1" | head -n 1024 | tr '\n' ' ')
# shellcheck disable=SC2086
"$LEDGERSIM" sweep $files --grid tp.pct=0.1 --plan >/dev/null 2>&1 || fail "1024 scenario files refused"
# shellcheck disable=SC2086
"$LEDGERSIM" sweep $files "$r1" --grid tp.pct=0.1 --plan >"$work/limit.out" 2>&1
[ $? -eq 2 ] && grep -q "more than 1024 scenario files" "$work/limit.out" || fail "1025 files: $(cat "$work/limit.out")"
"$LEDGERSIM" sweep "$r1" --grid "reconcile.pending_fee_bound=$values" --faults drop=0.1 --seeds 1..39999 --plan \
    >/dev/null 2>&1 || fail "4000000 counts refused"
"$LEDGERSIM" sweep "$r1" --grid "reconcile.pending_fee_bound=$values" --faults drop=0.1 --seeds 1..40000 --plan \
    >"$work/limit.out" 2>&1
[ $? -eq 2 ] && grep -q "more than 4000000 counts" "$work/limit.out" || fail "4000100 counts: $(cat "$work/limit.out")"
"$LEDGERSIM" sweep "$r1" --grid tp.pct=0.1 --faults drop=0.1 --seeds 0..1000000 --plan >"$work/limit.out" 2>&1
[ $? -eq 2 ] && grep -q "at most 1000000 seeds" "$work/limit.out" || fail "1000001 seeds: $(cat "$work/limit.out")"

# 6. The bundled threshold scenarios pin their counts.
"$LEDGERSIM" check --out "$work/check" scenarios/thresholds/*.csv >"$work/check.out" 2>&1 ||
    fail "scenarios/thresholds: $(cat "$work/check.out")"
echo "sweep: ok"
