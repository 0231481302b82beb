#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download: machines run offline).
set -eu
bin="${OKNO_CHROMIUM:-/usr/bin/chromium}"
[ -x "$bin" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium for the browser tests…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  exit 0
fi
echo "The browser tests need Chromium at $bin: sudo apt-get install chromium" >&2
echo "(or set OKNO_CHROMIUM to another Chromium binary)" >&2
exit 1
