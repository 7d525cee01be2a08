#!/bin/sh
# Copies the web page's vendored browser files from npm (versions pinned in
# package.json and package-lock.json) into static/vendor/, which is
# committed, so that serving the page needs no Node.js. Idempotent: a run
# on a clean tree changes nothing.
set -eu
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/ethers/dist/ethers.min.js static/vendor/ethers.min.js
cp node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.mjs static/vendor/lightweight-charts.standalone.production.mjs
