#!/usr/bin/env bash
# The one test command: builds the solution and runs every test against a real RabbitMQ and PostgreSQL, the AppHost's
# own tests included (tests/AppHost.Tests runs the real AppHost through Aspire.Hosting.Testing).
#
#   eng/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Saga]
#
# Servers: the ones given by RABBITMQ_URI + RABBITMQ_MANAGEMENT_URL + POSTGRES_CONNECTION_STRING if set; otherwise, when
# a Docker engine is reachable, the tests start containers themselves (Testcontainers); otherwise this script starts
# private local servers (eng/infra.sh, installing the Debian packages if needed) and stops them afterwards.
# Prints one closing line "N passed, N failed, N skipped" and exits non-zero if anything failed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RESULTS="$ROOT/artifacts/test-results"
log() { echo "[test] $*" >&2; }

stop_infra=0
cleanup() { if [ $stop_infra = 1 ]; then eng/infra.sh stop || true; fi; }
trap cleanup EXIT

if [ -n "${RABBITMQ_URI:-}" ] && [ -n "${RABBITMQ_MANAGEMENT_URL:-}" ] && [ -n "${POSTGRES_CONNECTION_STRING:-}" ]; then
  log "using the servers given by environment variables"
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  log "Docker engine reachable: the tests start RabbitMQ and PostgreSQL containers (Testcontainers)"
else
  if eng/infra.sh status | grep -q "rabbitmq: running" && eng/infra.sh status | grep -q "postgres: running"; then
    log "using the private servers already running (eng/infra.sh)"
  else
    log "no Docker engine and no servers given: starting private servers (eng/infra.sh)"
    stop_infra=1
  fi
  eval "$(eng/infra.sh start)"
fi

eng/install-browser.sh >&2   # the storefront's browser tests drive Debian's chromium
log "building OrderSystem.sln"
dotnet build OrderSystem.sln -nologo -v:q -clp:ErrorsOnly

rm -rf "$RESULTS"
status=0
# --blame-hang-timeout: a hung test fails the run with a dump instead of stalling CI.
dotnet test OrderSystem.sln --no-build -nologo -v:q \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS" \
  --blame-hang-timeout 10m "$@" || status=$?

# The closing line, summed from the TRX result files (one per test project).
passed=0; failed=0; skipped=0; files=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
done
if [ $files = 0 ]; then log "no test results were written"; [ $status = 0 ] && status=1; fi
if [ $failed -gt 0 ] && [ $status = 0 ]; then status=1; fi
# A test host that crashed or was killed for hanging leaves no failed test in its TRX file (the tests it never ran are
# simply missing): the run still failed, and the closing line must say so.
if [ $status != 0 ] && [ $failed = 0 ]; then log "dotnet test failed (exit $status) with no failed test recorded: a test run was aborted; counted as 1 failure"; failed=1; fi
cleanup; stop_infra=0   # stop servers now, so that the summary is the last line printed
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
