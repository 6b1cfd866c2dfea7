#!/usr/bin/env bash
# Regenerates media/icon.png (the 128x128 Marketplace icon) from media/ledger.svg: the ledger in white
# on the galleryBanner blue, its version arrow in amber, rendered by headless chromium (a Debian
# package the host tests already need). The PNG is committed; run this only after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The SVG's paths (monochrome, currentColor); the last one, the arrow, gets the accent colour.
paths=$(grep -o '<path [^>]*/>' media/ledger.svg | sed '$ s#/>$# stroke="\#ffd166"/>#')
cat >"$work/icon.html" <<HTML
<!doctype html><html><head><style>
html,body{margin:0;width:128px;height:128px;background:transparent;overflow:hidden}
.tile{width:128px;height:128px;border-radius:22px;background:linear-gradient(135deg,#2b5b8a,#1b3552);display:flex;align-items:center;justify-content:center}
svg{width:96px;height:96px;color:#fff}
</style></head><body><div class="tile">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">$paths</svg>
</div></body></html>
HTML
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
	--window-size=128,128 --screenshot="$work/icon.png" "file://$work/icon.html" >/dev/null 2>&1
cp "$work/icon.png" media/icon.png
file media/icon.png 2>/dev/null || echo "wrote media/icon.png"
