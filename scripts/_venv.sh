# Shared by scripts/run-example and scripts/test: create .venv and install the repo into it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.hookpoint-installed
if [ ! -f "$STAMP" ] || [ "$1" = "dev" -a ! -f "$STAMP.dev" ] \
   || [ -n "$(find requirements*.txt core/pyproject.toml providers/*/pyproject.toml -newer "$STAMP" 2>/dev/null)" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ "$1" = "dev" ]; then
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
    touch "$STAMP.dev"
  else
    .venv/bin/python -m pip install --quiet -r requirements.txt
  fi
  touch "$STAMP"
fi
