#!/usr/bin/env bash
# Rebuilds everything generated from the Solidity sources: contracts/build/*.abi and *.bin
# (solc and OpenZeppelin pinned exactly in package-lock.json, settings in compile.js) and the
# Go bindings in tokens/bindings (abigen pinned as a Go tool in go.mod). The outputs are
# committed, so building and testing the Go code never needs this script or npm; CI runs it
# and fails if anything changes. Needs node, npm and go; npm needs the registry or its cache.
# Run it from anywhere: contracts/build.sh
set -euo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# npm ci installs exactly what package-lock.json pins (integrity-checked), from the local
# cache when it can.
if ! npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  echo "contracts/build.sh: npm ci failed; is the npm registry (or a warm npm cache) reachable?" >&2
  exit 1
fi

rm -rf build
node compile.js

cd ..
go generate ./tokens/bindings/
echo "contracts/build.sh: regenerated contracts/build and tokens/bindings"
