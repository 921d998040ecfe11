#!/bin/sh
# bench.sh [BIN] -- `make bench`: how fast `ledgersim run` replays.
#
#   1. Generates two scenarios once, with `ledgersim gen --seed 1` (8
#      symbols): 1M and 10M rows, cached in bench/cache/ (regenerated when
#      the generator's output changes).
#   2. Replays each RUNS times (default 5; three times as many for files
#      under 5M rows, which take under a second) with the default outputs and with
#      --trace none, and times `cat FILE > /dev/null` on the same file, the
#      floor no replay can beat (the file is in the page cache by then).
#   3. Times `ledgersim check` over every scenarios/*.csv.
#   4. Checks the fast number printer and parser against the original slow
#      ones over 2.1 million values (tests/unit/test_number_equivalence.c).
# Every figure is the median of the runs. Prints the table and writes it,
# with the machine it ran on, to bench/results.md.
#
# Settings (environment): RUNS (5), SIZES ("1000000 10000000"), BENCH_OUT
# (where runs write: a fresh directory under /dev/shm when it has room, so
# that the disk is not what is measured; else bench/cache/out), BENCH_RESULTS
# (bench/results.md), EQUIVALENCE (the test binary, default
# build/tests/test_number_equivalence; "none" skips step 4).
# Needs GNU time (/usr/bin/time, Debian package "time") for peak RSS.
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-bin/ledgersim}
RUNS=${RUNS:-5}
SIZES=${SIZES:-"1000000 10000000"}
RESULTS=${BENCH_RESULTS:-bench/results.md}
EQUIVALENCE=${EQUIVALENCE:-build/tests/test_number_equivalence}
SEED=1
CACHE=bench/cache
GNU_TIME=/usr/bin/time

[ -x "$BIN" ] || { echo "bench: $BIN is not built (make)" >&2; exit 2; }
"$GNU_TIME" -f %M true >/dev/null 2>&1 || { echo "bench: GNU time is missing (tools/install-deps.sh)" >&2; exit 2; }
mkdir -p "$CACHE"

# Where the runs write: tmpfs when it has room for the largest run (about
# 300 bytes of output per row), else the cache folder on disk.
largest=0
for size in $SIZES; do [ "$size" -gt "$largest" ] && largest=$size; done
if [ -z "${BENCH_OUT:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
    [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt $((largest * 300 / 1024 * 2)) ]; then
    BENCH_OUT=$(mktemp -d /dev/shm/ledgersim-bench.XXXXXX)
    cleanup_out=$BENCH_OUT
else
    BENCH_OUT=${BENCH_OUT:-$CACHE/out}
    cleanup_out=""
fi
mkdir -p "$BENCH_OUT"
work=$(mktemp -d)
trap 'rm -rf "$work" ${cleanup_out:+"$cleanup_out"}' EXIT

# Nanoseconds since the epoch (GNU date).
now() { date +%s%N; }

# Prints the median of the numbers on standard input (one per line).
median() { sort -g | awk '{value[NR] = $1} END {print (NR % 2) ? value[(NR + 1) / 2] : (value[NR / 2] + value[NR / 2 + 1]) / 2}'; }

# The generated scenarios, regenerated when gen's output changed.
fingerprint=$("$BIN" gen --events 20000 --seed "$SEED" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$CACHE/gen.fingerprint" 2>/dev/null)" != "$fingerprint" ]; then
    rm -f "$CACHE"/scenario-*.csv
    echo "$fingerprint" >"$CACHE/gen.fingerprint"
fi
for size in $SIZES; do
    file=$CACHE/scenario-$size-seed$SEED.csv
    if [ ! -s "$file" ]; then
        echo "bench: generating $file"
        "$BIN" gen --events "$size" --seed "$SEED" >"$file.tmp"
        mv "$file.tmp" "$file"
    fi
done

table=$work/table.md
{
    echo "| rows | outputs | wall s | rows/s | MB/s | CPU s | peak RSS MiB | wall / cat |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|"
} >"$table"

for size in $SIZES; do
    file=$CACHE/scenario-$size-seed$SEED.csv
    bytes=$(wc -c <"$file")
    cat "$file" >/dev/null # into the page cache
    : >"$work/cat"
    for run in $(seq "$RUNS"); do
        start=$(now)
        cat "$file" >/dev/null
        echo "$(( $(now) - start ))" >>"$work/cat"
    done
    cat_ns=$(median <"$work/cat")
    # A file under 5M rows replays in under a second: a burst of load from
    # other machines on the host can then slow most of RUNS runs, so such
    # sizes get three times as many (the median stays a median).
    runs=$RUNS
    [ "$size" -lt 5000000 ] && runs=$((RUNS * 3))
    for mode in full none; do
        : >"$work/wall"; : >"$work/cpu"; : >"$work/rss"
        for run in $(seq "$runs"); do
            rm -rf "$BENCH_OUT/run"
            start=$(now)
            "$GNU_TIME" -o "$work/time" -f "%U %S %M" "$BIN" run "$file" --out "$BENCH_OUT/run" --trace "$mode" \
                >"$work/stdout"
            echo "$(( $(now) - start ))" >>"$work/wall"
            awk '{print $1 + $2}' "$work/time" >>"$work/cpu"
            awk '{print $3}' "$work/time" >>"$work/rss"
        done
        rm -rf "$BENCH_OUT/run"
        rows=$(sed -n 's/.*: \([0-9]*\) rows,.*/\1/p' "$work/stdout")
        wall_ns=$(median <"$work/wall")
        cpu=$(median <"$work/cpu")
        rss_kib=$(median <"$work/rss")
        label=$([ "$mode" = full ] && echo "default" || echo "--trace none")
        awk -v rows="$rows" -v bytes="$bytes" -v wall="$wall_ns" -v cpu="$cpu" -v rss="$rss_kib" \
            -v cat_ns="$cat_ns" -v label="$label" 'BEGIN {
                seconds = wall / 1e9
                printf "| %d | %s | %.2f | %.0f | %.1f | %.2f | %.1f | %.1f |\n", rows, label, seconds,
                    rows / seconds, bytes / 1e6 / seconds, cpu, rss / 1024, wall / cat_ns
            }' >>"$table"
    done
    awk -v size="$size" -v bytes="$bytes" -v cat_ns="$cat_ns" \
        'BEGIN {printf "%d rows: %.1f MB, cat %.3f s\n", size, bytes / 1e6, cat_ns / 1e9}' >>"$work/files"
