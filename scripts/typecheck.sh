#!/usr/bin/env bash
# mypy over the services, selectors and permissions modules of every app (a new app is picked up by the
# globs). Settings in pyproject.toml ([tool.mypy]); the cache in var/mypy makes a second run take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(src/tongban/*/services.py src/tongban/*/services/*.py src/tongban/*/selectors.py src/tongban/*/permissions.py)
exec .venv/bin/mypy "$@" "${files[@]}"
