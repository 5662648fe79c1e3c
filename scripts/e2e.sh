#!/usr/bin/env bash
# End-to-end tests in a real n8n 2.41.1 (the README's test command runs this after jest):
# installs the built package into n8n like a community package, imports credentials pointing at
# loopback fakes and every workflow of examples/, runs them and checks their results.
# Prints PASS/FAIL per check; exits non-zero when any check fails.
#
#   scripts/e2e.sh          (after scripts/setup.sh; builds dist/ if it is missing)
#
# n8n is provisioned into .cache/ on first use (scripts/n8n-install.sh, ~5 min cold).
# Everything runs in a temporary folder that is removed at the end; every process started is
# stopped, also on failure, Ctrl-C and SIGINT/SIGTERM/SIGHUP to this script (the EXIT trap
# below backs up the driver's own cleanup).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
stop_on_signals

work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-e2e.XXXXXX")"
export E2E_USER_FOLDER="$work/n8n" E2E_PID_FILE="$work/pids" E2E_LOG_DIR="$work/logs"
cleanup() {
	kill_recorded_groups "$E2E_PID_FILE"
	if [ "${E2E_KEEP_FOLDER:-0}" = "1" ]; then
		echo "e2e.sh: kept $work (n8n user folder with its database, logs of failed commands)" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

run_step "$ROOT/scripts/n8n-install.sh"

# A failed run keeps its folder for inspection (set E2E_KEEP_FOLDER=1 to keep a passing one).
run_step node test/e2e/run.js || { status=$?; E2E_KEEP_FOLDER=1; exit "$status"; }
