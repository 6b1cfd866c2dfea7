#!/usr/bin/env bash
# `npm start`: works from a fresh clone. Installs missing system packages (Debian, as root), a
# Node >= 22.14 when the one on PATH is older (scripts/use-node.sh) and the npm dependencies, then
# runs scripts/start.mjs (build, demo workspace, VS Code with the extension) on that Node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
# shellcheck source=scripts/use-node.sh
source scripts/use-node.sh
use_node
if [ ! -d node_modules ]; then
	echo "[start] installing npm dependencies"
	if [ -f package-lock.json ]; then npm ci || npm install; else npm install; fi
fi
exec node scripts/start.mjs "$@"
