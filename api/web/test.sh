#!/usr/bin/env bash
# The web page's browser tests: builds lpx once, installs the pinned npm
# packages (playwright-core, ethers) if node_modules is missing or older
# than package-lock.json, then runs api/web/tests/*.test.mjs with node's
# test runner against real `lpx serve` processes (one per test file) and
# Debian's Chromium (/usr/bin/chromium, or LPX_CHROMIUM). Screenshots go
# to api/web/screenshots/ (ignored by git). Exit code: the tests'.
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- building lpx"
go build -o "$tmp/lpx" ./cmd/lpx

if [ ! -d api/web/node_modules/playwright-core ] || [ ! -d api/web/node_modules/ethers ] || [ ! -d api/web/node_modules/axe-core ] ||
   [ api/web/package-lock.json -nt api/web/node_modules/.package-lock.json ]; then
  echo "-- npm ci in api/web"
  (cd api/web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

echo "-- browser tests"
LPX_BIN="$tmp/lpx" node --test --test-concurrency=1 --test-timeout=180000 api/web/tests/
