#!/usr/bin/env bash
# Test-only JavaScript for the browser tests: axe-core (accessibility checks), at the version and
# integrity hash pinned in tests/browser/axe/package-lock.json, into the gitignored node_modules there.
# Run by `make test`; the browser tests' conftest runs it too when the file is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/browser/axe"
wanted=$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' package.json)
if [[ -f node_modules/axe-core/axe.min.js ]] && grep -q "\"version\": \"$wanted\"" node_modules/axe-core/package.json; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "需要 npm 来安装 axe-core (npm is needed for the accessibility tests): apt-get install npm" >&2
  exit 1
fi
echo "→ npm ci: axe-core $wanted (tests/browser/axe)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
