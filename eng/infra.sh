#!/usr/bin/env bash
# Private RabbitMQ (with the management plugin) and PostgreSQL for OrderSystem, without Docker or systemd.
# Installs the Debian packages when they are missing. Servers run as plain processes under a private directory, on
# non-default ports chosen so that they never clash with anything else on the machine.
#
#   eng/infra.sh start    start both (idempotent); prints `export ...` lines on stdout, logs on stderr
#   eng/infra.sh start postgres   PostgreSQL only (eng/cluster.sh test brings its own RabbitMQ cluster)
#   eng/infra.sh stop     stop both
#   eng/infra.sh status   what runs, on which ports
#   eng/infra.sh env      the `export ...` lines again:  eval "$(eng/infra.sh env)"
#   eng/infra.sh install  install the Debian packages if missing (eng/run.sh calls it before it runs the AppHost)
#   eng/infra.sh run rabbitmq|postgres
#                         one server in the FOREGROUND until SIGTERM/SIGINT: how the AppHost runs them as executable
#                         resources when there is no container runtime. Configured by the AppHost through the variables
#                         INFRA_DIR, INFRA_RABBITMQ_PORT, INFRA_RABBITMQ_MANAGEMENT_PORT, INFRA_EPMD_PORT,
#                         INFRA_RABBITMQ_USER, INFRA_RABBITMQ_PASSWORD, INFRA_POSTGRES_PORT, INFRA_POSTGRES_PASSWORD.
#
# The variables are the ones the Aspire AppHost injects (ConnectionStrings__messaging, ConnectionStrings__orderdb, ...),
# so a service started with them behaves as it does under the AppHost; plus RABBITMQ_MANAGEMENT_URL and
# POSTGRES_CONNECTION_STRING (server-level, for tools and tests).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One private directory per checkout (outside it: PostgreSQL runs as the `postgres` user and needs to reach it).
DIR=${ORDERSYSTEM_INFRA_DIR:-${TMPDIR:-/tmp}/ordersystem-infra-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)}
SERVICE_DBS=(orderdb inventorydb paymentdb notificationdb)
RMQ_BASE_PORT=${RMQ_BASE_PORT:-5682}   # amqp; mgmt=+10000, dist=+20000, cli dist=+30000..+30010
PG_BASE_PORT=${PG_BASE_PORT:-5442}
EPMD_BASE_PORT=${EPMD_BASE_PORT:-4379}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
RMQ_SBIN=/usr/lib/rabbitmq/bin
log() { echo "[infra] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
port_busy() { if command -v ss >/dev/null; then ss -Hltn "sport = :$1" | grep -q .; else (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
exec_as_pg() {   # like as_pg, but the command replaces the process (no runuser parent in between to relay signals)
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else exec "$@"; fi; }

load_ports() { [ -f "$DIR/ports" ] && . "$DIR/ports" || true; }
pick_ports() {   # keep saved ports if ours are running, otherwise first offset whose ports are all free
  load_ports
  if [ -z "${RMQ_PORT:-}" ] || ! rmq_running; then
    [ -n "${EPMD_PORT:-}" ] && kill_epmd   # stale epmd left by a killed node (refuses if nodes still registered)
    RMQ_PORT=
    for k in $(seq 0 40); do
      local p=$((RMQ_BASE_PORT + k)) e=$((EPMD_BASE_PORT + k)) ok=1
      for q in $p $((p+10000)) $((p+20000)) $e; do port_busy $q && ok=0; done
      for q in $(seq $((p+30000)) $((p+30010))); do port_busy $q && ok=0; done
      [ $ok = 1 ] && { RMQ_PORT=$p; EPMD_PORT=$e; break; }
    done
    [ -n "${RMQ_PORT:-}" ] || die "no free RabbitMQ port block near $RMQ_BASE_PORT"
  fi
  if [ -z "${PG_PORT:-}" ] || ! pg_running; then
    PG_PORT=
    for k in $(seq 0 40); do port_busy $((PG_BASE_PORT + k)) || { PG_PORT=$((PG_BASE_PORT + k)); break; }; done
    [ -n "$PG_PORT" ] || die "no free PostgreSQL port near $PG_BASE_PORT"
  fi
  printf 'RMQ_PORT=%s\nEPMD_PORT=%s\nPG_PORT=%s\n' "$RMQ_PORT" "$EPMD_PORT" "$PG_PORT" > "$DIR/ports"
}

rmq_env() {
  local R=$DIR/rabbitmq
  export HOME=$R/home RABBITMQ_CONF_ENV_FILE=$R/rabbitmq-env.conf \
    RABBITMQ_NODENAME=${RMQ_NODENAME:-infra}@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$RMQ_PORT \
    RABBITMQ_DIST_PORT=$((RMQ_PORT+20000)) RABBITMQ_CTL_DIST_PORT_MIN=$((RMQ_PORT+30000)) \
    RABBITMQ_CTL_DIST_PORT_MAX=$((RMQ_PORT+30010)) ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE=$R/rabbitmq.conf RABBITMQ_ADVANCED_CONFIG_FILE=$R/advanced.config \
    RABBITMQ_ENABLED_PLUGINS_FILE=$R/enabled_plugins RABBITMQ_MNESIA_BASE=$R/mnesia RABBITMQ_LOG_BASE=$R/log \
    RABBITMQ_PID_FILE=$R/rabbit.pid RABBITMQ_PLUGINS_EXPAND_DIR=$R/plugins-expand \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
rmqctl() { ( rmq_env; "$RMQ_SBIN/rabbitmqctl" "$@" ); }
rmq_pid() { cat "$DIR/rabbitmq/rabbit.pid" 2>/dev/null || true; }
ours() { [ -n "$1" ] && tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline" | grep -qF -- "$DIR/"; }   # live pid whose argv names our dir
rmq_running() { ours "$(rmq_pid)"; }
kill_epmd() { "$(ls /usr/lib/erlang/erts-*/bin/epmd | head -1)" -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true; }
pg_pid() { head -1 "$DIR/pg/data/postmaster.pid" 2>/dev/null || true; }
pg_running() { ours "$(pg_pid)"; }

ensure_pkgs() {   # rabbitmq-server / postgresql from apt if missing; never let postinst start system instances
  local need=()
  [ -x "$RMQ_SBIN/rabbitmq-server" ] || need+=(rabbitmq-server)
  [ -x "$PG_BIN/initdb" ] || need+=(postgresql)
  [ ${#need[@]} = 0 ] && return
  log "installing ${need[*]} (apt)"
  local pol=/usr/sbin/policy-rc.d made=0
  [ -e $pol ] || { printf '#!/bin/sh\nexit 101\n' > $pol; chmod +x $pol; made=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; }
  [ $made = 0 ] || rm -f $pol
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$RMQ_SBIN/rabbitmq-server" ] && [ -x "$PG_BIN/initdb" ] || die "apt install of ${need[*]} failed"
}

prepare_rabbitmq() {   # $1: management port; $2/$3: a user and password to ensure at every boot (optional)
  local R=$DIR/rabbitmq
  rm -f "$R/rabbit.pid"
  mkdir -p "$R/home" "$R/mnesia" "$R/log"
  [ -s "$R/home/.erlang.cookie" ] || { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$R/home/.erlang.cookie"; }
  chmod 400 "$R/home/.erlang.cookie"; : > "$R/rabbitmq-env.conf"
  echo '[rabbitmq_management].' > "$R/enabled_plugins"
  # collect_statistics_interval: the management API's queue figures refresh every 1 s instead of 5 s, so a test (or a
  # developer) that polls them for "the queue is empty" waits ~0.5 s rather than ~2.5 s on average.
  cat > "$R/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $1
log.console = false
log.file.level = warning
collect_statistics_interval = 1000
EOF
  if [ -n "${2:-}" ]; then   # definitions are applied at every boot: the user and password follow the AppHost's parameters
    ( umask 077; printf '{"users":[{"name":"%s","password":"%s","tags":"administrator"}],"vhosts":[{"name":"/"}],"permissions":[{"user":"%s","vhost":"/","configure":".*","write":".*","read":".*"}]}\n' \
        "$2" "$3" "$2" > "$R/definitions.json" )
    echo "load_definitions = $R/definitions.json" >> "$R/rabbitmq.conf"
  fi
}

start_rabbitmq() {
  local R=$DIR/rabbitmq
  if rmq_running; then log "rabbitmq already running (pid $(rmq_pid))"; rmqctl await_startup --timeout 60 >/dev/null; return; fi
  prepare_rabbitmq $((RMQ_PORT+10000))
  log "starting rabbitmq on $RMQ_PORT (mgmt $((RMQ_PORT+10000)), epmd $EPMD_PORT)"
  ( rmq_env; cd "$R"; setsid nohup "$RMQ_SBIN/rabbitmq-server" > "$R/log/console.log" 2>&1 < /dev/null 9>&- & )
  # `wait` = pid file appears, then blocks until rabbit and all plugins (management) are running
  rmqctl wait --timeout 90 "$R/rabbit.pid" >/dev/null 2>&1 || { tail -20 "$R/log/console.log" >&2; die "rabbitmq did not start"; }
}

stop_rabbitmq() {
  load_ports; [ -n "${RMQ_PORT:-}" ] || return 0
  local p; p=$(rmq_pid)
  if rmq_running; then
    log "stopping rabbitmq (pid $p)"
    rmqctl shutdown --timeout 60 >/dev/null 2>&1 || { kill "$p" 2>/dev/null || true; }
    for _ in $(seq 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$DIR/rabbitmq/rabbit.pid"; kill_epmd   # only the epmd on our private port
}

prepare_pg() {   # $1: the password of the first start; initdb on first use; clear what a killed postmaster leaves behind
  local P=$DIR/pg
  # not ours/alive (a kill -9'd postmaster can linger as a zombie, which makes postgres itself think it still runs)
  [ -f "$P/data/postmaster.pid" ] && { log "removing stale postmaster.pid"; rm -f "$P/data/postmaster.pid"; }
  rm -f "$P"/.s.PGSQL.*
  if [ ! -s "$P/data/PG_VERSION" ]; then
    rm -rf "$P"; mkdir -p "$P"; ( umask 077; echo "${1:-postgres}" > "$P/pwfile" )
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$P"
    as_pg "$PG_BIN/initdb" -D "$P/data" -U postgres --pwfile="$P/pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$P/initdb.log" 2>&1 || { cat "$P/initdb.log" >&2; die initdb; }
    rm -f "$P/pwfile"
  fi
}
pg_opts() { echo "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=500"; }

start_pg() {
  local P=$DIR/pg
  if pg_running; then log "postgres already running (pid $(pg_pid))"; return; fi
  prepare_pg
  log "starting postgres on $PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$P/data" -l "$P/server.log" -w -t 60 -o "$(pg_opts)" start >/dev/null 9>&- \
    || { tail -20 "$P/server.log" >&2; die "postgres did not start"; }
  local db
  for db in "${SERVICE_DBS[@]}"; do   # what the AppHost's AddDatabase does; services also create theirs if missing
    as_pg "$PG_BIN/psql" -h "$P" -p "$PG_PORT" -U postgres -d postgres -qtAc "select 1 from pg_database where datname='$db'" | grep -q 1 \
      || as_pg "$PG_BIN/psql" -h "$P" -p "$PG_PORT" -U postgres -d postgres -qc "create database \"$db\"" >&2
  done
}

# Foreground servers for the AppHost. The script stays their parent: SIGTERM or SIGINT from the orchestrator stops the
# server gracefully (RabbitMQ's own shutdown; PostgreSQL's "fast" shutdown, which does not wait for clients to
# disconnect) and then the private epmd, so nothing outlives the resource.
run_rabbitmq() {
  : "${INFRA_RABBITMQ_PORT:?}" "${INFRA_RABBITMQ_MANAGEMENT_PORT:?}" "${INFRA_EPMD_PORT:?}" "${INFRA_RABBITMQ_USER:?}" "${INFRA_RABBITMQ_PASSWORD:?}"
  RMQ_PORT=$INFRA_RABBITMQ_PORT EPMD_PORT=$INFRA_EPMD_PORT RMQ_NODENAME=ordersystem
  local R=$DIR/rabbitmq
  kill_epmd   # a stale epmd left by a killed node on our private port
  prepare_rabbitmq "$INFRA_RABBITMQ_MANAGEMENT_PORT" "$INFRA_RABBITMQ_USER" "$INFRA_RABBITMQ_PASSWORD"
  echo "rabbitmq: amqp 127.0.0.1:$RMQ_PORT, management http://127.0.0.1:$INFRA_RABBITMQ_MANAGEMENT_PORT, data $R"
  # epmd runs as our child, not as the daemon Erlang would start: whatever stops this process tree stops it too.
  "$(ls /usr/lib/erlang/erts-*/bin/epmd | head -1)" -port "$EPMD_PORT" -address 127.0.0.1 9>&- &
  local epmd=$!
  ( rmq_env; export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS -start_epmd false"
    exec "$RMQ_SBIN/rabbitmq-server" 9>&- ) &
  local pid=$!
  trap 'kill -TERM $pid 2>/dev/null' TERM INT
  wait $pid || true; wait $pid 2>/dev/null || true   # the first wait returns early when a signal arrives
  kill $epmd 2>/dev/null || true
}

run_postgres() {
  : "${INFRA_POSTGRES_PORT:?}" "${INFRA_POSTGRES_PASSWORD:?}"
  PG_PORT=$INFRA_POSTGRES_PORT
  local P=$DIR/pg
  prepare_pg "$INFRA_POSTGRES_PASSWORD"
  # The password follows the AppHost's parameter at every start (single-user mode runs one statement, no server).
  printf "ALTER ROLE postgres PASSWORD '%s';\n" "${INFRA_POSTGRES_PASSWORD//\'/\'\'}" \
    | as_pg "$PG_BIN/postgres" --single -D "$P/data" postgres >/dev/null || die "could not set the postgres password"
  echo "postgres: 127.0.0.1:$PG_PORT, data $P/data"
  # shellcheck disable=SC2046
  ( exec_as_pg "$PG_BIN/postgres" -D "$P/data" $(pg_opts) 9>&- ) &
  local pid=$!
  trap 'kill -INT $pid 2>/dev/null' TERM INT   # SIGINT = fast shutdown
  wait $pid || true; wait $pid 2>/dev/null || true
}

stop_pg() {
  [ -d "$DIR/pg/data" ] || return 0
  if pg_running; then log "stopping postgres"; as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -m fast -w -t 60 stop >/dev/null; fi
}

print_env() {
  load_ports
  [ -n "${RMQ_PORT:-}" ] || die "not started: run eng/infra.sh start"
  local amqp="amqp://guest:guest@127.0.0.1:$RMQ_PORT/"
  local server="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres"
  echo "export ConnectionStrings__messaging='$amqp'"
  local db; for db in "${SERVICE_DBS[@]}"; do echo "export ConnectionStrings__$db='$server;Database=$db'"; done
  echo "export RABBITMQ_URI='$amqp'"
  echo "export RABBITMQ_MANAGEMENT_URL='http://guest:guest@127.0.0.1:$((RMQ_PORT+10000))'"
  echo "export POSTGRES_CONNECTION_STRING='$server;Database=postgres'"
}

case "${1:-}" in
  start)
    mkdir -p "$DIR"; exec 9>"$DIR/.lock"; flock -w 300 9 || die "lock busy"
    ensure_pkgs; pick_ports
    t0=$(date +%s%N); start_pg & pgjob=$!; [ "${2:-}" = postgres ] || start_rabbitmq; wait $pgjob || die "postgres start failed"
    log "ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms"; print_env ;;
  stop)
    [ -d "$DIR" ] || exit 0
    exec 9>"$DIR/.lock"; flock -w 300 9 || die "lock busy"; stop_rabbitmq; stop_pg; log "stopped" ;;
  status)
    load_ports; rmq_running && echo "rabbitmq: running pid $(rmq_pid) port ${RMQ_PORT:-}" || echo "rabbitmq: stopped"
    pg_running && echo "postgres: running pid $(pg_pid) port ${PG_PORT:-}" || echo "postgres: stopped" ;;
  env) print_env ;;
  install) ensure_pkgs ;;
  run)
    DIR=${INFRA_DIR:?INFRA_DIR names the data directory}; mkdir -p "$DIR"; ensure_pkgs
    case "${2:-}" in rabbitmq) run_rabbitmq ;; postgres) run_postgres ;; *) die "usage: $0 run rabbitmq|postgres" ;; esac ;;
  *) echo "usage: $0 start|stop|status|env|install|run rabbitmq|postgres" >&2; exit 2 ;;
esac
