#!/usr/bin/env bash
# Regenerate docs/serve-editor.png: the workshop editor (`footprints serve`) on Oxfordshire option 1
# after two Oxford LSOAs were painted from "Oxford Central" into "East Central Oxford" with the
# page's own controls (the changed scores and footprints are highlighted). Needs the real data in
# ../shared/data and chromium. Run from the repository root:
#   bash docs/serve-screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
cargo build --release -q
fp="$PWD/target/release/footprints"
sc="$PWD/tests/scenarios/oxfordshire.toml"
"$fp" build -s "$sc" --out "$tmp/oxon" >/dev/null
"$fp" serve -s "$sc" -f "$tmp/oxon/option-1" --out "$tmp/saved" --port 0 >"$tmp/url.txt" &
pid=$!
trap 'kill -INT $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -q http "$tmp/url.txt" 2>/dev/null && break; sleep 0.2; done
url="$(grep -o 'http://[^ ]*' "$tmp/url.txt")"
# Steps of the page's scripted mode (assets/serve/app.js › runScript), percent-encoded.
script='[{"target_of":"E01028582"},{"mode":"paint"},{"drag":["E01028521","E01028522"]},{"zoom":["E01028521",12]},{"hover":"E01028521"}]'
enc="$(printf '%s' "$script" | od -An -tx1 -v | tr -d ' \n' | sed 's/\(..\)/%\1/g')"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --window-size=1500,950 \
  --virtual-time-budget=15000 --screenshot=docs/serve-editor.png "${url}?script=${enc}" 2>/dev/null
echo "wrote docs/serve-editor.png"
