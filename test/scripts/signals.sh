#!/usr/bin/env bash
# Script-level test: SIGINT, SIGTERM and SIGHUP sent to the PID of scripts/demo.sh (and
# scripts/e2e.sh) alone stop everything the script started and remove its temporary folder.
#
#   bash test/scripts/signals.sh      (needs the cached n8n: run scripts/n8n-install.sh first)
#
# Each run gets a TMPDIR of its own, so its temporary folder and every process it started
# (they all inherit TMPDIR: the node driver, the fakes inside it, n8n) can be found. The signal
# is sent once n8n is running (the driver recorded a process group), then the test checks that
# the script exited with 128+signal, that no process carrying that TMPDIR is left and that
# TMPDIR is empty. Prints PASS/FAIL per case; exits 1 if any failed.
set -uo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$ROOT"

if [ ! -f "$N8N_DIR/.install-complete" ]; then
	echo "signals.sh: n8n $N8N_VERSION is not provisioned (run scripts/n8n-install.sh)" >&2
	exit 2
fi
[ -d dist ] || npm run build --silent >/dev/null

base="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-signals.XXXXXX")"
script_pid=""
# this test's own cleanup: whatever a failing case left behind
cleanup() {
	[ -n "$script_pid" ] && kill -KILL "$script_pid" 2>/dev/null
	for pid in $(carrying "$base"); do kill -KILL "$pid" 2>/dev/null; done
	rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# PIDs of the processes whose environment has TMPDIR set to $1 (or a folder under it).
carrying() {
	local environ pid
	for environ in /proc/[0-9]*/environ; do
		pid="${environ#/proc/}"
		pid="${pid%/environ}"
		[ "$pid" = "$$" ] && continue
		if tr '\0' '\n' <"$environ" 2>/dev/null | grep -qx "TMPDIR=$1\(/.*\)\{0,1\}"; then
			echo "$pid"
		fi
	done
}

failures=0
check() { # name, condition result (0 = pass), detail
	if [ "$2" -eq 0 ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $3"
		failures=$((failures + 1))
	fi
}

# case <script> <signal> <expected status>
run_case() {
	local script="$1" signal="$2" expected="$3" tmp pidfile status waited left
	tmp="$base/$(basename "$script" .sh)-$signal"
	mkdir -p "$tmp"
	TMPDIR="$tmp" bash "scripts/$script" >"$tmp.log" 2>&1 &
	script_pid=$!
	# wait (at most 3 min) until the driver has started n8n: a non-empty pid file in the
	# script's temporary folder
	waited=0
	pidfile=""
	while [ "$waited" -lt 1800 ] && kill -0 "$script_pid" 2>/dev/null; do
		pidfile="$(find "$tmp" -maxdepth 2 -name pids -size +0 2>/dev/null | head -n 1)"
		[ -n "$pidfile" ] && break
		sleep 0.1
		waited=$((waited + 1))
	done
	if [ -z "$pidfile" ]; then
		check "$script: n8n started before the signal" 1 "$(tail -n 20 "$tmp.log")"
		kill -KILL "$script_pid" 2>/dev/null
		script_pid=""
		return
	fi
	local started
	started="$(carrying "$tmp" | wc -l)"
	kill "-$signal" "$script_pid"
	status=0
	wait "$script_pid" || status=$?
	script_pid=""
	check "$script: $signal to its PID ($started processes running) makes it exit with $expected" \
		"$([ "$status" -eq "$expected" ]; echo $?)" "exit status $status; $(tail -n 20 "$tmp.log")"
	# processes stopped by the script may need a moment to be reaped by init
	for _ in $(seq 50); do
		left="$(carrying "$tmp")"
		[ -z "$left" ] && break
		sleep 0.1
	done
	check "$script: after $signal no process it started is left" "$([ -z "$left" ]; echo $?)" \
		"$(for pid in $left; do ps -o pid=,args= -p "$pid"; done)"
	check "$script: after $signal its temporary folder is gone" \
		"$([ -z "$(ls -A "$tmp")" ]; echo $?)" "$(ls -A "$tmp")"
}

run_case demo.sh INT 130
run_case demo.sh TERM 143
run_case demo.sh HUP 129
run_case e2e.sh TERM 143

if [ "$failures" -gt 0 ]; then
	echo "signals.sh: $failures check(s) FAILED"
	exit 1
fi
echo "signals.sh: all checks passed"
