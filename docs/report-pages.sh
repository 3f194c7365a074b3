#!/usr/bin/env bash
# Regenerate docs/report-page-1.png and docs/report-page-2.png: the cover and first option page of
# the Oxfordshire report as printed to PDF (A4 landscape) by headless Chromium.
# Needs the real data in ../shared/data, chromium and poppler-utils. Run from the repository root:
#   bash docs/report-pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q
fp="$PWD/target/release/footprints"
sc="$PWD/tests/scenarios/oxfordshire.toml"
# Run in the temporary folder so the cover lists the sets as oxon/option-1, not a temporary path.
(
  cd "$tmp"
  "$fp" build -s "$sc" --out oxon >/dev/null
  "$fp" report -s "$sc" --date 2026-04-01 -o report.html oxon/option-1 oxon/option-2 oxon/district-baseline
)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --no-pdf-header-footer \
  --print-to-pdf="$tmp/report.pdf" "file://$tmp/report.html" 2>/dev/null
pdftoppm -f 1 -l 2 -r 110 -png "$tmp/report.pdf" "$tmp/page"
cp "$tmp/page-1.png" docs/report-page-1.png 2>/dev/null || cp "$tmp/page-01.png" docs/report-page-1.png
cp "$tmp/page-2.png" docs/report-page-2.png 2>/dev/null || cp "$tmp/page-02.png" docs/report-page-2.png
echo "wrote docs/report-page-1.png and docs/report-page-2.png"
