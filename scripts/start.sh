#!/usr/bin/env bash
# `npm start`: works from a fresh clone. Installs missing system packages (Debian, as root) and npm
# dependencies, then runs scripts/start.mjs (build, demo workspace, VS Code with the extension).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
if [ ! -d node_modules ]; then
	echo "[start] installing npm dependencies"
	if [ -f package-lock.json ]; then npm ci || npm install; else npm install; fi
fi
exec node scripts/start.mjs "$@"
