#!/usr/bin/env bash
# A single-node SLURM cluster with accounting, for the SLURM test (tests/cluster/).
#
#   bash scripts/slurm_cluster.sh up      # install (apt, as root) if needed, start, wait until usable
#   bash scripts/slurm_cluster.sh down    # stop the daemons it started, by their pid files
#   bash scripts/slurm_cluster.sh status
#
# Debian/Ubuntu, as root, without systemd: munged, mariadbd, slurmdbd, slurmctld and slurmd
# are started directly. Idempotent: `up` on a running cluster only checks it. The node gets
# this machine's cores and 90 % of its memory; one partition, `main`; account `flexmlff`.
set -euo pipefail

STATE=/var/lib/flexmlff-slurm   # pid files, logs, spool and state
CLUSTER=flexmlff
ACCOUNT=flexmlff
DB_PASSWORD=flexmlff-slurmdbd   # a throwaway local database, reachable from this machine only
NODE=$(hostname -s)

log() { echo "slurm_cluster: $*" >&2; }

PIDS=$STATE/pids                # written by daemons running as munge, mysql and slurm

alive() { [[ -f "$PIDS/$1.pid" ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 4))); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    log "$what did not come up within ${seconds} s; logs in $STATE"
    return 1
}

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmdbd >/dev/null && command -v munged >/dev/null \
        && command -v mariadbd >/dev/null; then
        return
    fi
    [[ $(id -u) == 0 ]] || { log "installing SLURM needs root (apt)"; exit 1; }
    log "installing slurm-wlm, slurmdbd, munge and mariadb-server (apt, ~1 min)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm slurmdbd munge mariadb-server >/dev/null
}

write_configs() {
    local cpus memory_mb
    cpus=$(nproc)
    memory_mb=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
    mkdir -p "$STATE"/{spool,state} /etc/slurm
    chown slurm:slurm "$STATE/state"
    chmod 777 "$STATE"   # the daemons' own logs
    cat >/etc/slurm/slurm.conf <<EOF
# written by flexmlff scripts/slurm_cluster.sh
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$PIDS/slurmctld.pid
SlurmdPidFile=$PIDS/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageEnforce=associations
# sacct shows the comment, where the executor plugin names each job's rule
AccountingStoreFlags=job_comment
# finished jobs stay visible to squeue for 5 min (the executor plugin may poll slowly)
MinJobAge=300
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    cat >/etc/slurm/slurmdbd.conf <<EOF
# written by flexmlff scripts/slurm_cluster.sh
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=$PIDS/slurmdbd.pid
LogFile=$STATE/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASSWORD
StorageLoc=slurm_acct_db
EOF
    chown slurm:slurm /etc/slurm/slurmdbd.conf
    chmod 600 /etc/slurm/slurmdbd.conf
}

start_munge() {
    alive munged && return
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- munged --pid-file="$PIDS/munged.pid" 2>>"$STATE/munged.log" \
        || munged --force --pid-file="$PIDS/munged.pid" 2>>"$STATE/munged.log"
    wait_for 10 munged munge -n
}

start_mariadb() {
    if ! alive mariadbd; then
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        mariadbd --user=mysql --pid-file="$PIDS/mariadbd.pid" --socket=/run/mysqld/mysqld.sock \
            --bind-address=127.0.0.1 >>"$STATE/mariadbd.log" 2>&1 &
        wait_for 30 mariadb mariadb -e "select 1"
    fi
    mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
                GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
}

start_slurm() {
    if ! alive slurmdbd; then
        slurmdbd
        wait_for 30 slurmdbd sacctmgr -n show cluster
    fi
    # accounting first: slurmctld registers its cluster when it starts
    sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
    sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description=flexmlff organization=flexmlff \
        >/dev/null 2>&1 || true
    sacctmgr -i add user "$(id -un)" account="$ACCOUNT" cluster="$CLUSTER" >/dev/null 2>&1 || true
    alive slurmctld || slurmctld
    alive slurmd || slurmd
    wait_for 60 "the node" bash -c "sinfo -h -o %t | grep -qE '^(idle|mix|alloc)'"
}

up() {
    install_packages
    mkdir -p "$PIDS" && chmod 1777 "$PIDS"
    write_configs
    start_munge
    start_mariadb
    start_slurm
    log "up: $(sinfo -h -o '%P %D node(s) %c cores %m MB %t')"
}

down() {
    local daemon
    for daemon in slurmd slurmctld slurmdbd mariadbd munged; do
        if alive "$daemon"; then
            kill "$(cat "$PIDS/$daemon.pid")"
            for _ in $(seq 40); do alive "$daemon" || break; sleep 0.25; done
        fi
        rm -f "$PIDS/$daemon.pid"
    done
    log "down"
}

status() {
    local daemon
    for daemon in munged mariadbd slurmdbd slurmctld slurmd; do
        if alive "$daemon"; then echo "$daemon: running"; else echo "$daemon: stopped"; fi
    done
    sinfo 2>/dev/null || true
}

case "${1:-up}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) log "usage: $0 up|down|status"; exit 2 ;;
esac
