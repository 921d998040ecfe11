#!/bin/sh
# output_oracle.sh -- every output file against an independent oracle.
#
# tools/output_oracle.py computes logs/nav.csv, marks.csv, exits.jsonl,
# orders.jsonl, faults.jsonl and
# logs/state/{kpis_v7,positions_state,position_tp_sl,state,nav}.json from the
# scenario and the formats' rules alone (tools/seed_oracle.py's projection
# underneath), runs `$LEDGERSIM run` itself and compares field by field, as
# the same double. In ONE python process: every bundled scenario (scripted
# faults included), `ledgersim gen` scenarios (1, 3, 8 and 40 symbols) and
# seed_oracle-generated ones.
# Fails on any difference and when fewer than MIN_COMPARED scenarios were
# compared; the oracle's own tests run first. A failing generated scenario is kept in
# ${TMPDIR:-/tmp}/output_oracle_failures/.
#   LEDGERSIM     the binary (default bin/ledgersim; set by tools/run-tests.sh)
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
if [ ! -x "$LEDGERSIM" ]; then
    echo "FAIL no ledgersim binary at $LEDGERSIM"
    exit 1
fi
# 30 bundled scenarios, 4 gen, 6 seed-oracle ones.
MIN_COMPARED=${MIN_COMPARED:-40}
exec python3 tools/output_oracle.py suite "$LEDGERSIM" --min-compared "$MIN_COMPARED" \
    --keep "${TMPDIR:-/tmp}/output_oracle_failures" \
    --gen 4000:1:8 --gen 3000:2:3 --gen 2000:3:40 --gen 6000:4:1 \
    --seed-generated 1:200 --seed-generated 2:200 --seed-generated 3:120 --seed-generated 1001:5 \
    --seed-generated 1002:9 --seed-generated 2003:7 \
    scenarios/*.csv
