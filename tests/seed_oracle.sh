#!/bin/sh
# seed_oracle.sh -- ledgersim's reconcile stream against the seed's own Python.
#
# tools/seed_oracle.py carries a copy of seed 001's account projection and a
# reimplementation of the scenario format's kernel rules. For every bundled
# scenario the oracle covers (row types config, fill, funding, balance,
# position, mark, plus expect/bar/tp_sl/holding, which do not reach the
# projection) and for scenarios drawn at random from fixed seeds, this runs
# `$LEDGERSIM run FILE --out DIR` and compares DIR/logs/reconcile.jsonl (and
# the last snapshot and published block of account.json) with the oracle
# field by field: numbers as the same double, strings equal. Prints file,
# line and field of every difference; a failing generated scenario is kept in
# ${TMPDIR:-/tmp}/seed_oracle_failures/. Exit 0 when everything matches.
# All of it runs in one python process (tools/output_oracle.py seed-suite,
# which imports seed_oracle.py and runs the binary itself).
#   LEDGERSIM     the binary (default bin/ledgersim; set by tools/run-tests.sh)
#   ORACLE_SEEDS  generated scenarios: per seed one of 200 events and two
#                 short ones (default 12 seeds)
# It fails when fewer than MIN_BUNDLED bundled scenarios (those of the
# oracle's row types when this was written) or fewer than MIN_BUNDLED +
# 3 x ORACLE_SEEDS scenarios in all were compared: a filter or a generator
# that silently drops files cannot pass by comparing nothing.
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
seeds=${ORACLE_SEEDS:-12}
MIN_BUNDLED=18
if [ ! -x "$LEDGERSIM" ]; then
    echo "FAIL no ledgersim binary at $LEDGERSIM"
    exit 1
fi
exec python3 tools/output_oracle.py seed-suite "$LEDGERSIM" "$seeds" "$MIN_BUNDLED" \
    "${TMPDIR:-/tmp}/seed_oracle_failures" scenarios/*.csv
