#!/bin/sh
# slurm.sh -- `ledgersim sweep --emit-slurm` on a real Slurm cluster of one
# node (issue 18), started and stopped here: munged, slurmctld and slurmd as
# root, every socket, spool, state file and log under a temporary folder
# (no systemd). The emitted scripts are submitted as the command prints
# them (an array job, the merge after it with afterok); the merged sweep
# must equal, byte for byte, the same sweep run locally. Then a second sweep
# whose shard 1 fails: Slurm cancels the merge (kill_invalid_depend) and
# `sweep merge` refuses, naming shard 1 and the command that reruns it.
#
# Needs root and Debian 12's slurmctld, slurmd, slurm-client and munge
# (tools/install-deps.sh installs them): a missing one FAILS the test (a
# skipped cluster test would let a broken sweep pass). Without root it says
# SKIP: the daemons cannot run as another user here. A trap
# cancels the jobs and stops the three daemons by pid whatever happens.
# Ports: Slurm needs them in slurm.conf; two free ones are found by binding
# port 0 (another process could take one before slurmctld binds it: the
# start then fails loudly, it never flakes silently into a pass).
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
case $LEDGERSIM in /*) ;; *) LEDGERSIM=$(pwd)/$LEDGERSIM ;; esac
fail() { echo "FAIL: $*"; [ -n "${cluster:-}" ] && tail -5 "$cluster"/*.log 2>/dev/null; exit 1; }
if [ "$(id -u)" != 0 ]; then echo "SKIP: slurm.sh needs root (daemons with their state in a temp folder)"; exit 0; fi
for program in munged slurmctld slurmd sbatch squeue scancel sinfo; do
    command -v "$program" >/dev/null 2>&1 || fail "$program is not installed (run tools/install-deps.sh)"
done

cluster=$(mktemp -d /tmp/ledgersim-slurm.XXXXXX)
chmod 755 "$cluster"
munged_pid="" slurmctld_pid="" slurmd_pid=""
export SLURM_CONF="$cluster/slurm.conf"

# Stops whatever was started: jobs first (stopping slurmd leaves them
# running), then the daemons by pid, waiting until each is gone.
stop_cluster() {
    [ -n "$slurmctld_pid" ] && scancel --quiet --user=root >/dev/null 2>&1
    for pid in $slurmd_pid $slurmctld_pid $munged_pid; do
        kill "$pid" 2>/dev/null
    done
    for pid in $slurmd_pid $slurmctld_pid $munged_pid; do
        tries=0
        while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
        kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$cluster"
}
trap stop_cluster EXIT
trap 'exit 1' INT TERM HUP

# Two free TCP ports (see above).
ports=$(python3 -c '
import socket
held = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))') || fail "no free ports"
set -- $ports
ctld_port=$1 slurmd_port=$2

mkdir -p "$cluster/state" "$cluster/spool" "$cluster/munge"
chmod 700 "$cluster/munge"
dd if=/dev/urandom of="$cluster/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$cluster/munge/munge.key"
cat >"$cluster/slurm.conf" <<EOF
ClusterName=ledgersim-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cluster/munge/munge.socket
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MaxArraySize=1001
ReturnToService=2
SlurmctldTimeout=10
SlurmdTimeout=10
NodeName=localhost CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

munged --force --key-file="$cluster/munge/munge.key" --socket="$cluster/munge/munge.socket" \
    --pid-file="$cluster/munge/munged.pid" --log-file="$cluster/munged.log" --seed-file="$cluster/munge/seed" ||
    fail "munged did not start"
munged_pid=$(cat "$cluster/munge/munged.pid")
slurmctld -D -i -f "$SLURM_CONF" >"$cluster/slurmctld.out" 2>&1 &
slurmctld_pid=$!
slurmd -D -N localhost -f "$SLURM_CONF" >"$cluster/slurmd.out" 2>&1 &
slurmd_pid=$!

# Polls (at most about 30 s) until the node is idle.
tries=0
until [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 300 ] && fail "the node never became idle: $(sinfo -N 2>&1 | tail -2)"
    kill -0 "$slurmctld_pid" 2>/dev/null || fail "slurmctld died"
    kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd died"
    sleep 0.1
done

# Polls squeue (sbatch --wait polls at 2, 8, 32 s) until no job is left.
wait_for_jobs() {
    tries=0
    while [ -n "$(squeue -h -o %i 2>/dev/null)" ]; do
        tries=$((tries + 1))
        [ "$tries" -gt 1800 ] && fail "jobs still queued after 3 minutes: $(squeue 2>&1)"
        sleep 0.1
    done
}

# Submits the printed commands of --emit-slurm; the merge's job id in $merge_job.
submit() { # commands-file
    sh -c "$(cat "$1"); echo \"\$array\" >'$1.array'" >"$1.merge" 2>&1 || fail "submit: $(cat "$1.merge")"
    merge_job=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' "$1.merge")
    [ -n "$merge_job" ] || fail "no merge job: $(cat "$1.merge")"
}

work="$cluster/work"
mkdir -p "$work"
"$LEDGERSIM" gen --events 1500 --seed 3 --symbols 2 >"$work/gen.csv" || fail gen
set -- scenarios/backtest_fuzz.csv "$work/gen.csv" --grid sl.pct=0.01,0.02 \
    --grid reconcile.pending_fee_bound=1,20 --faults all=0.02 --seeds 1..3

# 1. Four shards on Slurm, merged there: equal to the local sweep.
"$LEDGERSIM" sweep "$@" --out "$work/local" >/dev/null 2>&1 || fail "local sweep"
"$LEDGERSIM" sweep "$@" --out "$work/cluster" --emit-slurm "$work/jobs" --shards 4 --throttle 2 --time 10 \
    --mem 100 >"$work/commands" || fail "--emit-slurm"
grep -q '^#SBATCH --array=0-3%2$' "$work/jobs/sweep.sbatch" || fail "array line: $(cat "$work/jobs/sweep.sbatch")"
grep -q 'afterok:\$array' "$work/commands" || fail "printed commands: $(cat "$work/commands")"
submit "$work/commands"
wait_for_jobs
[ -s "$work/cluster/sweep.json" ] || fail "no merged sweep.json; merge log: $(cat "$work/jobs/logs/merge.out" 2>&1)"
for file in sweep.csv sweep.json; do
    cmp -s "$work/local/$file" "$work/cluster/$file" || fail "the cluster's $file differs from the local one"
done
[ "$(ls "$work/jobs/logs" | grep -c '^shard-[0-3].out$')" = 4 ] || fail "shard logs: $(ls "$work/jobs/logs")"

# 2. Shard 1 fails: the merge job is cancelled, `sweep merge` names shard 1.
cat >"$work/failing" <<EOF
#!/bin/sh
[ "\${SLURM_ARRAY_TASK_ID:-}" = 1 ] && { echo "shard 1 made to fail" >&2; exit 1; }
exec "$LEDGERSIM" "\$@"
EOF
chmod +x "$work/failing"
LEDGERSIM="$work/failing" "$LEDGERSIM" sweep "$@" --out "$work/broken" --emit-slurm "$work/jobs2" --shards 3 \
    >"$work/commands2" || fail "--emit-slurm 2"
LEDGERSIM="$work/failing" submit "$work/commands2"
wait_for_jobs
[ -e "$work/broken/sweep.json" ] && fail "a merge ran behind a failed shard"
[ -e "$work/broken/shards/shard-1-of-3.json" ] && fail "the failed shard wrote its file"
"$LEDGERSIM" sweep merge "$work/broken" >"$work/refused" 2>&1
[ $? -eq 2 ] || fail "merge with a failed shard: not exit 2"
grep -q "shard 1 of 3 .*missing; rerun: ledgersim sweep .* --shard 1/3 --out $work/broken" "$work/refused" ||
    fail "the refusal does not name shard 1: $(cat "$work/refused")"
echo "slurm: ok (4-shard array merged on the cluster equals the local sweep; a failed shard refused)"
