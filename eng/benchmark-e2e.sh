#!/usr/bin/env bash
# End-to-end benchmark of the whole system (tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks): builds Release, starts
# the eng/infra.sh servers if needed, measures raw MassTransit consume→publish (the messaging benchmark's raw run), then
# starts the four services as processes on loopback ports (own vhost and databases, removed afterwards), places real
# orders over HTTP and prints Markdown tables: maximum sustained orders/s, POST→Confirmed latency at fixed rates, CPU per
# order of every process, the effect of a second Inventory/Payment replica, and message efficiency against raw
# MassTransit measured in the same run. A progress line on stderr while it runs; about 6–10 minutes.
#
#   eng/benchmark-e2e.sh [rawMessages=3000]
#   eng/benchmark-e2e.sh cpu [rate…]   short mode (about 2 minutes): idle CPU, then CPU ms and database transactions per
#                                       order at fixed rates (default 10 and 30/s); for comparing two builds
#                                       (E2E_SERVICES_DIR) or two runtime settings one after the other
#
# Environment: E2E_PORT_BASE (5300; six ports from there), E2E_STEP_SECONDS (15), E2E_PHASE_SECONDS (20),
# E2E_SERVICES_DIR (the src folder whose Release builds run; default this checkout's: point it at another checkout to compare),
# E2E_PRODUCTS (1: every order for the same product, one stock row for all; N: orders go round N products).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
MODE=full
if [ "${1:-}" = cpu ]; then MODE=cpu; shift; fi
RAW_MESSAGES=${1:-3000}
eval "$(eng/infra.sh start)"
export INFRA_DIR=${ORDERSYSTEM_INFRA_DIR:-${TMPDIR:-/tmp}/ordersystem-infra-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)}
echo "[e2e] building Release" >&2
dotnet build OrderSystem.sln -c Release -nologo -v:q -clp:ErrorsOnly >&2

if [ "$MODE" = cpu ]; then
  export E2E_SERVICES_DIR=${E2E_SERVICES_DIR:-$REPO_ROOT/src} E2E_CONFIGURATION=Release
  exec dotnet tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks/bin/Release/net10.0/OrderSystem.EndToEnd.Benchmarks.dll cpu "$@"
fi

echo "[e2e] raw MassTransit consume→publish ($RAW_MESSAGES messages), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
raw_out=$(dotnet tests/Benchmarks/OrderSystem.Messaging.Benchmarks/bin/Release/net10.0/OrderSystem.Messaging.Benchmarks.dll "$RAW_MESSAGES" 0 32 raw)
export RAW_LOAD=$(cut -d' ' -f1 /proc/loadavg)
export RAW_MSGS_PER_S=$(printf '%s\n' "$raw_out" | sed -n 's/^| raw MassTransit | \([0-9.]*\) |$/\1/p')
echo "[e2e] raw: ${RAW_MSGS_PER_S:-?} msg/s (load average $RAW_LOAD)" >&2

export E2E_SERVICES_DIR=${E2E_SERVICES_DIR:-$REPO_ROOT/src} E2E_CONFIGURATION=Release
dotnet tests/Benchmarks/OrderSystem.EndToEnd.Benchmarks/bin/Release/net10.0/OrderSystem.EndToEnd.Benchmarks.dll
