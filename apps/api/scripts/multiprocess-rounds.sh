#!/usr/bin/env bash
# Issue 18's proof: the suites that start server processes, N rounds in a row with every core kept
# busy by `yes > /dev/null` (FILES= picks other suites), and after each round the list of this checkout's servers still running
# (there must be none). Build first. Usage, from apps/api: scripts/multiprocess-rounds.sh [rounds]
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
MAIN="$(pwd)/dist/main.js"
FILES="${FILES:-test/concurrency/*.multiprocess.test.ts test/faults/*.multiprocess.test.ts test/ops/operations.api.test.ts}"
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
HOGS=()
for _ in $(seq "$(nproc)"); do yes > /dev/null & HOGS+=($!); done
trap 'kill "${HOGS[@]}" 2>/dev/null' EXIT
failed=0
for round in $(seq "$ROUNDS"); do
  # shellcheck disable=SC2086
  timeout 900 npx vitest run $FILES --reporter=dot > "/tmp/multiprocess-round-$round.log" 2>&1
  rc=$?
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "/tmp/multiprocess-round-$round.log" | grep -E "^ +Tests " | tr -s ' ')
  sleep 1
  left=$(ps -eo pid,ppid,args | grep -F "$MAIN" | grep -v grep)
  echo "round $round: exit $rc;$summary; leftover servers: ${left:-none}"
  [ "$rc" -ne 0 ] || [ -n "$left" ] && failed=$((failed + 1))
done
echo "$failed of $ROUNDS rounds failed or left a process behind"
[ "$failed" -eq 0 ]
