#!/bin/sh
# run-tests.sh BUILD BIN -- every test of the project, run in parallel, one
# line per test in a fixed order, and a last line "N passed, N failed" (the
# tests). Exit 1 on any failure.
#   unit:      every Check binary BUILD/tests/test_NAME of tests/unit/test_NAME.c
#              (a missing binary fails: zero unit tests must never pass)
#   scenarios: `ledgersim check` over scenarios/*.csv
#   tests/*.sh every other test script (each exits 0 on success); it gets
#              LEDGERSIM=BIN and BUILD in its environment.
# JOBS=N sets the parallelism (default: the number of cores). Each test's
# output is kept in its own file; the tests are printed in the order above,
# as soon as the tests before it are done, one line each with its wall time;
# a failing test's output follows its line (show_failure). The end prints
# the suite's wall time, the slowest five, and how many Check checks the
# unit binaries ran. The times of this run are kept in
# BUILD/test-times.txt, and the next run starts the slowest tests first (the
# printed order never changes).
set -u
BUILD=${1:-build}
BIN=${2:-bin/ledgersim}
LEDGERSIM=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
export LEDGERSIM BUILD
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
case "$JOBS" in ''|*[!0-9]*|0) echo "run-tests: JOBS must be a whole number >= 1"; exit 2 ;; esac
log=$(mktemp -d)
trap 'rm -rf "$log"; [ -n "${scratch:-}" ] && rmdir "$scratch" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
times_file="$BUILD/test-times.txt"

# python3 on PATH may be a version manager's shim (pyenv's costs ~0.5 s of
# CPU and ~1 s of wall per start, the interpreter alone ~0.1 s) and the
# tests start python3 about 70 times: they get a PATH whose python3 execs
# the interpreter that python3 runs (its sys.executable, by its own path, so
# that a virtual environment stays one), resolved once here. The same
# interpreter, only without the shim in front of each start.
if python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$python" ]; then
    mkdir "$log/bin" &&
        printf '#!/bin/sh\nexec %s "$@"\n' "'$python'" >"$log/bin/python3" &&
        chmod +x "$log/bin/python3" && PATH=$log/bin:$PATH && export PATH
fi

