#!/usr/bin/env bash
# The chaos suite (tests/Chaos/OrderSystem.Chaos): builds Release, then places orders through the public API at a steady
# rate, as a real client would (a 503, a 5xx, a refused connection or a timeout is retried with the same
# Idempotency-Key), while it kills -9 and restarts each service, RabbitMQ and PostgreSQL in turn. At the end it checks in
# the four databases that every accepted order is terminal, that stock adds up, that each order has at most one captured
# payment and one notification of its outcome, and that no message was dead-lettered. Prints progress on stderr and a
# Markdown table on stdout; exits non-zero on any violation. Default: at least 1,200 orders at 10/s (5–15 minutes,
# depending on the machine's load).
#
#   eng/chaos.sh [--orders N] [--rate R] [--down S] [--faults ordering,inventory,payment,notification,rabbitmq,postgresql]
#                [--keep-servers] [--infra-dir DIR] [--rabbitmq-port P] [--postgres-port P] [--epmd-port P] [--drain-timeout S]
#                [--run-timeout S: stop and fail past it, with what it leaves (orders not terminal, queues holding messages)]
#
# It runs its own RabbitMQ and PostgreSQL (eng/infra.sh with ORDERSYSTEM_INFRA_DIR=${TMPDIR:-/tmp}/ordersystem-chaos-<hash>
# and base ports 5782/5542/4479), never the servers eng/test.sh or eng/run.sh use, and stops them at the end
# (--keep-servers leaves them up: eng/infra.sh status with that ORDERSYSTEM_INFRA_DIR). The services' logs stay in
# /tmp/ordersystem-services-*.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
eng/infra.sh install   # RabbitMQ and PostgreSQL from the distribution's packages, if missing
echo "[chaos] building Release (the driver and the four services)" >&2
dotnet build tests/Chaos/OrderSystem.Chaos -c Release -nologo -v:q -clp:ErrorsOnly >&2
echo "[chaos] load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
ORDERSYSTEM_ROOT="$REPO_ROOT" exec dotnet tests/Chaos/OrderSystem.Chaos/bin/Release/net10.0/OrderSystem.Chaos.dll --configuration Release "$@"
