#!/usr/bin/env bash
# The integration files share one test cluster and run one at a time; the fault suite
# breaks a cluster of its own and runs beside them. Vitest runs a one-worker project
# alone, so they are two runs: the fault suite's output follows the integration files'.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx vitest run --project faults "$@" >"$log" 2>&1 &
faults=$!
npx vitest run --project integration "$@"
integration=$?
wait "$faults"
status=$?
cat "$log"
exit $((integration != 0 ? integration : status))
