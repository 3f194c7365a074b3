#!/usr/bin/env bash
# Regenerate every image in docs/ that the README shows, in one command: the maps (docs/maps.sh),
# the first two report pages (docs/report-pages.sh) and the workshop editor screenshot
# (docs/serve-screenshot.sh). Needs the real data in ../shared/data, chromium and poppler-utils.
# Run from anywhere: bash docs/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")"
bash maps.sh
bash report-pages.sh
bash serve-screenshot.sh
