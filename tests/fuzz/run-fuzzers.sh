#!/bin/sh
# run-fuzzers.sh BUILD SECONDS NAME... -- runs each libFuzzer target
# BUILD/fuzz/fuzz_NAME for SECONDS seconds, one after the other (`make fuzz`).
#   reads    fixtures/fuzz/NAME/ (the committed corpus, never written) and
#            fixtures/fuzz/NAME.dict when present
#   writes   BUILD/corpus/NAME/ (inputs found to add coverage: candidates for
#            the committed corpus) and BUILD/findings/NAME-* (crashing inputs)
#   prints   one line per target: seconds, executions, exec/s, cov, ft, corpus
# Exit 1 when a target found something (its report is in BUILD/fuzz-NAME.log).
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
status=0
mkdir -p "$BUILD/findings"
# The targets' scratch files (fuzz_scratch_directory), in memory when possible.
TMPDIR=$(mktemp -d /dev/shm/ledgersim-fuzz.XXXXXX 2>/dev/null || mktemp -d)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
for name in "$@"; do
    corpus="$BUILD/corpus/$name"
    mkdir -p "$corpus"
    dictionary=""
    [ -f "fixtures/fuzz/$name.dict" ] && dictionary="-dict=fixtures/fuzz/$name.dict"
    log="$BUILD/fuzz-$name.log"
    started=$(date +%s)
    # shellcheck disable=SC2086
    "$BUILD/fuzz/fuzz_$name" "$corpus" "fixtures/fuzz/$name" $dictionary -max_total_time="$SECONDS_EACH" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/findings/$name-" \
        >"$log" 2>&1
    result=$?
    elapsed=$(($(date +%s) - started))
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    coverage=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    features=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    units=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
    if [ "$result" -eq 0 ]; then
        echo "fuzz $name: ${elapsed}s, ${executions:-?} executions, ${rate:-?} exec/s, cov ${coverage:-?}, ft ${features:-?}, corpus ${units:-?}"
    else
        status=1
        echo "fuzz $name: FOUND A DEFECT after ${elapsed}s (exit $result); input in $BUILD/findings/, report:"
        grep -E 'ERROR|SUMMARY|fuzz invariant|Test unit written' "$log" | head -10 | sed 's/^/    /'
    fi
done
exit $status
