#!/bin/sh
# ledger_command.sh -- `ledgersim ledger` against fixtures/ledger/: every
# positions shape prints the same ledger, exit status 0/1/3 for green/yellow/
# red, every broken file exits 2 naming the file, --sync rewrites the registry
# (content checked) and never overwrites a registry that fails to parse,
# --json parses. Uses $LEDGERSIM (default bin/ledgersim). Exits non-zero with
# a message on the first failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
fixtures=$root/fixtures/ledger
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
checks=0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
pass() { checks=$((checks + 1)); }

[ -x "$LEDGERSIM" ] || fail "no executable at $LEDGERSIM (build with make)"

# run NAME ARGS...: runs the command, stdout in $work/NAME.out, stderr in
# $work/NAME.err, status in $status.
run() {
    run_name=$1
    shift
    "$LEDGERSIM" ledger "$@" >"$work/$run_name.out" 2>"$work/$run_name.err"
    status=$?
}

# expect_status NAME WANTED: fails unless the last run exited WANTED.
expect_status() {
    [ "$status" -eq "$2" ] || {
        sed 's/^/    /' "$work/$1.out" "$work/$1.err" >&2
        fail "$1: exit status $status, expected $2"
    }
    pass
}

# --- every accepted shape prints the same ledger ---------------------------
shapes="positions_wrapped positions_list positions_keyed positions_signed positions_keyed_signed"
for shape in $shapes; do
    run "$shape" --positions "$fixtures/$shape.json" --tp-sl "$fixtures/registry_full.json" \
        --mark BTCUSDT=51000 --mark ETHUSDT=3031 --mark SOLUSDT=143
    expect_status "$shape" 0
    run "$shape.json" --positions "$fixtures/$shape.json" --tp-sl "$fixtures/registry_full.json" \
        --mark BTCUSDT=51000 --mark ETHUSDT=3031 --mark SOLUSDT=143 --json
    expect_status "$shape.json" 0
done
# Every shape's --json output parses: one python3 for the five files.
python3 - "$work" $shapes <<'EOF_JSON' || fail "--json output does not parse"
import json, sys
for shape in sys.argv[2:]:
    try:
        json.load(open("%s/%s.json.out" % (sys.argv[1], shape)))
    except ValueError as error:
        print("%s: --json output does not parse: %s" % (shape, error))
        sys.exit(1)
EOF_JSON
for shape in $shapes; do pass; done
for shape in $shapes; do
    cmp -s "$work/positions_wrapped.out" "$work/$shape.out" || {
        diff "$work/positions_wrapped.out" "$work/$shape.out" >&2
        fail "$shape prints a different ledger than positions_wrapped"
    }
    cmp -s "$work/positions_wrapped.json.out" "$work/$shape.json.out" || {
        diff "$work/positions_wrapped.json.out" "$work/$shape.json.out" >&2
        fail "$shape prints different JSON than positions_wrapped"
    }
    pass
done
cat >"$work/expected_table" <<'EOF'
SYMBOL   SIDE   QTY    ENTRY   TP        SL        MARK   EXIT
BTCUSDT  LONG   0.5    50000   51000     49500     51000  TP
ETHUSDT  SHORT  2      3000    2940      3030      3031   SL
SOLUSDT  LONG   1.234  143.36  146.2272  141.9264  143    -
consistency: GREEN (positions 3, ledger 3, with tp/sl 3)
EOF
cmp -s "$work/expected_table" "$work/positions_wrapped.out" || {
    diff "$work/expected_table" "$work/positions_wrapped.out" >&2
    fail "the table differs from the expected one"
}
pass

# The JSON carries the ledger, the consistency block and the exits.
python3 - "$work/positions_wrapped.json.out" <<'EOF' || fail "--json content"
import json, sys
def check(ok, what=""):
    if not ok:
        print("check failed:", what)
        sys.exit(1)
