#!/bin/sh
# install-deps.sh -- installs the Debian 12 packages ledgersim needs. Idempotent.
#   tools/install-deps.sh               install whatever is missing
#   tools/install-deps.sh --if-missing  the same, silent when nothing is missing
set -eu
PACKAGES="build-essential clang pkg-config libcsv-dev libcjson-dev libgsl-dev check libsubunit-dev \
gnuplot-nox libcurl4-openssl-dev libssl-dev libwebsockets-dev chromium python3 valgrind \
libclang-rt-14-dev strace time"
# Sweeps on a cluster: a one-node Slurm cluster in tests/slurm.sh (issue 18); jq for the sweep and diff tests.
PACKAGES="$PACKAGES slurmctld slurmd slurm-client munge jq"
missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $package" ;;
    esac
done
if [ -z "$missing" ]; then
    [ "${1:-}" = "--if-missing" ] || echo "install-deps: everything is installed"
    exit 0
fi
echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
