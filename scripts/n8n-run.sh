#!/usr/bin/env bash
# Run the n8n of $N8N_VERSION (default the pinned 2.41.1; see n8n-install.sh) headless with a
# private user folder.
#
#   scripts/n8n-run.sh <user-folder> <n8n args...>
#   e.g. scripts/n8n-run.sh /tmp/u import:workflow --input=/tmp/wf.json
#        scripts/n8n-run.sh /tmp/u execute --id=wfPoke1 --rawOutput
#        N8N_PORT=5690 scripts/n8n-run.sh /tmp/u start
#
# n8n keeps everything (SQLite database, settings, installed community packages under
# .n8n/nodes) in <user-folder>/.n8n. Every variable below can be overridden from the caller's
# environment. Names checked against n8n 2.41.1 (@n8n/config and n8n/dist):
#   - N8N_RUNNERS_ENABLED no longer exists: the JS task runner always runs (internal mode);
#     the "Python runner unavailable" warning is logged once and is harmless.
#   - N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE no longer exists: every node with
#     `usableAsTool` (community ones included) gets a "<type>Tool" variant automatically.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [ $# -lt 1 ]; then
	echo "usage: $0 <user-folder> <n8n args...>" >&2
	exit 2
fi
mkdir -p "$1"
user_folder="$(cd "$1" && pwd)"
shift

"$ROOT/scripts/n8n-install.sh" "$N8N_VERSION" # no-op when already installed

export N8N_USER_FOLDER="$user_folder"
# Test-only key: credentials stored in a test user folder are encrypted with it.
export N8N_ENCRYPTION_KEY="${N8N_ENCRYPTION_KEY:-n8n-nodes-poke-test-only-key}"
# No calls home, no banners, no onboarding questions.
export N8N_DIAGNOSTICS_ENABLED="${N8N_DIAGNOSTICS_ENABLED:-false}"
export N8N_VERSION_NOTIFICATIONS_ENABLED="${N8N_VERSION_NOTIFICATIONS_ENABLED:-false}"
export N8N_PERSONALIZATION_ENABLED="${N8N_PERSONALIZATION_ENABLED:-false}"
# HTTP server: local only, plain http (so the auth cookie works without TLS).
export N8N_LISTEN_ADDRESS="${N8N_LISTEN_ADDRESS:-127.0.0.1}"
export N8N_PORT="${N8N_PORT:-5678}"
export N8N_SECURE_COOKIE="${N8N_SECURE_COOKIE:-false}"
# `n8n start` and `n8n execute` each open a task broker for their JS runner, by default on
# port 5679: a second concurrent n8n would exit with "port 5679 is already in use" (exit
# code 1, like a failed workflow). Pick a free port instead unless the caller chose one.
if [ -z "${N8N_RUNNERS_BROKER_PORT:-}" ]; then
	N8N_RUNNERS_BROKER_PORT="$(node -e 'const s = require("node:net").createServer();
		s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
fi
export N8N_RUNNERS_BROKER_PORT
# SQLite in pooled (WAL) mode; 3 is also n8n 2.x's default, stated here to be explicit.
export DB_SQLITE_POOL_SIZE="${DB_SQLITE_POOL_SIZE:-3}"
# Community packages (these are unverified) load from <user-folder>/.n8n/nodes. Set explicitly:
# n8n 3.0 turns N8N_UNVERIFIED_PACKAGES_ENABLED off by default.
export N8N_UNVERIFIED_PACKAGES_ENABLED="${N8N_UNVERIFIED_PACKAGES_ENABLED:-true}"
# No internet here: the MCP server catalogue module (2.x) would fetch api.n8n.io at start-up
# and log ENOTFOUND stack traces. n8n 1.x has no such module and refuses to start when an
# unknown one is named.
case "$N8N_VERSION" in
1.*) export N8N_DISABLED_MODULES="${N8N_DISABLED_MODULES-}" ;;
*) export N8N_DISABLED_MODULES="${N8N_DISABLED_MODULES-mcp-registry}" ;;
esac
# Today's defaults, set explicitly only to silence n8n's start-up deprecation notices.
export N8N_RUNNERS_TASK_TIMEOUT="${N8N_RUNNERS_TASK_TIMEOUT:-300}"
export N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES="${N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES:-2147483648}"
export N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES="${N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES:-5000}"

# `exec` keeps this process's PID, so the PID written here is n8n's own: stop a server with
#   kill "$(cat <user-folder>/n8n-start.pid)"
# (SIGTERM; n8n stops its task runner child and exits within a few seconds).
if [ "${1:-}" = "start" ]; then
	echo $$ >"$user_folder/n8n-start.pid"
fi
exec "$N8N_BIN" "$@"
