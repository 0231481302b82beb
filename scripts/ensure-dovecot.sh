#!/usr/bin/env bash
# The mail tests run a private Dovecot (Debian's dovecot-imapd) on loopback ports.
set -eu
command -v dovecot >/dev/null 2>&1 && exit 0
[ -x /usr/sbin/dovecot ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian dovecot-imapd for the mail tests…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null; }
  exit 0
fi
echo "The mail tests need Dovecot: sudo apt-get install dovecot-imapd" >&2
exit 1
