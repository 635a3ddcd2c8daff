#!/usr/bin/env bash
# The whole suite: lint and the import layers, then pytest on SQLite and — where reachable — on PostgreSQL.
# TONGBAN_TEST_POSTGRES_URL chooses the PostgreSQL server (default: the local one, user postgres).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${TONGBAN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/tongban}
WORKERS=${TONGBAN_TEST_WORKERS:-2}
status=0

echo "== ruff =="
$BIN/ruff check . && $BIN/ruff format --check . || status=1

echo "== import-linter (the layers of the app graph, pyproject.toml) =="
$BIN/lint-imports || status=1

echo "== mypy (services, selectors and permissions of every app; tool.mypy in pyproject.toml) =="
scripts/typecheck.sh || status=1

echo "== pytest on SQLite =="
env -u DATABASE_URL $BIN/pytest -q -n "$WORKERS" --dist loadgroup "$@"
rc=$?; [[ $rc -ne 0 ]] && status=1

if $BIN/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
PY
then
  echo "== pytest on PostgreSQL ($PG_URL) =="
  DATABASE_URL="$PG_URL" $BIN/pytest -q -n "$WORKERS" --dist loadgroup "$@"
  rc=$?; [[ $rc -ne 0 ]] && status=1
else
  echo "== PostgreSQL not reachable at $PG_URL: skipped =="
fi
exit $status
