#!/usr/bin/env bash
# Script-level test: SIGINT, SIGTERM and SIGHUP sent to the PID of scripts/demo.sh (and
# scripts/e2e.sh) alone stop everything the script started and remove its temporary folder.
#
#   bash test/scripts/signals.sh      (needs the cached n8n: run scripts/n8n-install.sh first)
#
# Each run gets a TMPDIR of its own, so its temporary folder and every process it started
# (they all inherit TMPDIR: the node driver, the fakes inside it, n8n) can be found. The signal
# is sent as soon as the driver runs, or once it has started n8n; then the test checks that
# the script exited with 128+signal, that no process carrying that TMPDIR is left and that its
# temporary folder is gone. Prints PASS/FAIL per case; exits 1 if any failed.
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
	if [ -n "$script_pid" ]; then
		kill -TERM "$script_pid" 2>/dev/null
		wait "$script_pid" 2>/dev/null
	fi
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
		if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "TMPDIR=$1\(/.*\)\{0,1\}"; then
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

# The moment a case signals: "driver" as soon as the node driver (demo.js / e2e run.js) runs,
# before it started n8n (the fakes already listen in it); "n8n" once it has started n8n (a
# non-empty pid file in the script's temporary folder).
ready() { # <tmp> <when>
	local pid
	if [ "$2" = n8n ]; then
		[ -n "$(find "$1" -maxdepth 2 -name pids -size +0 2>/dev/null | head -n 1)" ]
		return
	fi
	for pid in $(carrying "$1"); do
		if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -Eq 'scripts/demo\.js|test/e2e/run\.js'; then return 0; fi
	done
	return 1
}

# run_case <script> <signal> <expected status> <when>
run_case() {
	local script="$1" signal="$2" expected="$3" when="$4" tmp status waited left
	tmp="$base/$(basename "$script" .sh)-$signal"
	mkdir -p "$tmp"
	# (a background job of a script starts with SIGINT ignored, which bash cannot trap: give the
	# script the default disposition, as it has when run from a terminal)
	TMPDIR="$tmp" env --default-signal=INT bash "scripts/$script" >"$tmp.log" 2>&1 &
	script_pid=$!
	# wait (at most 3 min) for the moment to signal
	waited=0
	until ready "$tmp" "$when"; do
		if [ "$waited" -ge 1800 ] || ! kill -0 "$script_pid" 2>/dev/null; then
			check "$script: reached the moment to signal ($when)" 1 "$(tail -n 20 "$tmp.log")"
			kill -TERM "$script_pid" 2>/dev/null
			wait "$script_pid" 2>/dev/null
			script_pid=""
			return
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	local started
	started="$(carrying "$tmp" | wc -l)"
	kill "-$signal" "$script_pid"
	status=0
	wait "$script_pid" || status=$?
	script_pid=""
	check "$script: $signal to its PID once the $when runs ($started processes running) makes it exit with $expected" \
		"$([ "$status" -eq "$expected" ]; echo $?)" "exit status $status; $(tail -n 20 "$tmp.log")"
	# processes stopped by the script may need a moment to be reaped by init
	for _ in $(seq 50); do
		left="$(carrying "$tmp")"
		[ -z "$left" ] && break
		sleep 0.1
	done
	check "$script: after $signal no process it started is left" "$([ -z "$left" ]; echo $?)" \
		"$(for pid in $left; do ps -o pid=,args= -p "$pid"; done)"
	# stopped, not crashed (an uncaught error ends with Node's "Node.js v<version>" line)
	check "$script: after $signal its driver stopped without crashing" \
		"$(! grep -q '^Node\.js v' "$tmp.log"; echo $?)" "$(tail -n 12 "$tmp.log")"
	# its own folder (n8n-poke-demo.*, n8n-poke-e2e.*); n8n's machine-wide caches that it puts
	# in TMPDIR (node-compile-cache, n8nDataTableUploads) stay, as after a normal run
	left="$(find "$tmp" -mindepth 1 -maxdepth 1 -name 'n8n-poke-*')"
	check "$script: after $signal its temporary folder is gone" "$([ -z "$left" ]; echo $?)" "$left"
}

# SIGNAL_CASES="demo.sh:TERM e2e.sh:TERM" runs only those cases
for c in demo.sh:INT:130:n8n demo.sh:TERM:143:driver demo.sh:HUP:129:driver e2e.sh:TERM:143:driver e2e.sh:HUP:129:n8n; do
	IFS=: read -r script signal status when <<<"$c"
	case " ${SIGNAL_CASES:-$script:$signal} " in
		*" $script:$signal "*) run_case "$script" "$signal" "$status" "$when" ;;
	esac
done

if [ "$failures" -gt 0 ]; then
	echo "signals.sh: $failures check(s) FAILED"
	exit 1
fi
echo "signals.sh: all checks passed"
