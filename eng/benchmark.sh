#!/usr/bin/env bash
# Runs the messaging benchmark (tests/Benchmarks/OrderSystem.Messaging.Benchmarks) against the eng/infra.sh servers:
# raw MassTransit consume→publish throughput vs the same through the consumer outbox + inbox, and bus-outbox
# commit→delivered latency at light load. Prints a Markdown report (docs/performance.md records a run).
#
#   eng/benchmark.sh [messages=5000] [latencySamples=300]
#   eng/benchmark.sh [orders=3000] 0 [concurrency=32] flow [rate…]
#                     the floor under eng/benchmark-e2e.sh: one order's messages through raw MassTransit in one process,
#                     without a database, with one transaction per consumed message, with the same inserts
#                     group-committed, and through the building block; CPU of the client, the broker and the database
#                     per order at fixed rates (default 30/s) and saturated (about 4 minutes; FLOW_VARIANTS=name,… for some)
#
# It creates its own vhost and database and removes them afterwards; the servers themselves are left running.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
eval "$(eng/infra.sh start)"
export INFRA_DIR=${ORDERSYSTEM_INFRA_DIR:-${TMPDIR:-/tmp}/ordersystem-infra-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)}
dotnet run -c Release --project tests/Benchmarks/OrderSystem.Messaging.Benchmarks/OrderSystem.Messaging.Benchmarks.csproj -- "$@"
