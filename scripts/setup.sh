#!/usr/bin/env bash
# Prepare this machine for ventanilla: a virtualenv with the project, and the servers it
# talks to. Usage: scripts/setup.sh [redis] [postgres] [dovecot] [orfeo] [browser]
# Each server is used as it is when it answers, started when installed, installed from
# Debian's packages when missing. Nothing is done twice: running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""

say() { echo "setup: $*" >&2; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "cannot install $* (no apt-get): install it by hand"; exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    $SUDO apt-get update -qq >/dev/null; APT_UPDATED=1
  fi
  say "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

ensure_venv() {
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' || {
    say "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))"; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; "$PYTHON" -m venv "$VENV"; }
  fi
  # Reinstall only when the dependency list changed since the last install.
  local stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    say "installing Python dependencies (the first time takes a few minutes; full log in var/setup-pip.log)"
    mkdir -p var
    # The build backend is chatty: the whole output goes to the log, and one line per
    # package to the terminal, so a first run is never minutes of silence.
    : >var/setup-pip.log
    { "$VENV/bin/pip" install --disable-pip-version-check -U pip &&
      "$VENV/bin/pip" install --disable-pip-version-check -e '.[test]'; } >var/setup-pip.log 2>&1 &
    local pip_pid=$!
    tail -n +1 -f --pid="$pip_pid" var/setup-pip.log |
      grep --line-buffered -E '^(Collecting|Successfully installed)' | sed -u 's/^/setup:   /' >&2 || true
    if ! wait "$pip_pid"; then
      cat var/setup-pip.log >&2; say "pip install failed (log above, also in var/setup-pip.log)"; exit 1
    fi
    rm -f "$VENV"/.installed-*; touch "$stamp"
  fi
}

ensure_redis() {
  if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    return
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis on 127.0.0.1:6379"
  mkdir -p var/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
  say "Redis did not start: see var/redis/redis.log"; exit 1
}

ensure_postgres() {
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    return
  fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
  local conf="/etc/postgresql/$version/main"
  # Tests connect as postgres over loopback without a password, as on the CI machines.
  if ! grep -q "ventanilla-tests" "$conf/pg_hba.conf"; then
    say "allowing loopback trust authentication for tests in $conf/pg_hba.conf"
    { echo "# ventanilla-tests: loopback trust for the test suite";
      echo "host all all 127.0.0.1/32 trust"; echo "host all all ::1/128 trust";
      cat "$conf/pg_hba.conf"; } > /tmp/pg_hba.$$ && $SUDO cp /tmp/pg_hba.$$ "$conf/pg_hba.conf"
  fi
  say "starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main reload
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { say "PostgreSQL did not start"; exit 1; }
}

ensure_dovecot() {
  command -v dovecot >/dev/null || apt_install dovecot-imapd
}

# The Orfeo double of the tests (tests/orfeo): Orfeo's own stack, PHP with Debian's nusoap.
ensure_orfeo() {
  local missing=()
  command -v php >/dev/null || missing+=(php-cli)
  [ -f /usr/share/php/nusoap/nusoap.php ] || missing+=(libnusoap-php)
  if command -v php >/dev/null; then
    php -m | grep -qx xml || missing+=(php-xml)
    php -m | grep -qx pdo_sqlite || missing+=(php-sqlite3)
  else
    missing+=(php-xml php-sqlite3)
  fi
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The browser tests: Debian's Chromium (Playwright drives it; it never downloads a
# browser of its own) and axe-core, the accessibility checker injected into the pages.
AXE=var/node/node_modules/axe-core/axe.min.js
ensure_browser() {
  command -v chromium >/dev/null || apt_install chromium
  if [ ! -f "$AXE" ]; then
    command -v npm >/dev/null || apt_install npm
    say "installing axe-core into var/node"
    mkdir -p var/node
    npm install --silent --no-audit --no-fund --prefix var/node axe-core >/dev/null
  fi
}

ensure_venv
for service in "$@"; do
  "ensure_$service"
done
