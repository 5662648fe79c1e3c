#!/usr/bin/env bash
# The README's test command: everything CI checks, from a clean clone.
#   lint (official n8n config, strict) -> build (tsc type-checks it) -> unit/integration tests (jest,
#   real n8n engine against the loopback fakes) -> end-to-end tests in a real n8n -> the same in
#   queue mode (PostgreSQL + Redis + main + 2 workers, scripts/queue.sh --test) -> the n8n
#   editor in Debian's Chromium.
# Set SKIP_E2E=1 to stop after jest (the last three provision n8n, ~5 min cold), SKIP_QUEUE=1 to
# leave out queue mode only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "install dependencies"
bash scripts/setup.sh

step "lint (n8n-node lint, strict)"
npx n8n-node lint

step "build (tsc type-checks everything it compiles)"
npm run build --silent

step "jest"
npx jest --ci

if [ "${SKIP_E2E:-0}" != "1" ]; then
	step "end-to-end in n8n"
	bash scripts/e2e.sh
	if [ "${SKIP_QUEUE:-0}" != "1" ]; then
		step "queue mode in n8n: PostgreSQL, Redis, main + 2 workers"
		bash scripts/queue.sh --test
	fi
	step "n8n editor in Chromium"
	bash scripts/browser.sh
fi
step "all checks passed"
