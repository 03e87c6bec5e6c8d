#!/usr/bin/env bash
# ordersystem-ops, the operator tool for error queues (src/Operations; docs/operations.md), run from the repository.
# Builds it on first use (and again when its sources change), then runs it with your arguments:
#
#   eng/ops.sh error-queues list
#   eng/ops.sh error-queues show order-confirmed_error
#   eng/ops.sh --help
#
# Where the broker is: --broker/--management, else $ConnectionStrings__messaging (amqp://user:password@host:port/vhost)
# and $RABBITMQ_MANAGEMENT_URL (http://user:password@host:port), the addresses and credentials eng/run.sh prints.
# When neither variable is set and this checkout's eng/infra.sh servers are running, their addresses are used.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT=$REPO_ROOT/src/Operations
DLL=$PROJECT/bin/Debug/net10.0/ordersystem-ops.dll

stale() {
  [ -f "$DLL" ] || return 0
  [ -n "$(find "$PROJECT" "$REPO_ROOT/Directory.Packages.props" "$REPO_ROOT/Directory.Build.props" \
            \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' \
            -newer "$DLL" -print -quit)" ]
}

if stale; then
  echo "[ops] building src/Operations ..." >&2
  dotnet build "$PROJECT" -nologo -v:q -clp:ErrorsOnly >&2
fi

if [ -z "${ConnectionStrings__messaging:-}" ] && [ -z "${RABBITMQ_MANAGEMENT_URL:-}" ] \
   && infra=$("$REPO_ROOT/eng/infra.sh" env 2>/dev/null); then
  eval "$(printf '%s\n' "$infra" | grep -E '^export (ConnectionStrings__messaging|RABBITMQ_MANAGEMENT_URL)=')"
fi

exec dotnet "$DLL" "$@"