document = json.load(open(sys.argv[1]))
ledger = document["positions_ledger"]
check(list(ledger) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"], list(ledger))
check(ledger["BTCUSDT"] == {"side": "LONG", "qty": 0.5, "entry_price": 50000, "tp": 51000, "sl": 49500,
                            "created_ts": 1733310000, "updated_ts": None}, ledger["BTCUSDT"])
check(ledger["ETHUSDT"]["side"] == "SHORT" and ledger["ETHUSDT"]["qty"] == 2)
check(document["ledger_consistency"] == {"status": "green", "num_positions": 3, "num_ledger": 3,
                                         "num_tp_sl": 3}, document["ledger_consistency"])
exits = [(e["symbol"], e["reason"], e["mark"]) for e in document["exits"]]
check(exits == [("BTCUSDT", "TP", 51000), ("ETHUSDT", "SL", 3031)], exits)
check("sync" not in document)
EOF
pass

# --- exit status by consistency ---------------------------------------------
run green --positions "$fixtures/positions_wrapped.json" --tp-sl "$fixtures/registry_full.json"
expect_status green 0
grep -q '^consistency: GREEN (positions 3, ledger 3, with tp/sl 3)$' "$work/green.out" || fail "green badge"
pass
run yellow --positions "$fixtures/positions_wrapped.json" --tp-sl "$fixtures/registry_partial.json"
expect_status yellow 1
grep -q '^consistency: YELLOW (positions 3, ledger 3, with tp/sl 1)$' "$work/yellow.out" || fail "yellow badge"
pass
run yellow_orphan --positions "$fixtures/positions_wrapped.json" --tp-sl "$fixtures/registry_orphan.json"
expect_status yellow_orphan 1
run yellow_no_registry --positions "$fixtures/positions_wrapped.json"
expect_status yellow_no_registry 1
run yellow_missing_registry --positions "$fixtures/positions_wrapped.json" --tp-sl "$work/absent.json"
expect_status yellow_missing_registry 1
[ ! -e "$work/absent.json" ] || fail "a read without --sync created the registry"
pass
run red --positions "$fixtures/positions_no_entry_price.json" --tp-sl "$fixtures/registry_full.json"
expect_status red 3
grep -q '^consistency: RED (positions 2, ledger 0, with tp/sl 0)$' "$work/red.out" || fail "red badge"
pass
run red_json --positions "$fixtures/positions_no_entry_price.json" --json
expect_status red_json 3
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["ledger_consistency"]["status"]=="red" else 1)' \
    "$work/red_json.out" || fail "red --json"
pass
run empty --positions "$fixtures/positions_empty.json" --tp-sl "$fixtures/registry_full.json"
expect_status empty 0

# --- broken files: exit 2, the message names the file -----------------------
for file in "$fixtures"/broken/positions_*.json; do
    name=$(basename "$file" .json)
    run "$name" --positions "$file" --tp-sl "$fixtures/registry_full.json"
    expect_status "$name" 2
    grep -qF "$file" "$work/$name.err" || fail "$name: the message does not name $file: $(cat "$work/$name.err")"
    [ ! -s "$work/$name.out" ] || fail "$name: printed a ledger for a broken file"
    pass
done
for file in "$fixtures"/broken/registry_*.json; do
    name=$(basename "$file" .json)
    run "$name" --positions "$fixtures/positions_wrapped.json" --tp-sl "$file"
    expect_status "$name" 2
    grep -qF "$file" "$work/$name.err" || fail "$name: the message does not name $file: $(cat "$work/$name.err")"
    pass
done
run truncated --positions "$fixtures/broken/positions_truncated.json"
grep -q 'byte offset [0-9]' "$work/truncated.err" || fail "a JSON syntax error does not give the byte offset"
pass
run no_file --positions "$work/nothing-here.json"
expect_status no_file 2
grep -qF "$work/nothing-here.json" "$work/no_file.err" || fail "a missing positions file is not named"
pass

# --- --sync -----------------------------------------------------------------
cp "$fixtures/registry_orphan.json" "$work/registry.json"
run sync --positions "$fixtures/positions_wrapped.json" --tp-sl "$work/registry.json" --sync --ts 1733400000
expect_status sync 0
grep -q '^seeded ETHUSDT tp=2940 sl=3030' "$work/sync.out" || fail "sync did not report seeding ETHUSDT"
grep -q '^seeded SOLUSDT tp=146.2272 sl=141.9264' "$work/sync.out" || fail "sync did not report seeding SOLUSDT"
grep -q '^removed XRPUSDT$' "$work/sync.out" || fail "sync did not report removing XRPUSDT"
grep -q '^consistency: GREEN' "$work/sync.out" || fail "sync did not end green"
pass
# The kept entry (BTCUSDT) is written exactly as the file had it (issue 15).
cat >"$work/expected_registry" <<'EOF'
{
  "BTCUSDT": {"side": "LONG", "entry_price": 50000, "tp": 51000, "sl": 49500, "created_ts": 1733310000, "updated_ts": 1733310000},
  "ETHUSDT": {
    "side": "SHORT",
    "entry_price": 3000,
    "tp": 2940,
    "sl": 3030,
    "created_ts": 1733400000,
    "updated_ts": 1733400000
  },
  "SOLUSDT": {
    "side": "LONG",
    "entry_price": 143.36,
    "tp": 146.2272,
    "sl": 141.9264,
    "created_ts": 1733400000,
    "updated_ts": 1733400000
  }
}
EOF
cmp -s "$work/expected_registry" "$work/registry.json" || {
    diff "$work/expected_registry" "$work/registry.json" >&2
    fail "--sync wrote an unexpected registry"
}
pass
[ "$(ls -A "$work" | grep -c '\.tmp\|\.lock')" -eq 0 ] || fail "--sync left a temp or lock file"
pass
# A second sync changes nothing (existing entries are never re-seeded).
cp "$work/registry.json" "$work/registry.before"
run sync_again --positions "$fixtures/positions_wrapped.json" --tp-sl "$work/registry.json" --sync --json
expect_status sync_again 0
cmp -s "$work/registry.before" "$work/registry.json" || fail "a second --sync changed the registry"
python3 - "$work/sync_again.out" "$work/registry.json" <<'EOF' || fail "--sync --json content"
import json, sys
def check(ok, what=""):
    if not ok:
        print("check failed:", what)
        sys.exit(1)
