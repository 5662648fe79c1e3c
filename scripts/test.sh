#!/usr/bin/env bash
# The README's test command: everything CI checks, from a clean clone.
#   lint (official n8n config, strict) -> build (tsc type-checks it) -> unit/integration tests (jest,
#   real n8n engine against the loopback fakes) -> end-to-end tests in a real n8n -> the n8n
#   editor in Debian's Chromium.
# Set SKIP_E2E=1 to stop after jest (the last three need n8n, provisioned ~5 min cold).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
stop_on_signals # Ctrl-C, SIGTERM, SIGHUP: stop the running step (and all it started), then exit

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "install dependencies"
run_step bash scripts/setup.sh

step "lint (n8n-node lint, strict)"
run_step npx n8n-node lint
echo "lint passed: n8n-node lint (strict) reported no problems"

step "build (tsc type-checks everything it compiles)"
run_step npm run build --silent

step "jest"
run_step npx jest --ci

if [ "${SKIP_E2E:-0}" != "1" ]; then
	step "end-to-end in n8n"
	run_step bash scripts/e2e.sh
	step "n8n editor in Chromium"
	run_step bash scripts/browser.sh
	step "scripts stop everything they started on SIGINT, SIGTERM, SIGHUP"
	run_step bash test/scripts/signals.sh
fi
step "all checks passed"
