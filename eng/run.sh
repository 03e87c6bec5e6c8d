#!/usr/bin/env bash
# The whole system in one command: the Aspire AppHost (RabbitMQ, PostgreSQL, the four services, the dashboard).
# Without a healthy container runtime, RabbitMQ and PostgreSQL run as local processes from the Debian packages, which
# this script installs when they are missing. It supervises nothing itself: the AppHost does.
#
#   eng/run.sh            run until Ctrl-C (or SIGTERM); then everything it started is stopped, and it waits for that
#   eng/run.sh --check    start, wait until the four services are healthy, place one order and see it confirmed,
#                         stop, and verify that nothing is left running (what CI does)
#   eng/run.sh --reset    delete this checkout's local RabbitMQ and PostgreSQL data (stock, orders, queues), then exit
#
# Ports (override with the variables): Ordering 5100, Inventory 5101, Payment 5102, Notification 5103, Storefront 5104;
# dashboard http://localhost:15200. Other arguments go to the AppHost (e.g. --InfrastructureMode=local).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[run] $*" >&2; }
MODE=run
case "${1:-}" in --check) MODE=check; shift ;; --reset) MODE=reset; shift ;; esac
# The AppHost's default local data directory (AppHost/Infrastructure/LocalInfrastructure.cs computes the same).
DATA_DIR=${TMPDIR:-/tmp}/ordersystem-apphost-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)
declare -A PORT=([ordering]=${ORDERING_PORT:-5100} [inventory]=${INVENTORY_PORT:-5101} [payment]=${PAYMENT_PORT:-5102} [notification]=${NOTIFICATION_PORT:-5103} [storefront]=${STOREFRONT_PORT:-5104})

if [ $MODE = reset ]; then
  if pgrep -f -- "$DATA_DIR/" >/dev/null; then log "the system is running: stop it first (Ctrl-C)"; exit 1; fi
  rm -rf "$DATA_DIR"; log "deleted $DATA_DIR: the next run starts with empty queues, seeded stock and no orders"; exit 0
fi

for s in "${!PORT[@]}"; do
  if (: >"/dev/tcp/127.0.0.1/${PORT[$s]}") 2>/dev/null; then
    log "port ${PORT[$s]} for $s is already in use: stop what uses it or set ${s^^}_PORT"; exit 1
  fi
done

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  log "container runtime found: RabbitMQ and PostgreSQL run as containers"
else
  log "no container runtime: RabbitMQ and PostgreSQL run as local processes (installing the packages if missing)"
  eng/infra.sh install
fi

log "building the AppHost and the services"
dotnet build AppHost -nologo -v:q -clp:ErrorsOnly

args=()
for s in "${!PORT[@]}"; do args+=("--ServicePorts:$s=${PORT[$s]}"); done
dotnet run --project AppHost --no-build -- "${args[@]}" "$@" &
runner=$!

# Everything the AppHost starts: DCP monitors the AppHost's process id; the local servers run from DATA_DIR.
apphost_pid() { pgrep -P "$runner" -f OrderSystem.AppHost 2>/dev/null | head -1 || true; }
leftovers() { { [ -n "${APPHOST:-}" ] && pgrep -f -- "--monitor $APPHOST( |$)"; pgrep -f -- "$DATA_DIR/"; pgrep -f "OrderSystem\.(Ordering|Inventory|Payment|Notification)( |$)" -P 1; } 2>/dev/null | sort -u || true; }
stopping=0
stop_all() {
  [ $stopping = 1 ] && return; stopping=1
  APPHOST=${APPHOST:-$(apphost_pid)}
  kill -TERM "$runner" 2>/dev/null || true
  [ -n "$APPHOST" ] && kill -TERM "$APPHOST" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  log "stopping: waiting for the services, RabbitMQ, PostgreSQL and DCP to exit"
  for _ in $(seq 180); do [ -z "$(leftovers)" ] && break; sleep 1; done
}
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 100); do APPHOST=$(apphost_pid); [ -n "$APPHOST" ] && break; sleep 0.1; done

if [ $MODE = run ]; then
  wait "$runner" || true
  exit 0
fi

# --check
deadline=$(( $(date +%s) + ${HEALTH_TIMEOUT:-300} ))
for s in ordering inventory payment notification storefront; do
  until curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:${PORT[$s]}/health"; do
    kill -0 "$runner" 2>/dev/null || { log "the AppHost exited during start-up"; exit 1; }
    [ "$(date +%s)" -lt $deadline ] || { log "$s is not healthy: $(curl -sS --max-time 5 "http://127.0.0.1:${PORT[$s]}/health" 2>&1 || true)"
      log "why: the dashboard's console log of '$s' (its URL is printed above; run without --check to keep it open)"; exit 1; }
    sleep 1
  done
  log "$s is healthy"
done
order=$(curl -fsS -X POST "http://127.0.0.1:${PORT[ordering]}/orders" -H 'Content-Type: application/json' -H "Idempotency-Key: run-check-$$-$(date +%s)" \
  -d '{"customerId":"alice","lines":[{"sku":"MOUSE-01","quantity":1}]}' | sed -n 's/.*"orderId":"\([^"]*\)".*/\1/p')
state=
until [ "$state" = Confirmed ]; do
  state=$(curl -fsS "http://127.0.0.1:${PORT[ordering]}/orders/$order" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p')
  case "$state" in Cancelled|Rejected) log "order $order ended $state"; exit 1 ;; esac
  [ "$(date +%s)" -lt $deadline ] || { log "order $order is still $state"; exit 1; }
  sleep 0.5
done
log "order $order is Confirmed; stopping"
stop_all
left=$(leftovers)
if [ -n "$left" ]; then log "still running after stop:"; ps -o pid,args -p $(echo $left | tr ' ' ',') >&2 || true; exit 1; fi
log "--check passed: started, healthy, an order confirmed, stopped, nothing left behind"
