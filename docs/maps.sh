#!/usr/bin/env bash
# Regenerate the maps shown in the README:
#   docs/oxfordshire-option-1-imd.png   Oxfordshire option 1 on A4, deprivation, with the Oxford inset
#   docs/staffordshire-option-1-pcn.png Staffordshire and Stoke-on-Trent option 1, PCN theme and
#                                       PCN catchment outlines (--pcn-outlines)
#   docs/oxfordshire-sites.png          Oxfordshire option 1 with the sites of a `site` run (--sites)
#   docs/demo-option-1-imd.png          the synthetic demo
# Needs the real data in ../shared/data. Run from anywhere: bash docs/maps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q
fp="$PWD/target/release/footprints"
ox="$PWD/tests/scenarios/oxfordshire.toml"
st="$PWD/tests/scenarios/staffordshire.toml"
demo="$PWD/data/demo/scenario.toml"
"$fp" build -s "$ox" -o "$tmp/oxon" --options 1 >/dev/null
"$fp" build -s "$st" -o "$tmp/staffs" --options 1 >/dev/null
"$fp" build -s "$demo" -o "$tmp/demo" --options 1 >/dev/null
"$fp" map -s "$ox" -f "$tmp/oxon/option-1" --boundary 2UA -o docs/oxfordshire-option-1-imd.png
"$fp" map -s "$st" -f "$tmp/staffs/option-1" --theme pcn --pcn-outlines -o docs/staffordshire-option-1-pcn.png
"$fp" map -s "$demo" -f "$tmp/demo/option-1" --dpi 110 -o docs/demo-option-1-imd.png
# Sites: one hub per footprint chosen among the practices, then again with a new candidate site
# 1.5 km east and 1.2 km south of each first choice (an illustration: the run keeps most practices
# and opens two new sites).
"$fp" site -s "$ox" -f "$tmp/oxon/option-1" -o "$tmp/hubs" >/dev/null
awk -F, 'NR == 1 { print "code,name,easting,northing"; next }
         { print $1 "," $2 "," $8 "," $9; printf "N%02d,New centre %d,%d,%d\n", NR - 1, NR - 1, $8 + 1500, $9 - 1200 }' \
  "$tmp/hubs/sites.csv" > "$tmp/candidates.csv"
"$fp" site -s "$ox" -f "$tmp/oxon/option-1" --candidates "$tmp/candidates.csv" -o "$tmp/sites" >/dev/null
"$fp" map -s "$ox" -f "$tmp/oxon/option-1" --sites "$tmp/sites" --title "Oxfordshire — option-1 footprints and sites" \
  -o docs/oxfordshire-sites.png
echo "wrote docs/oxfordshire-option-1-imd.png, docs/staffordshire-option-1-pcn.png, docs/oxfordshire-sites.png, docs/demo-option-1-imd.png"
