#!/usr/bin/env bash
# ReCom CPU time per proposal on Oxfordshire, as bench/peers.py measures it but in CPU seconds (user +
# system, one rayon thread) so that other jobs on a shared machine do not inflate it:
# (best of 3 with 2,000 proposals per SNP − best of 3 with none) / proposals. Usage: bench/recom_step.sh [BIN...]
set -euo pipefail
cd "$(dirname "$0")/.."
SCEN=tests/scenarios/oxfordshire.toml
OUT=$(mktemp -d)
cpu() { # BIN STEPS → best CPU seconds of 3
  local best=999999
  for _ in 1 2 3; do
    local t
    t=$( { RAYON_NUM_THREADS=1 /usr/bin/time -f "%U %S" "$1" build -s "$SCEN" -o "$OUT/b$2" --mnp-layer 2UA --options 1 --steps "$2" >/dev/null 2>"$OUT/err"; } ; tail -1 "$OUT/err" | awk '{print $1 + $2}')
    best=$(python3 -c "print(min($best, $t))")
  done
  echo "$best"
}
for BIN in "${@:-target/release/footprints}"; do
  long=$(cpu "$BIN" 2000); zero=$(cpu "$BIN" 0)
  props=$(python3 -c "import json; print(json.load(open('$OUT/b2000/option-1/run.json'))['recom_proposals'])")
  python3 -c "print(f'$BIN: {($long - $zero) / $props * 1e6:.2f} µs CPU per proposal ({$props} proposals, {$long:.2f} s vs {$zero:.2f} s)')"
done
rm -rf "$OUT"
