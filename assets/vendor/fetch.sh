#!/usr/bin/env bash
# Re-fetch the vendored JavaScript library of the workshop editor (`footprints serve`) from the npm
# registry at its pinned version, check the tarball against the registry's integrity hash, and copy
# the files the editor serves. The files are committed, so neither building nor running needs npm
# or a network; this script is only for checking or upgrading them.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.9.4
INTEGRITY='sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=='
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "leaflet@${VERSION}" >/dev/null 2>&1)
got="sha512-$(openssl dgst -sha512 -binary "$tmp/leaflet-${VERSION}.tgz" | base64 -w0)"
[ "$got" = "$INTEGRITY" ] || { echo "leaflet-${VERSION}.tgz: integrity $got, expected $INTEGRITY" >&2; exit 1; }
tar xzf "$tmp/leaflet-${VERSION}.tgz" -C "$tmp"
mkdir -p "leaflet-${VERSION}"
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" "leaflet-${VERSION}/"
sha256sum "leaflet-${VERSION}"/*
