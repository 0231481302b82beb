#!/usr/bin/env bash
# Print the path of a working Python 3.13 (or 3.12), or explain what to install.
# pyenv's shims can exist yet refuse to run (global version differs), so every
# candidate is actually started before it is chosen.
set -u
works() { "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] in ((3, 13), (3, 12)) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${OKNO_PYTHON:-}" ] && candidates+=("$OKNO_PYTHON")
for v in 3.13 3.12; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for p in "$root"/versions/"$v"*/bin/"python$v"; do [ -x "$p" ] && candidates+=("$p"); done
  for p in /usr/bin/python$v /usr/local/bin/python$v; do [ -x "$p" ] && candidates+=("$p"); done
done
for c in "${candidates[@]}"; do
  if works "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
Okno needs Python 3.13 (or 3.12) with venv, and none was found that runs.
Install one of:
  Debian 13 / Ubuntu 24.10+:  sudo apt-get install python3.13 python3.13-venv
  Ubuntu 24.04:               sudo apt-get install python3.12 python3.12-venv
  any system with pyenv:      pyenv install 3.13
or point OKNO_PYTHON at an interpreter:  make run OKNO_PYTHON=/path/to/python3.13
MSG
exit 1
