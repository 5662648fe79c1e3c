#!/usr/bin/env bash
# Install the repository's (dev) dependencies with Node 24.
# Runs only when node_modules is missing or package-lock.json changed since the last successful
# run (tracked by a stamp file inside node_modules, so deleting node_modules resets it).
# Scripts are ignored: eslint-plugin-n8n-nodes-base has a `preinstall: npx only-allow pnpm`
# and isolated-vm would try a native build; neither is needed here.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

stamp="node_modules/.setup-stamp"
if [ -f "$stamp" ] && [ ! "package-lock.json" -nt "$stamp" ]; then
	exit 0 # up to date
fi

echo "setup.sh: installing dependencies (node $(node -v), npm $(npm -v 2>/dev/null))" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! npm ci --ignore-scripts --no-audit --no-fund 2>"$log"; then
	if ! grep -q 'are in sync' "$log"; then
		cat "$log" >&2
		exit 1
	fi
	# npm ci refuses a lockfile that lacks entries for optional platform packages the registry
	# does not serve (here: the non-Linux @unrs/resolver-binding-* packages return 404).
	# `npm install --no-save` installs the same locked versions and leaves the lockfile alone.
	echo "setup.sh: npm ci rejected the lockfile ($(grep -c 'Missing:' "$log") 'Missing:' entries);" \
		"falling back to npm install --no-save" >&2
	npm install --no-save --ignore-scripts --no-audit --no-fund
fi
touch "$stamp"
