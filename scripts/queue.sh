#!/usr/bin/env bash
# n8n in queue mode with this package: PostgreSQL + Redis + an n8n main + 2 `n8n worker`s, all on
# 127.0.0.1 ports of our own with their data in one temporary folder, plus the loopback fakes.
#
#   scripts/queue.sh            run every example workflow through the workers and print which
#                               worker ran which execution
#   scripts/queue.sh --test     the queue-mode e2e suite (scripts/test.sh runs this)
#   scripts/queue.sh --test --only=examples,stream,download,trigger,redis   some of its cases
#
# Both packages are installed into each n8n user folder from their npm-packed tarballs
# (packages/<name>/dist, built when missing), as n8n installs a community package;
# QUEUE_PACKAGE_FROM=sources builds them from the TypeScript sources into those folders instead
# (dist/ untouched).
# Needs (installed here when missing, with apt-get, as root): Debian's `redis-server` and
# `postgresql` (the server binaries under /usr/lib/postgresql/<v>/bin; no cluster of the
# package is used or started). PostgreSQL refuses to run as root, so as root it runs as the
# `postgres` system user. n8n 2.41.1 on Node 24 comes from .cache/ (scripts/n8n-install.sh).
# Every process started is stopped, and the folder removed, on exit, failure, Ctrl-C, SIGTERM
# and SIGHUP (set QUEUE_KEEP_FOLDER=1 to keep the folder).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

mode=examples
args=()
for arg in "$@"; do
	case "$arg" in
		--test) mode=test ;;
		--only=*) args+=("$arg") ;;
		-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "usage: $0 [--test] [--only=case,...]" >&2; exit 2 ;;
	esac
done
step() { printf 'queue.sh: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)" >&2; }

# Debian's Redis and PostgreSQL, installed when missing (a fresh CI machine has neither).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "queue.sh: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	step "installing ${missing[*]} (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# policy-rc.d: the packages' own services are not started (we start our own on our ports)
	had_policy=0
	[ -e /usr/sbin/policy-rc.d ] && had_policy=1
	if [ "$had_policy" = 0 ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	[ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
	echo "queue.sh: running as root needs the postgres system user (apt-get install postgresql creates it)" >&2
	exit 1
fi

step "dependencies, build, n8n $N8N_VERSION"
bash scripts/setup.sh
# (the tarball install, scripts/n8n-install-package.sh, builds the packages when a dist/ is
# missing; QUEUE_PACKAGE_FROM=sources builds them from the sources into n8n's folders instead)
"$ROOT/scripts/n8n-install.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-queue.XXXXXX")"
export QUEUE_DIR="$work/cluster" E2E_PID_FILE="$work/pids" E2E_LOG_DIR="$work/logs"
mkdir -p "$QUEUE_DIR"
chmod 711 "$work" # the postgres system user must reach its data folder inside
cleanup() {
	# the driver stops what it started itself (stop_step gives it 20 s on a signal);
	# whatever is left (the driver died, or did not finish): SIGTERM, then SIGKILL
	kill_recorded_groups "$E2E_PID_FILE"
	if [ -s "$E2E_PID_FILE" ]; then
		sleep 2
		while read -r pid; do kill -KILL -- "-$pid" 2>/dev/null || true; done <"$E2E_PID_FILE"
	fi
	if [ "${QUEUE_KEEP_FOLDER:-0}" = "1" ]; then
		echo "queue.sh: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
stop_on_signals

step "starting PostgreSQL, Redis, n8n main + 2 workers in $work"
# run_step (env.sh): the driver in its own process group, stopped (SIGTERM, 20 s, SIGKILL) when
# a signal reaches this script; the EXIT trap then stops anything the driver left.
if [ "$mode" = test ]; then
	run_step node test/queue/run.js "${args[@]}"
else
	run_step node test/queue/run.js --only=examples
fi
