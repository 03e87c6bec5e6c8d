#!/usr/bin/env bash
# A three-node RabbitMQ cluster on one machine, for OrderSystem, without Docker or systemd: three private nodes of the
# installed Debian package (eng/infra.sh install), joined with `rabbitmqctl join_cluster`, each with the management
# plugin. Progress lines go to stderr; `start` and `env` print `export ...` lines on stdout.
#
#   eng/cluster.sh start        start the three nodes and join them (idempotent: running nodes are left alone)
#   eng/cluster.sh stop         stop every node and the cluster's epmd: nothing of the cluster keeps running
#   eng/cluster.sh status       each node's state, pid and ports, and the running members as node 1..3 see them
#   eng/cluster.sh kill <n>     SIGKILL node n (1..3): a crash, no clean-up
#   eng/cluster.sh restart <n>  start node n again (after kill or stop); it rejoins the cluster by itself
#   eng/cluster.sh env          the connection settings:  eval "$(eng/cluster.sh env)"
#   eng/cluster.sh test         the failover test: the system on the cluster with quorum queues, a node killed under load
#                               and restarted, every order checked (tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks,
#                               mode `failover`); starts and stops what it needs; FAILOVER_RATE, FAILOVER_SECONDS,
#                               FAILOVER_KILL_AT, FAILOVER_DOWN_FOR, FAILOVER_QUEUE_TYPE (quorum). See docs/reliability.md.
#   eng/cluster.sh run          the three nodes in the FOREGROUND until SIGTERM/SIGINT, then all stopped: how the AppHost
#                               runs the cluster (AppHost/Infrastructure, LocalInfrastructure:RabbitMqCluster=true).
#                               Configured through INFRA_DIR, INFRA_RABBITMQ_PORT (node 1; nodes 2 and 3 take the next
#                               ports), INFRA_RABBITMQ_MANAGEMENT_PORT (node 1; likewise), INFRA_EPMD_PORT,
#                               INFRA_RABBITMQ_USER, INFRA_RABBITMQ_PASSWORD.
#
# Node n listens on AMQP $BASE+n-1, management +10000, distribution +20000; the CLI tools take ports from +30010 up; one
# private epmd serves the three nodes (they find each other through it) and one Erlang cookie is shared by all. The
# settings follow the services' configuration contract: ConnectionStrings__messaging (node 1, with credentials and
# vhost) and Messaging__ClusterNodes (every node: the bus fails over to the next one when its node dies).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${ORDERSYSTEM_CLUSTER_DIR:-${TMPDIR:-/tmp}/ordersystem-cluster-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)}
CLUSTER_BASE_PORT=${CLUSTER_BASE_PORT:-5761}   # clear of eng/infra.sh's blocks (5682-5722 and +10000/+20000/+30000)
CLUSTER_EPMD_BASE_PORT=${CLUSTER_EPMD_BASE_PORT:-4461}
NODES=(1 2 3)
RMQ_SBIN=/usr/lib/rabbitmq/bin
log() { echo "[cluster] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
port_busy() { if command -v ss >/dev/null; then ss -Hltn "sport = :$1" | grep -q .; else (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi; }
epmd_bin() { ls /usr/lib/erlang/erts-*/bin/epmd | head -1; }

node_name() { echo "ordersystem-$1@localhost"; }
amqp_port() { echo $((BASE + $1 - 1)); }
mgmt_port() { echo $((MGMT_BASE + $1 - 1)); }
node_dir() { echo "$DIR/node$1"; }
node_pid() { cat "$(node_dir "$1")/rabbit.pid" 2>/dev/null || true; }
ours() { [ -n "$1" ] && tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline" | grep -qF -- "$DIR/"; }   # live pid whose argv names our dir
node_running() { ours "$(node_pid "$1")"; }
any_running() { local n; for n in "${NODES[@]}"; do node_running "$n" && return 0; done; return 1; }
kill_epmd() { "$(epmd_bin)" -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true; }   # refuses while nodes are registered

load_ports() { [ -f "$DIR/ports" ] && . "$DIR/ports" || true; }
pick_ports() {   # keep the saved block while any node runs; otherwise the first block (steps of 40) whose ports are free
  load_ports
  if [ -n "${BASE:-}" ] && any_running; then return; fi
  [ -n "${EPMD_PORT:-}" ] && kill_epmd
  BASE=
  for k in $(seq 0 20); do
    local b=$((CLUSTER_BASE_PORT + 40 * k)) e=$((CLUSTER_EPMD_BASE_PORT + k)) ok=1 q
    for q in $(seq $b $((b + 2))) $(seq $((b + 10000)) $((b + 10002))) $(seq $((b + 20000)) $((b + 20002))) \
             $(seq $((b + 30010)) $((b + 30030))) $e; do port_busy $q && { ok=0; break; }; done
    [ $ok = 1 ] && { BASE=$b; MGMT_BASE=$((b + 10000)); EPMD_PORT=$e; break; }
  done
  [ -n "$BASE" ] || die "no free port block near $CLUSTER_BASE_PORT"
  mkdir -p "$DIR"; printf 'BASE=%s\nMGMT_BASE=%s\nEPMD_PORT=%s\n' "$BASE" "$MGMT_BASE" "$EPMD_PORT" > "$DIR/ports"
}

node_env() {   # the environment of node $1, for the server and for rabbitmqctl
  local D; D=$(node_dir "$1")
  export HOME=$DIR/home RABBITMQ_CONF_ENV_FILE=$D/rabbitmq-env.conf RABBITMQ_NODENAME=$(node_name "$1") \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$(amqp_port "$1") RABBITMQ_DIST_PORT=$(($(amqp_port "$1") + 20000)) \
    RABBITMQ_CTL_DIST_PORT_MIN=$((BASE + 30010)) RABBITMQ_CTL_DIST_PORT_MAX=$((BASE + 30030)) \
    ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_CONFIG_FILE=$D/rabbitmq.conf \
    RABBITMQ_ADVANCED_CONFIG_FILE=$D/advanced.config RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins \
    RABBITMQ_MNESIA_BASE=$D/mnesia RABBITMQ_LOG_BASE=$D/log RABBITMQ_PID_FILE=$D/rabbit.pid \
    RABBITMQ_PLUGINS_EXPAND_DIR=$D/plugins-expand \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
ctl() { local n=$1; shift; ( node_env "$n"; "$RMQ_SBIN/rabbitmqctl" -n "$(node_name "$n")" "$@" ); }

prepare() {   # files shared by the nodes (cookie, plugins, users) and node $1's own configuration
  local n=$1 D; D=$(node_dir "$1")
  mkdir -p "$DIR/home" "$D/mnesia" "$D/log"; rm -f "$D/rabbit.pid"
  [ -s "$DIR/home/.erlang.cookie" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/home/.erlang.cookie"
  chmod 400 "$DIR/home/.erlang.cookie"; : > "$D/rabbitmq-env.conf"
  echo '[rabbitmq_management].' > "$DIR/enabled_plugins"
  cat > "$D/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$n")
log.console = false
log.file.level = warning
EOF
  if [ -s "$DIR/definitions.json" ]; then echo "load_definitions = $DIR/definitions.json" >> "$D/rabbitmq.conf"; fi
}

launch() {   # start node $1 in the background, detached (start/restart) or as a child of this shell (run)
  local n=$1 D; D=$(node_dir "$1")
  prepare "$n"
  log "node $n: starting $(node_name "$n") on amqp $(amqp_port "$n"), management $(mgmt_port "$n")"
  if [ "${FOREGROUND:-0}" = 1 ]; then
    ( node_env "$n"; export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS -start_epmd false"
      cd "$D"; exec "$RMQ_SBIN/rabbitmq-server" > "$D/log/console.log" 2>&1 < /dev/null 9>&- ) &
  else
    ( node_env "$n"; cd "$D"; setsid nohup "$RMQ_SBIN/rabbitmq-server" > "$D/log/console.log" 2>&1 < /dev/null 9>&- & )
  fi
}

await_node() {   # until node $1 runs rabbit and its plugins
  local n=$1 D; D=$(node_dir "$1")
  ctl "$n" wait --timeout 180 "$D/rabbit.pid" >/dev/null 2>&1 || { tail -20 "$D/log/console.log" >&2; die "node $n did not start"; }
  log "node $n: running (pid $(node_pid "$n"))"
}

clustered() { ctl "$1" cluster_status --formatter json 2>/dev/null | grep -qF "\"$(node_name 1)\""; }   # node 1 among its disc nodes

join() {   # node $1 (freshly started, standalone) joins node 1's cluster
  local n=$1
  clustered "$n" && return 0
  log "node $n: joining $(node_name 1)"
  ctl "$n" stop_app >/dev/null
  ctl "$n" join_cluster "$(node_name 1)" >/dev/null || die "node $n could not join the cluster"
  ctl "$n" start_app >/dev/null
  ctl "$n" await_startup --timeout 120 >/dev/null
}

start_cluster() {
  [ -x "$RMQ_SBIN/rabbitmq-server" ] || "$REPO_ROOT/eng/infra.sh" install
  pick_ports
  local n started=()
  # Restarted nodes of an existing cluster wait for each other (each looks for the last one that stopped): start them together.
  for n in "${NODES[@]}"; do
    if node_running "$n"; then log "node $n: already running (pid $(node_pid "$n"))"; else launch "$n"; started+=("$n"); fi
  done
  for n in "${started[@]}"; do await_node "$n"; done
  for n in 2 3; do join "$n"; done
  mirror_dead_letters
  log "cluster of 3: $(running_members 1)"
}

# Classic queues live on one node. The services' dead-letter queues (<queue>_error, _skipped) stay classic even with
# Messaging:QueueType=quorum, and every endpoint declares its own at start-up: while their node is down, no endpoint could
# start on another node. RabbitMQ 3.x mirrors them on every node with this policy (vhost "/"; the failover test sets it
# on its own vhost). RabbitMQ 4 has no classic mirroring: there, they would have to be quorum queues.
mirror_dead_letters() {
  ctl 1 set_policy --vhost / --apply-to queues --priority 1 dead-letters-on-every-node '(_error|_skipped)$' \
    '{"ha-mode":"all","ha-sync-mode":"automatic"}' >/dev/null
}

running_members() { ctl "$1" cluster_status --formatter json 2>/dev/null \
  | sed -n 's/.*"running_nodes":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' ' '; }

stop_node() {   # graceful stop of node $1; SIGKILL if it does not stop within 60 s
  local n=$1 p; p=$(node_pid "$1")
  node_running "$n" || return 0
  log "node $n: stopping (pid $p)"
  ctl "$n" shutdown --timeout 60 >/dev/null 2>&1 || kill "$p" 2>/dev/null || true
  for _ in $(seq 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
  rm -f "$(node_dir "$n")/rabbit.pid"
}

stop_cluster() {
  load_ports; [ -n "${BASE:-}" ] || { log "not started"; return 0; }
  local n
  for n in 3 2 1; do stop_node "$n"; done   # node 1 stops last, so it is the one the others wait for on the next start
  kill_epmd
  local left; left=$(pgrep -f -- "$DIR/" || true)
  [ -z "$left" ] || die "still running after stop: $left"
  log "stopped"
}

print_env() {
  load_ports; [ -n "${BASE:-}" ] || die "not started: run eng/cluster.sh start"
  local n nodes="" mgmt=""
  for n in "${NODES[@]}"; do nodes+="${nodes:+,}127.0.0.1:$(amqp_port "$n")"; mgmt+="${mgmt:+,}http://guest:guest@127.0.0.1:$(mgmt_port "$n")"; done
  echo "export ConnectionStrings__messaging='amqp://guest:guest@127.0.0.1:$(amqp_port 1)/'"
  echo "export Messaging__ClusterNodes='$nodes'"
  echo "export RABBITMQ_URI='amqp://guest:guest@127.0.0.1:$(amqp_port 1)/'"
  echo "export RABBITMQ_MANAGEMENT_URL='http://guest:guest@127.0.0.1:$(mgmt_port 1)'"
  echo "export RABBITMQ_CLUSTER_MANAGEMENT_URLS='$mgmt'"
  echo "export RABBITMQ_CLUSTER_DIR='$DIR'"
}

status() {
  load_ports; [ -n "${BASE:-}" ] || { echo "cluster: not started"; return 0; }
  local n
  for n in "${NODES[@]}"; do
    if node_running "$n"; then
      echo "node $n: running pid $(node_pid "$n") $(node_name "$n") amqp $(amqp_port "$n") management $(mgmt_port "$n") members: $(running_members "$n")"
    else
      echo "node $n: stopped $(node_name "$n") amqp $(amqp_port "$n")"
    fi
  done
}

# Foreground cluster for the AppHost: epmd and the three servers are children of this script; SIGTERM or SIGINT stops
# them gracefully (RabbitMQ's own shutdown) and then epmd, so nothing outlives the resource.
run_cluster() {
  : "${INFRA_RABBITMQ_PORT:?}" "${INFRA_RABBITMQ_MANAGEMENT_PORT:?}" "${INFRA_EPMD_PORT:?}" "${INFRA_RABBITMQ_USER:?}" "${INFRA_RABBITMQ_PASSWORD:?}"
  BASE=$INFRA_RABBITMQ_PORT MGMT_BASE=$INFRA_RABBITMQ_MANAGEMENT_PORT EPMD_PORT=$INFRA_EPMD_PORT FOREGROUND=1
  mkdir -p "$DIR"; printf 'BASE=%s\nMGMT_BASE=%s\nEPMD_PORT=%s\n' "$BASE" "$MGMT_BASE" "$EPMD_PORT" > "$DIR/ports"
  kill_epmd
  ( umask 077; printf '{"users":[{"name":"%s","password":"%s","tags":"administrator"}],"vhosts":[{"name":"/"}],"permissions":[{"user":"%s","vhost":"/","configure":".*","write":".*","read":".*"}]}\n' \
      "$INFRA_RABBITMQ_USER" "$INFRA_RABBITMQ_PASSWORD" "$INFRA_RABBITMQ_USER" > "$DIR/definitions.json" )
  "$(epmd_bin)" -port "$EPMD_PORT" -address 127.0.0.1 9>&- &
  RUN_EPMD=$! RUN_PIDS=()   # globals: the traps read them
  local n
  # Whatever ends this script (a signal, or a node that does not start) stops the nodes it started, then epmd.
  trap 'log "stopping the three nodes"; kill -TERM "${RUN_PIDS[@]}" 2>/dev/null || true' TERM INT
  trap 'kill -TERM "${RUN_PIDS[@]}" 2>/dev/null || true; wait "${RUN_PIDS[@]}" 2>/dev/null || true; kill "$RUN_EPMD" 2>/dev/null || true' EXIT
  for n in "${NODES[@]}"; do launch "$n"; RUN_PIDS+=($!); done
  for n in "${NODES[@]}"; do await_node "$n"; done
  for n in 2 3; do join "$n"; done
  mirror_dead_letters
  echo "rabbitmq cluster: amqp 127.0.0.1:$BASE-$((BASE + 2)), management http://127.0.0.1:$MGMT_BASE/ (and the next two), data $DIR"
  echo "cluster of 3: $(running_members 1)"
  for n in "${RUN_PIDS[@]}"; do wait "$n" || true; wait "$n" 2>/dev/null || true; done   # a signal ends the first wait early
}

# The failover test: PostgreSQL from eng/infra.sh, this cluster, the services' and the driver's Release builds; whatever
# it had to start it stops again at the end (a cluster or PostgreSQL that was already running is left running).
test_failover() {
  local status=0
  started_pg=0 started_cluster=0   # globals: the EXIT trap reads them
  "$REPO_ROOT/eng/infra.sh" status | grep -q "postgres: running" || started_pg=1
  any_running_saved || started_cluster=1
  trap '[ $started_cluster = 0 ] || "$REPO_ROOT/eng/cluster.sh" stop || true; [ $started_pg = 0 ] || "$REPO_ROOT/eng/infra.sh" stop || true' EXIT
  local settings p
  settings=$("$REPO_ROOT/eng/infra.sh" start postgres); eval "$settings"
  settings=$("$REPO_ROOT/eng/cluster.sh" start); eval "$settings"
  for p in src/Ordering src/Inventory src/Payment src/Notification tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks; do
    log "building $p (Release)"; dotnet build "$REPO_ROOT/$p" -c Release -nologo -v:q -clp:ErrorsOnly >&2
  done
  export Messaging__QueueType=${FAILOVER_QUEUE_TYPE:-quorum} E2E_SERVICES_DIR=$REPO_ROOT/src E2E_CONFIGURATION=Release \
    E2E_PORT_BASE=${E2E_PORT_BASE:-5340} CLUSTER_SCRIPT=$REPO_ROOT/eng/cluster.sh
  log "failover run: queues $Messaging__QueueType, ${FAILOVER_RATE:-5} orders/s for ${FAILOVER_SECONDS:-90} s, a node killed ${FAILOVER_KILL_AT:-30} s in and restarted ${FAILOVER_DOWN_FOR:-30} s later; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet "$REPO_ROOT/tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks/bin/Release/net10.0/OrderSystem.EndToEnd.Benchmarks.dll" failover || status=$?
  return $status
}
any_running_saved() { load_ports; [ -n "${BASE:-}" ] && any_running; }

node_arg() { case "${1:-}" in 1|2|3) echo "$1" ;; *) die "which node? 1, 2 or 3" ;; esac; }

case "${1:-}" in
  start)
    mkdir -p "$DIR"; exec 9>"$DIR/.lock"; flock -w 300 9 || die "lock busy"
    t0=$(date +%s%N); start_cluster; log "ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms"; print_env ;;
  stop)
    [ -d "$DIR" ] || exit 0
    exec 9>"$DIR/.lock"; flock -w 300 9 || die "lock busy"; stop_cluster ;;
  status) status ;;
  env) print_env ;;
  kill)
    n=$(node_arg "${2:-}"); load_ports
    node_running "$n" || die "node $n is not running"
    p=$(node_pid "$n"); kill -9 "$p"; log "node $n: killed (SIGKILL to pid $p)" ;;
  restart)
    n=$(node_arg "${2:-}"); load_ports; [ -n "${BASE:-}" ] || die "not started: run eng/cluster.sh start"
    if node_running "$n"; then log "node $n: already running"; else launch "$n"; await_node "$n"; fi
    log "node $n: members $(running_members "$n")" ;;
  run) DIR=${INFRA_DIR:?INFRA_DIR names the data directory}/cluster; run_cluster ;;
  test) test_failover ;;
  *) echo "usage: $0 start|stop|status|kill <n>|restart <n>|env|test|run" >&2; exit 2 ;;
esac
