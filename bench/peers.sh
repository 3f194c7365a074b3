#!/usr/bin/env bash
# Installs the Python peers into a throwaway venv and runs bench/peers.py (not part of the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
VENV="${PEERS_VENV:-/tmp/footprints-peers-venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q spopt gerrychain
"$VENV/bin/python" bench/peers.py