document = json.load(open(sys.argv[1]))
check(document["sync"] == {"file": sys.argv[2], "seeded": [], "removed": []}, document["sync"])
check(document["ledger_consistency"]["status"] == "green")
EOF
pass
# Sync with no positions truncates the registry to {}; a missing registry is created.
run sync_empty --positions "$fixtures/positions_empty.json" --tp-sl "$work/registry.json" --sync
expect_status sync_empty 0
[ "$(cat "$work/registry.json")" = "{}" ] || fail "sync without positions did not leave {}"
grep -q '^removed BTCUSDT$' "$work/sync_empty.out" || fail "sync without positions did not report removals"
pass
# A registry that cannot be written (its folder does not exist): exit 3, an
# output error (issue 15; 2 is for bad input).
run sync_unwritable --positions "$fixtures/positions_keyed.json" --tp-sl "$work/no-such-folder/r.json" --sync
expect_status sync_unwritable 3
grep -qF "$work/no-such-folder/r.json" "$work/sync_unwritable.err" || fail "a write failure does not name the file"
pass
run sync_create --positions "$fixtures/positions_keyed.json" --tp-sl "$work/registry_new.json" --sync --ts 5
expect_status sync_create 0
python3 - "$work/registry_new.json" <<'EOF' || fail "sync into a missing registry"
import json, sys
def check(ok, what=""):
    if not ok:
        print("check failed:", what)
        sys.exit(1)
registry = json.load(open(sys.argv[1]))
check(sorted(registry) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"], registry)
check(registry["BTCUSDT"]["tp"] == 51000 and registry["BTCUSDT"]["sl"] == 49500)
check(registry["ETHUSDT"]["side"] == "SHORT" and registry["ETHUSDT"]["tp"] == 2940)
check(registry["ETHUSDT"]["created_ts"] == 5)
EOF
pass

# A registry that fails to parse is never overwritten.
for file in "$fixtures"/broken/registry_*.json; do
    name=$(basename "$file" .json)
    cp "$file" "$work/corrupt.json"
    run "sync_$name" --positions "$fixtures/positions_wrapped.json" --tp-sl "$work/corrupt.json" --sync
    expect_status "sync_$name" 2
    cmp -s "$file" "$work/corrupt.json" || fail "--sync overwrote the broken registry $name"
    grep -qF "$work/corrupt.json" "$work/sync_$name.err" || fail "sync_$name: the message does not name the file"
    pass
done
# A broken positions file never lets --sync touch the registry either.
cp "$fixtures/registry_orphan.json" "$work/registry_kept.json"
run sync_bad_positions --positions "$fixtures/broken/positions_qty_text.json" --tp-sl "$work/registry_kept.json" --sync
expect_status sync_bad_positions 2
cmp -s "$fixtures/registry_orphan.json" "$work/registry_kept.json" || fail "--sync wrote after a bad positions file"
pass

# --- usage ------------------------------------------------------------------
run help --help
expect_status help 0
grep -q 'percentage' "$work/help.out" || fail "--help does not explain the percentage fallback"
grep -q 'Exit status' "$work/help.out" || fail "--help does not give the exit statuses"
pass
run usage_sync --positions "$fixtures/positions_wrapped.json" --sync
expect_status usage_sync 2
run usage_none
expect_status usage_none 2
run usage_mark --positions "$fixtures/positions_wrapped.json" --mark BTCUSDT
expect_status usage_mark 2
run usage_mark_text --positions "$fixtures/positions_wrapped.json" --mark BTCUSDT=abc
expect_status usage_mark_text 2
run usage_mark_twice --positions "$fixtures/positions_wrapped.json" --mark BTCUSDT=1 --mark BTCUSDT=2
expect_status usage_mark_twice 2
run usage_unknown --positions "$fixtures/positions_wrapped.json" --frobnicate
expect_status usage_unknown 2
run usage_missing_value --positions
expect_status usage_missing_value 2
run usage_ts --positions "$fixtures/positions_wrapped.json" --ts 5
expect_status usage_ts 2
run equals_form --positions="$fixtures/positions_wrapped.json" --tp-sl="$fixtures/registry_full.json"
expect_status equals_form 0

echo "ledger_command.sh: $checks checks passed"
