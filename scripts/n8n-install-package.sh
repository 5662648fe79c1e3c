#!/usr/bin/env bash
# Install the packages of packages/ (all, or those named) into an n8n user folder the way n8n
# 2.41 installs a community package
# (n8n/dist/modules/community-packages/community-packages.service.js, downloadPackage):
#   1. `npm pack` the package (packages/<name>, after the build assembled its dist/);
#   2. extract the tarball into <user-folder>/.n8n/nodes/node_modules/<name>;
#   3. drop devDependencies, peerDependencies and optionalDependencies from its package.json
#      (so n8n-workflow is never installed there: n8n provides its own);
#   4. `npm install` inside that folder with scripts off, no lockfile, shallow strategy
#      (installs runtime dependencies, of which this package has none: no network needed);
#   5. record "<name>": "<version>" in <user-folder>/.n8n/nodes/package.json.
# n8n loads every n8n-nodes-* folder in .n8n/nodes/node_modules at start-up; node types are
# then named <package>.<node>, e.g. n8n-nodes-poke.poke, n8n-nodes-pokee.pokee. Restart n8n
# after installing.
# (n8n also records the package in its database for Settings > Community nodes; that is
# not needed for loading and is not done here.)
#
#   scripts/n8n-install-package.sh <user-folder> [<package name> ...]   (default: every package)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [ $# -lt 1 ]; then
	echo "usage: $0 <user-folder> [<package name> ...]" >&2
	exit 2
fi
mkdir -p "$1"
nodes_dir="$(cd "$1" && pwd)/.n8n/nodes"
shift
cd "$ROOT"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for manifest in packages/*/package.json; do names+=("$(basename "$(dirname "$manifest")")"); done
fi
for name in "${names[@]}"; do
	if [ ! -d "packages/$name/dist" ]; then
		echo "n8n-install-package.sh: packages/$name/dist missing, running npm run build" >&2
		npm run build
		break
	fi
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for name in "${names[@]}"; do
	src="$ROOT/packages/$name"
	version="$(node -p "require('$src/package.json').version")"
	pkg_dir="$nodes_dir/node_modules/$name"

	# 1. Pack (the tarball holds package.json, the "files" (dist/, CHANGELOG.md), README, LICENSE).
	tarball="$(cd "$src" && npm pack --pack-destination "$tmp" --loglevel=error | tail -n 1)"
	tarball="$tmp/$tarball"

	# 2. Fresh extraction (replaces an earlier install of this package).
	rm -rf "$pkg_dir"
	mkdir -p "$pkg_dir"
	tar -xzf "$tarball" -C "$pkg_dir" --strip-components=1

	# 3. + 5. Rewrite the package's package.json; add it to the folder's package.json.
	node - "$pkg_dir/package.json" "$nodes_dir/package.json" "$name" "$version" <<'EOF2'
const fs = require('node:fs');
const [pkgJsonPath, nodesJsonPath, name, version] = process.argv.slice(2);
const { devDependencies, peerDependencies, optionalDependencies, ...pkg } =
	JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8'));
fs.writeFileSync(pkgJsonPath, JSON.stringify(pkg, null, 2));
const nodes = fs.existsSync(nodesJsonPath)
	? JSON.parse(fs.readFileSync(nodesJsonPath, 'utf8'))
	: { name: 'installed-nodes', private: true, dependencies: {} };
nodes.dependencies = { ...nodes.dependencies, [name]: version };
fs.writeFileSync(nodesJsonPath, JSON.stringify(nodes, null, 2));
EOF2

	# 4. Runtime dependencies, with the flags n8n uses.
	(cd "$pkg_dir" && npm install --audit=false --fund=false --bin-links=false \
		--install-strategy=shallow --ignore-scripts=true --package-lock=false --loglevel=error >/dev/null)

	if [ -e "$nodes_dir/node_modules/n8n-workflow" ] || [ -e "$pkg_dir/node_modules/n8n-workflow" ]; then
		echo "n8n-install-package.sh: n8n-workflow must not be installed next to the package" >&2
		exit 1
	fi
	echo "n8n-install-package.sh: installed $name@$version into $pkg_dir" >&2
done
