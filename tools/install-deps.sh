#!/bin/sh
# install-deps.sh -- installs the Debian 12 packages ledgersim needs, by
# purpose. Idempotent: a package already installed is left alone.
#   tools/install-deps.sh [--if-missing] [SET...]
#     run   build and use it: the compiler, the libraries, gnuplot (reports);
#           what `make`, `make demo` and `ledgersim live` need
#     test  run + what `make test` uses: Check, valgrind, strace, clang and its
#           fuzzer runtime, headless chromium (report screenshots), python3
#           (oracles, mock exchange), xmllint (JUnit reports), GNU time, jq
#           (sweep and diff tests), and Slurm (slurmctld, slurmd, slurm-client)
#           with munge for the one-node cluster test (tests/slurm.sh)
#     ci    the same as test (kept so CI can grow extras of its own)
#   Default SET: test. --if-missing: silent when nothing is missing.
#   tools/install-deps.sh --list SET   prints the packages of SET, installs nothing.
set -eu
RUN_PACKAGES="build-essential pkg-config libcsv-dev libcjson-dev libgsl-dev gnuplot-nox \
libcurl4-openssl-dev libssl-dev libwebsockets-dev"
TEST_PACKAGES="$RUN_PACKAGES check libsubunit-dev valgrind strace clang libclang-rt-14-dev chromium python3 \
libxml2-utils time jq slurmctld slurmd slurm-client munge"
CI_PACKAGES="$TEST_PACKAGES"

quiet=false
list=false
sets=""
for argument in "$@"; do
    case "$argument" in
        --if-missing) quiet=true ;;
        --list) list=true ;;
        run|test|ci) sets="$sets $argument" ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-deps: unknown argument '$argument' (sets: run, test, ci)" >&2; exit 2 ;;
    esac
done
[ -n "$sets" ] || sets=" test"
PACKAGES=""
for set in $sets; do
    case "$set" in
        run) PACKAGES="$PACKAGES $RUN_PACKAGES" ;;
        test) PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
        ci) PACKAGES="$PACKAGES $CI_PACKAGES" ;;
    esac
done
if $list; then
    echo $PACKAGES | tr ' ' '\n' | sort -u
    exit 0
fi
# One dpkg-query for every package (it reads dpkg's whole status file on
# each start: ~0.1 s a call, for ~25 packages on every `make test`).
wanted=$(echo $PACKAGES | tr ' ' '\n' | sort -u)
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $wanted 2>/dev/null |
    awk '/ install ok installed$/ { printf "%s ", $1 }' || true)"
missing=""
for package in $wanted; do
    case "$installed" in
        *" $package "*) ;;
        *) missing="$missing $package" ;;
    esac
done
if [ -z "$missing" ]; then
    $quiet || echo "install-deps:$sets: everything is installed"
    exit 0
fi
echo "install-deps:$sets: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