# The tests' scratch folders (mktemp, i.e. TMPDIR) go on a RAM file system
# when TMPDIR is not set and /dev/shm is a tmpfs with 2 GiB free. Every run
# of the product fsyncs each file and folder it writes (~17 fsyncs a run);
# on a disk that is ~70 ms of waiting per run, over ~1,500 runs in the
# suite. The tests kill and fail processes, never the machine, so durability
# is not what they check: every fsync is still made (the fault hook and
# strace count them), it only returns at once. LEDGERSIM_TEST_TMPDIR=DIR
# puts the scratch folders under DIR instead (=/tmp: on disk, as before).
# What the tests leave there (nothing, unless a failure kept its files) is
# named at the end.
scratch=""
if [ -z "${TMPDIR:-}" ]; then
    scratch_root=${LEDGERSIM_TEST_TMPDIR:-}
    if [ -z "$scratch_root" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
        [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
        [ "$(df -P -k /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -ge 2097152 ] 2>/dev/null; then
        scratch_root=/dev/shm
    fi
    if [ -n "$scratch_root" ] && scratch=$(mktemp -d "$scratch_root/ledgersim-tests.XXXXXX"); then
        TMPDIR=$scratch
        export TMPDIR
    fi
fi

now_ms() { date +%s%3N; }
suite_start=$(now_ms)

# The job list: one line per test, "NAME<TAB>KIND<TAB>ARGUMENT".
tab=$(printf '\t')
: >"$log/jobs"
for source in tests/unit/test_*.c; do
    name=$(basename "$source" .c)
    printf 'unit %s\tunit\t%s\n' "$name" "$BUILD/tests/$name" >>"$log/jobs"
done
printf 'scenarios (ledgersim check scenarios/*.csv)\tscenarios\t-\n' >>"$log/jobs"
for script in tests/*.sh; do
    [ -f "$script" ] && printf '%s\tscript\t%s\n' "$script" "$script" >>"$log/jobs"
done
count=$(grep -c '' "$log/jobs")

# run_job INDEX KIND ARGUMENT: runs one test, output to INDEX.out, then
# "STATUS MILLISECONDS" to INDEX.done (renamed into place: the poller never
# reads half a line).
run_job() {
    start=$(now_ms)
    case "$2" in
        unit)
            if [ -x "$3" ]; then
                CK_FORK=yes "$3" >"$log/$1.out" 2>&1 3>&-
                status=$?
                checks=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\),.*/\1/p' "$log/$1.out" | head -1)
                if [ -z "$checks" ] || [ "$checks" -eq 0 ]; then
                    echo "run-tests: $3 ran no Check checks" >>"$log/$1.out"; status=1
                fi
            else
                echo "run-tests: $3 is missing: build it with 'make unit BUILD=$BUILD'" >"$log/$1.out"
                status=1
            fi ;;
        scenarios)
            # Its runs write where the scripts' do (TMPDIR), not into the log.
            scenarios_out=$(mktemp -d)
            "$LEDGERSIM" check --out "$scenarios_out" scenarios/*.csv >"$log/$1.out" 2>&1 3>&-
            status=$?
            rm -rf "$scenarios_out" ;;
        *)
            sh "$3" >"$log/$1.out" 2>&1 3>&-
            status=$? ;;
    esac
    echo "$status $(($(now_ms) - start))" >"$log/$1.done.tmp"
    mv "$log/$1.done.tmp" "$log/$1.done"
    echo "$1" >&3     # wakes the dispatcher (a line of a few bytes: written at once)
}

# Dispatch order: the slowest of the previous run first (a short suite ends
# when its longest test does), then the rest in list order.
[ -f "$times_file" ] && cp "$times_file" "$log/previous" || : >"$log/previous"
awk -F "$tab" -v previous="$log/previous" \
    'FILENAME == previous { ms[$2] = $1; next } { print (($1 in ms) ? ms[$1] : 0) "\t" FNR }' \
    "$log/previous" "$log/jobs" |
    sort -t "$tab" -k1,1nr -k2,2n | cut -f2 >"$log/order"

# show_failure FILE: why a test failed. A short output is printed whole; a
# long one as its lines that say why (a test's "FAIL: reason", Check's
# ":F:"/":E:" lines, errors), numbered, then its last 40 lines. The tail
# alone is not enough: lib.sh's fail() follows its reason with the tails of
# live.log, stderr and the mock's log, which push it out of the last 40.
show_failure() {
    total=$(grep -c '' "$1")
    if [ "$total" -le 80 ]; then
        sed 's/^/    /' "$1"
        return
    fi
    echo "    ($total lines of output; the lines that say why, by line number:)"
    grep -n -E 'FAIL|:[FE]:|[Ee]rror|Assertion|Segmentation|Aborted|timeout' "$1" | head -30 | sed 's/^/    /'
    echo "    (the last 40 lines:)"
    tail -40 "$1" | sed 's/^/    /'
}

passed=0
failed=0
printed=0
checks_total=0
# print_ready: prints, in list order, every finished test whose predecessors
# have all been printed.
print_ready() {
    while [ "$printed" -lt "$count" ] && [ -f "$log/$((printed + 1)).done" ]; do
        ready=$((printed + 1))
        ready_line=$(sed -n "${ready}p" "$log/jobs")
        ready_name=${ready_line%%"$tab"*}
        ready_kind=${ready_line#*"$tab"}; ready_kind=${ready_kind%%"$tab"*}
        read -r status elapsed_ms <"$log/$ready.done"
        seconds=$(awk -v ms="$elapsed_ms" 'BEGIN { printf "%.1f", ms / 1000 }')
        printf '%s\t%s\n' "$elapsed_ms" "$ready_name" >>"$log/times"
        if [ "$ready_kind" = unit ]; then
            checks=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\),.*/\1/p' "$log/$ready.out" | head -1)
            checks_total=$((checks_total + ${checks:-0}))
            grep -E '^[0-9]+%: Checks' "$log/$ready.out" | sed "s|^|    ${ready_name#unit }: |"
        fi
        [ "$ready_kind" = scenarios ] && tail -1 "$log/$ready.out" | sed 's/^/    scenarios: /'
        if [ "$status" -eq 0 ]; then
            passed=$((passed + 1)); echo "PASS $ready_name ($seconds s)"
        else
            failed=$((failed + 1)); echo "FAIL $ready_name ($seconds s)"; show_failure "$log/$ready.out"
        fi
        printed=$ready
    done
}

# Finished jobs announce themselves on a FIFO (fd 3, opened read-write so
# that neither side blocks on open): the dispatcher sleeps in read until one
# is done, with no polling.
mkfifo "$log/finished"
exec 3<>"$log/finished"
running=0
for index in $(cat "$log/order"); do
    while [ "$running" -ge "$JOBS" ]; do
        read -r _ <&3
        running=$((running - 1))
        print_ready
    done
    line=$(sed -n "${index}p" "$log/jobs")
    kind=${line#*"$tab"}; argument=${kind#*"$tab"}; kind=${kind%%"$tab"*}
    run_job "$index" "$kind" "$argument" &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
    read -r _ <&3
    running=$((running - 1))
    print_ready
done
wait
exec 3>&-
# The scratch folder: removed when the tests left it empty, else named.
if [ -n "$scratch" ] && ! rmdir "$scratch" 2>/dev/null; then
    echo "run-tests: the tests left files in $scratch (their TMPDIR): $(ls -A "$scratch" | head -5 | tr '\n' ' ')"
fi

suite_ms=$(($(now_ms) - suite_start))
echo "suite: $(awk -v ms="$suite_ms" 'BEGIN { printf "%.1f", ms / 1000 }') s wall with JOBS=$JOBS;" \
     "$checks_total Check checks ran in the unit binaries"
echo "slowest:"
sort -t "$tab" -k1,1nr "$log/times" | head -5 |
    awk -F "$tab" '{ printf "  %6.1f s  %s\n", $1 / 1000, $2 }'
awk -F "$tab" '{ print $1 "\t" $2 }' "$log/times" >"$times_file.tmp" 2>/dev/null &&
    mv "$times_file.tmp" "$times_file" 2>/dev/null
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
