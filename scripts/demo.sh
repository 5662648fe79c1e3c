#!/usr/bin/env bash
# The demo (the README's first command): builds the package, provisions the pinned n8n 2.41.1 on
# Node 24 (into .cache/, reused when present), installs the package into n8n the way a community
# package is installed, imports credentials pointing at local fake Poke / Pokee / OpenAI APIs and
# the workflows of examples/, runs them and prints what each produced.
#
#   scripts/demo.sh           run everything, print a summary, stop
#   scripts/demo.sh --keep    then keep n8n running with its editor on http://127.0.0.1:5678
#
# Nothing leaves this machine: the fakes and n8n listen on 127.0.0.1 only. n8n's data lives in a
# temporary folder removed at the end; every process started is stopped and the folder removed
# also on Ctrl-C and on SIGINT, SIGTERM or SIGHUP to this script's PID.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
stop_on_signals

for arg in "$@"; do
	case "$arg" in
		--keep) ;;
		-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "usage: $0 [--keep]" >&2; exit 2 ;;
	esac
done

step() { printf '%s\n' "demo: $1" >&2; }
step "dependencies (scripts/setup.sh; no-op when up to date)"
run_step bash scripts/setup.sh
step "building the package (npm run build)"
run_step npm run build --silent >/dev/null
step "n8n $N8N_VERSION (scripts/n8n-install.sh; ~5 min the first time, then cached)"
run_step "$ROOT/scripts/n8n-install.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-demo.XXXXXX")"
export E2E_USER_FOLDER="$work/n8n" E2E_PID_FILE="$work/pids"
cleanup() {
	kill_recorded_groups "$E2E_PID_FILE"
	rm -rf "$work"
}
trap cleanup EXIT

run_step node scripts/demo.js "$@"
