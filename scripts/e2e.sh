#!/usr/bin/env bash
# End-to-end tests in real n8n instances (the README's test command runs this after jest), one
# run per version of the compatibility matrix (N8N_MATRIX_VERSIONS in env.sh: the last 1.x and
# the pinned 2.41.1), three fresh n8n instances per version (test/e2e/run.js):
#   - both packages (n8n-nodes-poke, n8n-nodes-pokee) installed together through n8n's
#     community-packages REST endpoint (what Settings -> Community Nodes -> Install calls),
#     credentials pointing at loopback fakes, every workflow of examples/ run and checked; the
#     trigger, the credential tests, wrong keys and the secrets check included;
#   - n8n-nodes-poke alone, then n8n-nodes-pokee alone, each installed the same way, running the
#     workflows of its service as 0.1.0 saved them (test/fixtures/examples-0.1.0: Poke's
#     unchanged, Pokee's with the node types renamed to n8n-nodes-pokee.*).
# Prints PASS/FAIL per check and a time per version; exits non-zero when any check fails.
#
#   scripts/e2e.sh                         every version of the matrix
#   E2E_VERSIONS=1.123.81 scripts/e2e.sh   some of them (a space-separated list)
# (N8N_VERSION does not select here: scripts that source env.sh, test.sh among them, export it.)
#
# Each n8n is provisioned into .cache/n8n-<version> on first use (scripts/n8n-install.sh,
# ~3-5 min cold each). Everything runs in a temporary folder that is removed at the end; every
# process started is stopped, also on failure, Ctrl-C and SIGINT/SIGTERM/SIGHUP to this script (the EXIT trap below backs up the
# driver's own cleanup).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
versions="${E2E_VERSIONS:-$N8N_MATRIX_VERSIONS}"
stop_on_signals

work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-e2e.XXXXXX")"
export E2E_PID_FILE="$work/pids" E2E_LOG_DIR="$work/logs"
keep=0
cleanup() {
	kill_recorded_groups "$E2E_PID_FILE"
	if [ "${E2E_KEEP_FOLDER:-0}" = "1" ] || [ "$keep" = "1" ]; then
		echo "e2e.sh: kept $work (n8n user folders with their database, logs of failed commands)" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

failed=""
summary=""
for version in $versions; do
	run_step "$ROOT/scripts/n8n-install.sh" "$version"
	start=$SECONDS
	# A failed run keeps its folder for inspection (E2E_KEEP_FOLDER=1 keeps a passing one).
	if run_step env N8N_VERSION="$version" N8N_DIR="$ROOT/.cache/n8n-$version" \
		N8N_BIN="$ROOT/.cache/n8n-$version/node_modules/.bin/n8n" \
		E2E_USER_FOLDER="$work/n8n-$version" node test/e2e/run.js; then
		summary+="  n8n $version: passed in $((SECONDS - start)) s"$'\n'
	else
		keep=1
		failed+=" $version"
		summary+="  n8n $version: FAILED after $((SECONDS - start)) s"$'\n'
	fi
done
printf '\ne2e.sh: compatibility matrix (Node %s)\n%s' "$(node -v)" "$summary"
if [ -n "$failed" ]; then
	echo "e2e.sh: failed in n8n$failed" >&2
	exit 1
fi
