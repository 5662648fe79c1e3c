#!/usr/bin/env bash
# `npm run dev`: a watch-and-reload loop against the pinned n8n from .cache/ (N8N_VERSION selects
# another provisioned one). Builds both packages (the real build: tsc + gulp bundle + assembly of
# packages/*/dist, as published), installs them into a temporary n8n user folder's
# .n8n/nodes/node_modules/n8n-nodes-poke and n8n-nodes-pokee (where n8n loads community packages;
# node types n8n-nodes-poke.poke, n8n-nodes-pokee.*), starts n8n with N8N_DEV_RELOAD=true and
# prints the editor URL. On every change under nodes/ or credentials/ it rebuilds and copies the
# new dist/ there; n8n's dev reload sees the files change and reloads the nodes (refresh the
# editor page). Ctrl-C (or SIGTERM/SIGHUP) stops n8n and the watcher and removes the folder.
#
#   npm run dev                  editor on http://127.0.0.1:5678 (N8N_PORT=... for another port)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
"$ROOT/scripts/n8n-install.sh" "$N8N_VERSION"

work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-dev.XXXXXX")"
export E2E_PID_FILE="$work/pids"
cleanup() {
	kill_recorded_groups "$E2E_PID_FILE"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

DEV_USER_FOLDER="$work/n8n" node scripts/dev.js
