#!/usr/bin/env bash
# The whole system in one command, without Docker: RabbitMQ + PostgreSQL (eng/infra.sh), then the four services,
# configured exactly as the Aspire AppHost configures them (ConnectionStrings__messaging, ConnectionStrings__orderdb, …,
# OTEL_* variables). Ctrl-C (or SIGTERM) stops everything this script started.
#
#   eng/run.sh            run until Ctrl-C
#   eng/run.sh --check    start everything, wait until all four are healthy, then stop and verify nothing is left
#
# Ports (override with the variables): Ordering 5100, Inventory 5101, Payment 5102, Notification 5103.
# Telemetry: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. a standalone Aspire dashboard) and every service exports to it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CHECK=0; [ "${1:-}" = "--check" ] && CHECK=1
RUN_DIR="$ROOT/artifacts/run"
CONFIGURATION=${CONFIGURATION:-Debug}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-120}
SERVICES=(Ordering Inventory Payment Notification)
declare -A PORT=([Ordering]=${ORDERING_PORT:-5100} [Inventory]=${INVENTORY_PORT:-5101} [Payment]=${PAYMENT_PORT:-5102} [Notification]=${NOTIFICATION_PORT:-5103})
declare -A OTEL_NAME=([Ordering]=ordering [Inventory]=inventory [Payment]=payment [Notification]=notification)
declare -A PID=()
log() { echo "[run] $*" >&2; }

stop_infra=0
stopping=0
stop_all() {
  [ $stopping = 1 ] && return; stopping=1
  local s p
  for s in "${!PID[@]}"; do p=${PID[$s]}; kill -TERM "$p" 2>/dev/null && log "stopping $s (pid $p)" || true; done
  for s in "${!PID[@]}"; do
    p=${PID[$s]}
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { log "$s did not stop in 10 s: killing it"; kill -KILL "$p" 2>/dev/null || true; }
  done
  [ $stop_infra = 1 ] && eng/infra.sh stop || true
}
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for s in "${SERVICES[@]}"; do
  if (: >"/dev/tcp/127.0.0.1/${PORT[$s]}") 2>/dev/null; then
    log "port ${PORT[$s]} for $s is already in use: stop what uses it or set ${s^^}_PORT"; exit 1
  fi
done

if eng/infra.sh status | grep -q "rabbitmq: running" && eng/infra.sh status | grep -q "postgres: running"; then
  log "RabbitMQ and PostgreSQL already running (eng/infra.sh): using them, leaving them running afterwards"
else
  stop_infra=1
fi
eval "$(eng/infra.sh start)"

log "building the services ($CONFIGURATION)"
dotnet build OrderSystem.Services.slnf -c "$CONFIGURATION" -nologo -v:q -clp:ErrorsOnly

mkdir -p "$RUN_DIR"
for s in "${SERVICES[@]}"; do
  log "starting $s on http://127.0.0.1:${PORT[$s]} (log: artifacts/run/$s.log)"
  ( cd "src/$s" && exec env ASPNETCORE_ENVIRONMENT=Development OTEL_SERVICE_NAME="${OTEL_NAME[$s]}" \
      ASPNETCORE_URLS="http://127.0.0.1:${PORT[$s]}" \
      dotnet "bin/$CONFIGURATION/net10.0/OrderSystem.$s.dll" ) > "$RUN_DIR/$s.log" 2>&1 &
  PID[$s]=$!
done

healthy() { curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:${PORT[$1]}/health"; }
deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
pending=("${SERVICES[@]}")
while [ ${#pending[@]} -gt 0 ]; do
  still=()
  for s in "${pending[@]}"; do
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
      log "$s exited during start-up. Last lines of its log:"; tail -40 "$RUN_DIR/$s.log" >&2; exit 1
    fi
    if healthy "$s"; then log "$s is healthy"; else still+=("$s"); fi
  done
  pending=("${still[@]+"${still[@]}"}")
  [ ${#pending[@]} = 0 ] && break
  if [ "$(date +%s)" -ge $deadline ]; then
    for s in "${pending[@]}"; do
      log "$s is not healthy after ${HEALTH_TIMEOUT}s. /health says: $(curl -sS --max-time 5 "http://127.0.0.1:${PORT[$s]}/health" 2>&1 || true)"
      log "last lines of its log:"; tail -40 "$RUN_DIR/$s.log" >&2
    done
    exit 1
  fi
  sleep 1
done

mgmt=$(eng/infra.sh env | sed -n "s/^export RABBITMQ_MANAGEMENT_URL='\(.*\)'$/\1/p")
cat >&2 <<TXT

OrderSystem is running.
  Ordering API      http://127.0.0.1:${PORT[Ordering]}        (OpenAPI: /openapi/v1.json, UI: /scalar/v1)
  Inventory         http://127.0.0.1:${PORT[Inventory]}
  Payment           http://127.0.0.1:${PORT[Payment]}
  Notification      http://127.0.0.1:${PORT[Notification]}
  RabbitMQ UI       ${mgmt%%//*}//${mgmt#*@}   (user guest, password guest)
  Telemetry         ${OTEL_EXPORTER_OTLP_ENDPOINT:-not exported (set OTEL_EXPORTER_OTLP_ENDPOINT to an OTLP endpoint)}
  Logs              artifacts/run/<Service>.log
Press Ctrl-C to stop.
TXT

if [ $CHECK = 1 ]; then
  log "--check: all four services healthy; stopping"
  stop_all
  left=""
  for s in "${SERVICES[@]}"; do kill -0 "${PID[$s]}" 2>/dev/null && left+=" $s"; done
  [ $stop_infra = 1 ] && eng/infra.sh status | grep -q running && left+=" infra"
  [ -z "$left" ] || { log "still running after stop:$left"; exit 1; }
  log "--check passed: started, healthy, stopped, nothing left behind"
  exit 0
fi

# Run until Ctrl-C, or until a service dies (then say which, and stop the rest).
while true; do
  for s in "${SERVICES[@]}"; do
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then log "$s exited. Last lines of its log:"; tail -40 "$RUN_DIR/$s.log" >&2; exit 1; fi
  done
  sleep 2
done