done

# ledgersim check over every bundled scenario.
: >"$work/check"
for run in $(seq 5); do
    rm -rf "$BENCH_OUT/check"
    start=$(now)
    "$BIN" check --out "$BENCH_OUT/check" scenarios/*.csv >/dev/null 2>&1 || true
    echo "$(( $(now) - start ))" >>"$work/check"
done
check_seconds=$(median <"$work/check" | awk '{printf "%.3f", $1 / 1e9}')
scenario_count=$(ls scenarios/*.csv | wc -l)

# Sweep (issue 16): a 64-point threshold grid (4 reconcile keys) over the
# smallest file against one `run --trace none` of the same file, the two
# interleaved run by run so that load on the host hits both alike; medians
# of CPU (user + system) and of wall time. The limit is 1.5x.
sweep_file=$CACHE/scenario-$(echo "$SIZES" | tr ' ' '\n' | sort -n | head -1)-seed$SEED.csv
: >"$work/sweep_cpu"; : >"$work/sweep_wall"; : >"$work/single_cpu"; : >"$work/single_wall"
for run in $(seq $((RUNS * 3))); do
    start=$(now)
    "$GNU_TIME" -o "$work/time" -f "%U %S" "$BIN" run "$sweep_file" --trace none --out "$BENCH_OUT/single" >/dev/null
    echo "$(( $(now) - start ))" >>"$work/single_wall"
    awk '{print $1 + $2}' "$work/time" >>"$work/single_cpu"
    start=$(now)
    "$GNU_TIME" -o "$work/time" -f "%U %S" "$BIN" sweep "$sweep_file" --no-report --out "$BENCH_OUT/sweep" \
        --grid reconcile.pending_fee_bound=1,5,10,20 --grid reconcile.capital_epsilon=0.0001,0.01 \
        --grid reconcile.mark_staleness_factor=0.001,0.003,0.01,0.05 --grid reconcile.leverage_rounding_band=1,2 \
        >/dev/null
    echo "$(( $(now) - start ))" >>"$work/sweep_wall"
    awk '{print $1 + $2}' "$work/time" >>"$work/sweep_cpu"
done
rm -rf "$BENCH_OUT/single" "$BENCH_OUT/sweep"
sweep_line=$(awk -v sc="$(median <"$work/sweep_cpu")" -v oc="$(median <"$work/single_cpu")" \
    -v sw="$(median <"$work/sweep_wall")" -v ow="$(median <"$work/single_wall")" -v runs=$((RUNS * 3)) \
    -v file="$(basename "$sweep_file")" 'BEGIN {
    printf "`ledgersim sweep`, 64-point threshold grid (4 reconcile keys) over %s: CPU %.2f s against %.2f s for one `run --trace none` (%.2fx), wall %.2f s against %.2f s (%.2fx); medians of %d interleaved runs; limit 1.5x", file, sc, oc, sc / oc, sw / 1e9, ow / 1e9, sw / ow, runs}')

equivalence="skipped"
if [ "$EQUIVALENCE" != none ]; then
    if [ -x "$EQUIVALENCE" ] &&
        LEDGERSIM_EQUIVALENCE_VALUES=300000 CK_FORK=no "$EQUIVALENCE" >"$work/equivalence" 2>&1; then
        equivalence="passed: 2.1 million values and 600000 texts, identical to the slow path"
    else
        equivalence="FAILED (or not built: $EQUIVALENCE)"
    fi
fi

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "# ledgersim benchmark"
    echo
    echo "\`make bench\` (tools/bench.sh) on $(date -u +%Y-%m-%d):"
    echo "$cpu_model, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM,"
    echo "Linux $(uname -r), $(${CC:-cc} --version 2>/dev/null | head -1), \`-O2\`."
    echo "Load average when it started: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine"
    echo "inflates wall times; CPU s is user + system time of the run alone)."
    echo
    echo "Input: \`ledgersim gen --events N --seed $SEED\` (8 symbols; marks of every symbol as one"
    echo "event each second, trades, funding, late and zero-wallet frames). Outputs written to"
    echo "$(case "$BENCH_OUT" in /dev/shm/*) echo "tmpfs (/dev/shm)";; *) echo "$BENCH_OUT";; esac)."
    echo "Each figure is the median of $RUNS runs ($((RUNS * 3)) for files under 5M rows); MB is 10^6 bytes of input; \"wall / cat\" is"
    echo "the run's wall time over that of \`cat FILE > /dev/null\` on the same (cached) file."
    echo
    cat "$table"
    echo
    sed 's/^/- /' "$work/files"
    echo "- \`ledgersim check\` over the $scenario_count bundled scenarios: $check_seconds s (median of 5)"
    echo "- number printer and parser equivalence: $equivalence"
    echo "- $sweep_line"
} >"$RESULTS"
cat "$RESULTS"
