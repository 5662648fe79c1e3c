#!/usr/bin/env bash
# Browser test in the real n8n editor (Debian's Chromium driven by playwright-core): opens the
# parameter panel of every node × operation of this package, a connected showcase workflow
# and the node panel search; fails on console errors, panels that do not render their
# parameters, and nodes or actions users cannot find. Details: test/browser/editor.js.
# Prints PASS/FAIL per check; exits non-zero if any failed.
#
#   scripts/browser.sh                       # checks; screenshots go to test-output/browser/
#   UPDATE_SCREENSHOTS=1 scripts/browser.sh  # also rewrites docs/screenshots/*.png (README)
#
# Self-contained from a clean clone: installs Chromium (apt, needs root or sudo) when
# /usr/bin/chromium is missing, the npm dependencies, the pinned n8n and a build of the
# package; editor.js runs n8n in a throw-away user folder on a free port and stops n8n and
# Chromium when it ends.
# Never downloads a browser through Playwright.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
stop_on_signals # SIGINT/SIGTERM/SIGHUP stop the running step (n8n, Chromium) and exit

CHROMIUM=/usr/bin/chromium
start=$SECONDS
say() { printf 'browser.sh: %s (%ss)\n' "$*" "$((SECONDS - start))" >&2; }

# 1. Chromium from Debian. The package lists may be absent on a fresh image: update only
#    when the first attempt fails. --no-install-recommends: the browser alone is enough.
if [ ! -x "$CHROMIUM" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	say "installing chromium (apt)"
	export DEBIAN_FRONTEND=noninteractive
	if ! $sudo apt-get install -y --no-install-recommends chromium >/dev/null; then
		$sudo apt-get update >/dev/null
		$sudo apt-get install -y --no-install-recommends chromium >/dev/null
	fi
fi

# 2. playwright-core (devDependency) and the pinned n8n. (editor.js installs the package into
#    a throw-away n8n, building it when dist/ is missing; the test command has built it already.)
run_step bash scripts/setup.sh
run_step bash scripts/n8n-install.sh

# 3. The checks, against a throw-away n8n that editor.js starts and stops. Screenshots land in
#    docs/screenshots only when asked for.
screenshot_dir="test-output/browser/screenshots"
[ "${UPDATE_SCREENSHOTS:-0}" = "1" ] && screenshot_dir="docs/screenshots"
# SIGTERM to the checks (stop_step): Playwright closes Chromium on it, editor.js stops n8n and
# removes its user folder.
status=0
CHROMIUM="$CHROMIUM" ARTIFACT_DIR="test-output/browser" SCREENSHOT_DIR="$screenshot_dir" \
	run_step node test/browser/editor.js || status=$?
if [ "$status" -ne 0 ]; then
	say "FAILED (screenshots of failing panels and the n8n log: test-output/browser/)"
	exit "$status"
fi
say "passed"
