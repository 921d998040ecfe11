#!/bin/sh
# demo.sh BIN -- the main job on the bundled scenarios: replay and check every
# scenario into out/, then draw the report of the showcase run and print the
# path of its page.
set -eu
BIN=${1:-bin/ledgersim}
mkdir -p out
echo "== ledgersim check scenarios/*.csv (outputs in out/<scenario>/)"
"$BIN" check --out out scenarios/*.csv
# The showcase: a backtest with entries, TP and SL exits, funding, three
# positions open at the end, and off-exchange holdings.
showcase=scenarios/backtest_fuzz.csv
echo "== ledgersim run $showcase --report --holdings fixtures/holdings/offexchange_holdings.json"
"$BIN" run "$showcase" --out out/demo --report --holdings fixtures/holdings/offexchange_holdings.json
if [ -f out/demo/reports/index.html ]; then
    echo "report: $(pwd)/out/demo/reports/index.html"
else
    echo "report: not drawn (see the message above); state files are in $(pwd)/out/demo/logs/state/"
fi
