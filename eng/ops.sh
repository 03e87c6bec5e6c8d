#!/usr/bin/env bash
# ordersystem-ops, the operator tool for error queues (src/Operations; docs/operations.md), run from the repository.
# Builds it on first use (and again when its sources change), then runs it with your arguments:
#
#   eng/ops.sh error-queues list
#   eng/ops.sh error-queues show order-confirmed_error
#   eng/ops.sh --help
#
# Where the broker is: --broker/--management, else $ConnectionStrings__messaging (amqp://user:password@host:port/vhost)
# and $RABBITMQ_MANAGEMENT_URL (http://user:password@host:port). When neither is set: the broker of the system that
# eng/run.sh (the AppHost) runs without containers (127.0.0.1:5670, management 15670, credentials from the AppHost's
# user secrets) if it answers, else this checkout's eng/infra.sh servers if they run.
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

apphost_broker() {   # the AppHost's local RabbitMQ (AppHost/Infrastructure/LocalInfrastructure.cs: its default ports)
  (: >/dev/tcp/127.0.0.1/5670) 2>/dev/null || return 1
  local secrets=~/.microsoft/usersecrets/$(sed -n 's:.*<UserSecretsId>\(.*\)</UserSecretsId>.*:\1:p' "$REPO_ROOT/AppHost/OrderSystem.AppHost.csproj")/secrets.json
  [ -f "$secrets" ] || return 1
  local user password
  user=$(sed -n 's/.*"Parameters:messaging-username": *"\([^"]*\)".*/\1/p' "$secrets"); user=${user:-ordersystem}
  password=$(sed -n 's/.*"Parameters:messaging-password": *"\([^"]*\)".*/\1/p' "$secrets")
  [ -n "$password" ] || return 1
  export ConnectionStrings__messaging="amqp://$user:$password@127.0.0.1:5670/" RABBITMQ_MANAGEMENT_URL="http://$user:$password@127.0.0.1:15670"
}

if [ -z "${ConnectionStrings__messaging:-}" ] && [ -z "${RABBITMQ_MANAGEMENT_URL:-}" ]; then
  if ! apphost_broker && infra=$("$REPO_ROOT/eng/infra.sh" env 2>/dev/null); then
    eval "$(printf '%s\n' "$infra" | grep -E '^export (ConnectionStrings__messaging|RABBITMQ_MANAGEMENT_URL)=')"
  fi
fi

exec dotnet "$DLL" "$@"
