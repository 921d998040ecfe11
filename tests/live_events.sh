#!/bin/sh
# live_events.sh -- end to end on the mock exchange, one run per account event
# issue 14 brings to the ledger (fixtures/live/events/*.json), each ending
# with K and E reconciled (status OK and K's capital equal to E's wallet, or
# the exact delta the seed's rules give) and the replay of the recording
# byte-identical:
#   liquidation     a fill, a margin call, a liquidation fill (x=CALCULATED)
#   deposit         a deposit and a withdrawal (ACCOUNT_UPDATE DEPOSIT/WITHDRAW)
#   leverage        ACCOUNT_CONFIG_UPDATE 20 -> 10, then a resync: K's used
#                   margin equals E's (R4 stays the seed's ERROR by design)
#   gap_funding     funding and a transfer while the private route is down,
#                   recovered from /fapi/v1/income
#   unwatched_fill  a round trip in a symbol neither held nor watched, found
#                   through the income's COMMISSION/REALIZED_PNL entries
#   non_ascii       a position in 币安人生USDT, through a resync
# and the margin setups refused at start, exit status 2 with the reason:
# multi-assets mode, a BNFCR balance.
. "$(dirname "$0")/../fixtures/live/lib.sh"
BASE=$WORK
trap 'WORK=$BASE; cleanup' EXIT INT TERM

# run_case NAME [LIVE OPTIONS...]: one mock script, the run, its replay.
run_case() {
    WORK=$BASE/$1
    mkdir -p "$WORK"
    name=$1
    shift
    start_mock "$ROOT/fixtures/live/events/$name.json"
    start_live --symbols BTCUSDT --set seed_capital=10000 "$@"
    mock_done
    wait_for_text "$WORK/record.csv" "M:BTCUSDT:.*45700" || fail "$name: the last mark was not recorded"
    sleep 0.2
    stop_live
    kill -TERM "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=""
    replay_matches
    no_secret_anywhere
}

# refused_case NAME TEXT: the run stops at start with exit 2 and TEXT on stderr.
refused_case() {
    WORK=$BASE/$1
    mkdir -p "$WORK"
    start_mock "$ROOT/fixtures/live/events/$1.json"
    start_live --symbols BTCUSDT
    wait "$LIVE_PID"
    status=$?
    LIVE_PID=""
    [ "$status" -eq 2 ] || fail "$1: exit status $status, expected 2"
    grep -q -- "$2" "$WORK/live.stderr" || fail "$1: stderr lacks '$2'"
    [ ! -s "$WORK/record.csv" ] || fail "$1: a record was written"
    kill -TERM "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=""
}

for name in liquidation deposit leverage gap_funding unwatched_fill non_ascii; do run_case "$name"; done
refused_case refuse_multi_assets 'refused: the account is in multi-assets mode.*multiAssetsMargin=false'
refused_case refuse_bnfcr 'refused: the account holds BNFCR (EEA credits mode)'
WORK=$BASE
grep -q 'fill T:BTCUSDT:5002 is a liquidation (x CALCULATED' "$BASE/liquidation/out/live.log" || fail "liquidation not logged"
grep -q 'warn MARGIN_CALL' "$BASE/liquidation/out/live.log" || fail "margin call not a warning"
grep -q 'events received and not applied: MARGIN_CALL 1' "$BASE/liquidation/out/live.log" || fail "no count of events not applied"
grep -q ',transfer,' "$BASE/deposit/record.csv" || fail "no transfer row recorded"
grep -q ',leverage,ETHUSDT,' "$BASE/leverage/record.csv" || fail "no leverage row recorded"
grep -q 'I:FUNDING_FEE:' "$BASE/gap_funding/record.csv" || fail "the gap's funding is not recorded"
grep -q 'T:ETHUSDT:7002' "$BASE/unwatched_fill/record.csv" || fail "the unwatched symbol's fill is not recovered"
grep -q 'symbol=ETHUSDT.*"path": "/fapi/v1/userTrades"' "$BASE/unwatched_fill/mock.log" || fail "userTrades not asked for ETHUSDT"
grep -q 'M:币安人生USDT\|,position,币安人生USDT,' "$BASE/non_ascii/record.csv" || fail "the non-ASCII position is not recorded"

# One interpreter for every check of the six runs' final state.
python3 - "$BASE" <<'PYTHON' || fail "final states"
import json, sys
base = sys.argv[1]
expected = {  # case: {path: value}; every case also needs K capital == E wallet
    "liquidation": {"k.capital": 9545.725, "k.realized_pnl": -450, "k.fees_paid": 4.275, "k.open_positions": 0,
                    "status": "OK"},
    "deposit": {"k.capital": 10750, "k.transfers": 750, "status": "OK"},
    "leverage": {"k.used_margin": 300, "e.used_margin": 300, "deltas.used_margin": 0, "k.open_positions": 1,
                 "worst_field": "open_notional"},
    "gap_funding": {"k.capital": 10198.5, "k.funding_paid": 1.5, "k.transfers": 200, "status": "OK"},
    "unwatched_fill": {"k.capital": 10009.756, "k.realized_pnl": 10, "k.fees_paid": 0.244, "k.open_positions": 0,
                       "status": "OK"},
    "non_ascii": {"k.capital": 9999.95, "k.open_positions": 1, "status": "OK"},
}
failures = 0
for case, checks in expected.items():
    with open(f"{base}/{case}/out/logs/state/account.json", encoding="utf-8") as handle:
        account = json.load(handle)
    values = {"status": account["reconcile"]["status"], "worst_field": account["reconcile"]["worst_field"]}
    for block in ("k", "e"):
        for key, value in account[block].items():
            values[f"{block}.{key}"] = value
    for key, value in account["reconcile"]["deltas"].items():
        values[f"deltas.{key}"] = value
    checks = dict(checks, **{"k.capital": checks.get("k.capital", values["e.wallet_balance"])})
    if abs(values["k.capital"] - values["e.wallet_balance"]) > 1e-6:
        print(f"{case}: K capital {values['k.capital']} != E wallet {values['e.wallet_balance']}")
        failures += 1
    for key, want in checks.items():
        got = values.get(key)
        same = got == want if isinstance(want, str) else got is not None and abs(got - want) <= 1e-6 * max(1, abs(want))
        if not same:
            print(f"{case}: {key} expected {want}, got {got}")
            failures += 1
sys.exit(1 if failures else 0)
PYTHON
echo "live_events: ok"
