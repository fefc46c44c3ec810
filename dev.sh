#!/usr/bin/env bash
# The project's two everyday commands (see README.md):
#   ./dev.sh docs [--profile quick|full]   set up .venv if needed, then build the site into site/
#   ./dev.sh test [pytest args]            set up .venv if needed, then lint and run the tests
#                                          (-m browser: the built site in headless Chromium)
#   ./dev.sh setup                         only set up .venv
# PYTHON (default python3) picks the interpreter; VENV (default .venv) the environment.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" || {
      echo "could not create $VENV: on Debian/Ubuntu run 'apt-get install python3-venv'" >&2
      exit 1
    }
  fi
  # Reinstall only when the project's metadata changed since the last install.
  local stamp="$VENV/.convlab-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
    touch "$stamp"
  fi
  if [ ! -d /usr/share/datasets/fashion-mnist ]; then
    echo "note: Fashion-MNIST has no local copy; Debian's package dataset-fashion-mnist" \
         "provides one (otherwise keras.datasets downloads it)" >&2
  fi
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  setup) setup ;;
  docs) setup; "$VENV/bin/convlab" build "$@" ;;
  test) setup; "$VENV/bin/ruff" check .; "$VENV/bin/actionlint" .github/workflows/*.yml
        "$VENV/bin/python" -m pytest "$@" ;;
  *) echo "usage: ./dev.sh docs [--profile quick|full] | test [pytest args] | setup" >&2; exit 2 ;;
esac
