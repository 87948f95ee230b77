#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster when it is installed but not answering.
# Tests fall back to embedded-postgres when DATABASE_URL is unset, so this is only a convenience.
set -uo pipefail
if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
exit 0
