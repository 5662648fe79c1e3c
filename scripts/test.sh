#!/usr/bin/env bash
# The README's test command: everything CI checks, from a clean clone.
#   build (tsc type-checks it; assembles packages/n8n-nodes-poke and packages/n8n-nodes-pokee)
#   -> release checks of each package (strict n8n-node lint on the sources it ships, the packed
#   tarball, n8n's community package scanner on both legs, npm publish dry runs) and of the
#   GitHub workflows through actionlint -> unit/integration tests (jest, real n8n engine against the
#   loopback fakes) -> end-to-end tests in every n8n of the compatibility matrix (1.123.81 and
#   2.41.1) -> the same in queue mode (PostgreSQL + Redis + main + 2 workers, scripts/queue.sh
#   --test) -> the n8n editor in Debian's Chromium.
# Set SKIP_E2E=1 to stop after jest (the steps after it need n8n, provisioned ~5 min cold per version),
# SKIP_QUEUE=1 to leave out queue mode only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
stop_on_signals # Ctrl-C, SIGTERM, SIGHUP: stop the running step (and all it started), then exit

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "install dependencies"
run_step bash scripts/setup.sh

step "build (tsc type-checks everything it compiles)"
run_step npm run build --silent

step "release checks per package (n8n-node lint strict, tarball, n8n scanner, npm publish --dry-run) and workflows"
run_step node scripts/release-check.mjs

step "jest"
run_step npx jest --ci

if [ "${SKIP_E2E:-0}" != "1" ]; then
	step "end-to-end in n8n ($N8N_MATRIX_VERSIONS)"
	run_step bash scripts/e2e.sh
	if [ "${SKIP_QUEUE:-0}" != "1" ]; then
		step "queue mode in n8n: PostgreSQL, Redis, main + 2 workers"
		run_step bash scripts/queue.sh --test
	fi
	step "n8n editor in Chromium"
	run_step bash scripts/browser.sh
	step "scripts stop everything they started on SIGINT, SIGTERM, SIGHUP"
	run_step bash test/scripts/signals.sh
fi
step "all checks passed"
