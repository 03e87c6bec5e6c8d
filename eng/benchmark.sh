#!/usr/bin/env bash
# Runs the messaging benchmark (tests/Benchmarks/OrderSystem.Messaging.Benchmarks) against the eng/infra.sh servers:
# raw MassTransit consume→publish throughput vs the same through the consumer outbox + inbox, and bus-outbox
# commit→delivered latency at light load. Prints a Markdown report (docs/performance.md records a run).
#
#   eng/benchmark.sh [messages=5000] [latencySamples=300]
#
# It creates its own vhost and database and removes them afterwards; the servers themselves are left running.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
eval "$(eng/infra.sh start)"
dotnet run -c Release --project tests/Benchmarks/OrderSystem.Messaging.Benchmarks/OrderSystem.Messaging.Benchmarks.csproj -- "$@"
