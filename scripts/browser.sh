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
# package; runs n8n in a throw-away user folder on a free port; stops n8n and Chromium on exit.
# Never downloads a browser through Playwright.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

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

# 2. playwright-core (devDependency) and the pinned n8n. (n8n-install-package.sh below builds
#    the package when dist/ is missing; the test command has built it already.)
bash scripts/setup.sh
bash scripts/n8n-install.sh

# 3. A throw-away n8n with the package installed.
work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-poke-browser.XXXXXX")"
n8n_pid=""
test_pid=""
cleanup() {
	# SIGTERM to both: Playwright closes Chromium on it, n8n stops its task runner and exits.
	for pid in $test_pid $n8n_pid; do
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/n8n-install-package.sh "$work/user"
port="$(node -e 'const s = require("node:net").createServer();
	s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
say "starting n8n on 127.0.0.1:$port"
N8N_PORT="$port" bash scripts/n8n-run.sh "$work/user" start >"$work/n8n.log" 2>&1 &
n8n_pid=$! # n8n-run.sh execs n8n: this is n8n's own PID

# Ready when /healthz/readiness answers 200 (database migrated, server listening).
node - "http://127.0.0.1:$port/healthz/readiness" "$n8n_pid" <<'EOF' || { tail -n 40 "$work/n8n.log" >&2; exit 1; }
const [url, pid] = process.argv.slice(2);
const deadline = Date.now() + 180_000;
(async () => {
	for (;;) {
		try { process.kill(Number(pid), 0); } catch { throw new Error('n8n exited during start-up'); }
		const ok = await fetch(url).then((r) => r.status === 200, () => false);
		if (ok) return;
		if (Date.now() > deadline) throw new Error(`${url} not ready after 180 s`);
		await new Promise((r) => setTimeout(r, 500));
	}
})().catch((err) => { console.error(`browser.sh: ${err.message}`); process.exit(1); });
EOF
say "n8n ready, opening the editor"

# 4. The checks. Screenshots land in docs/screenshots only when asked for.
screenshot_dir="test-output/browser/screenshots"
[ "${UPDATE_SCREENSHOTS:-0}" = "1" ] && screenshot_dir="docs/screenshots"
# In the background so that the trap can stop it (and, through Playwright, Chromium).
N8N_URL="http://127.0.0.1:$port" CHROMIUM="$CHROMIUM" \
	ARTIFACT_DIR="test-output/browser" SCREENSHOT_DIR="$screenshot_dir" \
	node test/browser/editor.js &
test_pid=$!
status=0
wait "$test_pid" || status=$?
test_pid=""
if [ "$status" -ne 0 ]; then
	mkdir -p test-output/browser
	cp "$work/n8n.log" test-output/browser/n8n.log
	say "FAILED (screenshots of failing panels and the n8n log: test-output/browser/)"
	exit "$status"
fi
say "passed"
