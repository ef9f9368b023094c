#!/bin/bash
# slurm_sweep_test.sh MOESCOPE SOURCE_DIR: the Slurm job-array example (assets/slurm) on a
# private single-node Slurm (slurmctld + slurmd on this host, munge, all in a temp folder):
# a small grid as a 3-task array, then the merge job after it, and the merged CSV compared
# byte for byte to the unsharded sweep. Exits 77 (skipped) when Slurm or munge is not
# installed (Debian: slurm-wlm) or not run as root, or the controller does not come up.
set -uo pipefail
MOESCOPE=$(readlink -f "$1")
SRC=$(readlink -f "$2")
skip() { echo "SKIP: $*"; exit 77; }
for tool in sbatch slurmctld slurmd munged sinfo; do
  command -v "$tool" >/dev/null || skip "$tool not installed (apt-get install slurm-wlm)"
done
[ "$(id -u)" = 0 ] || skip "needs root to start munged and slurmd"

D=$(mktemp -d /tmp/moescope-slurm.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D/state" "$D/spool" "$D/munge" "$D/work"
chmod 700 "$D/munge"
dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$D/munge/munge.key"
munged --force --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" --seed-file="$D/munge/seed" ||
  skip "munged did not start"
PIDS+=("$(cat "$D/munge/munged.pid")")
HOST=$(hostname -s)
PORT=$((20000 + RANDOM % 20000))
cat >"$D/slurm.conf" <<CONF
ClusterName=moescope
SlurmctldHost=$HOST
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$(nproc) RealMemory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 2048)) State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld -D -i >"$D/ctld.out" 2>&1 &
PIDS+=($!)
slurmd -D >"$D/d.out" 2>&1 &
PIDS+=($!)
up=0
for _ in $(seq 1 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then up=1; break; fi
  sleep 0.5
done
if [ $up = 0 ]; then
  tail -5 "$D/slurmctld.log" "$D/slurmd.log" 2>/dev/null
  skip "the single-node Slurm did not come up within 30 s"
fi

cd "$D/work" || exit 1
ARGS="--preset balanced --grid k=1,2 --grid alpha=0,1e-2 --seeds 2 --steps 20"
"$MOESCOPE" sweep $ARGS --out unsharded.csv >/dev/null 2>&1 || { echo "FAIL: the unsharded sweep"; exit 1; }
export MOESCOPE OUT=small SWEEP_ARGS="$ARGS"
jid=$(sbatch --parsable --array=0-2 --cpus-per-task=1 --mem-per-cpu=256 "$SRC/assets/slurm/sweep-array.sbatch") ||
  { echo "FAIL: sbatch of the array"; exit 1; }
sbatch --wait --dependency=afterok:"$jid" --output="$D/work/merge.log" "$SRC/assets/slurm/sweep-merge.sbatch" >/dev/null ||
  { echo "FAIL: the merge job"; cat "$D"/work/*.log; exit 1; }
for i in 0 1 2; do [ -s "small-shard-$i.csv" ] || { echo "FAIL: no small-shard-$i.csv"; cat "$D"/work/*.log; exit 1; }; done
if cmp -s small.csv unsharded.csv; then
  echo "PASS: 3 array tasks + merge = the unsharded sweep ($(($(wc -l <small.csv) - 1)) runs)"
else
  echo "FAIL: merged CSV differs from the unsharded sweep"
  diff small.csv unsharded.csv | head
  exit 1
fi
