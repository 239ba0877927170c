#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine: PostgreSQL 15 with pgTAP and pg_prove, and
# Chromium (the web client's browser tests) from Debian, Node from Debian if the machine lacks it, the Python
# packages of the hashed locks (requirements/*.lock.txt) into .venv and .venv-sam, and the web client's npm
# packages from its lock file (web/package-lock.json, `npm ci`).
# Idempotent: already-present pieces are skipped. Run by `make dev` / `make test` (through the Makefile stamp).
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl chromium)
command -v node >/dev/null && command -v npm >/dev/null || debs+=(nodejs npm)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: Debian packages missing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian's package creates and starts a default cluster on 5432; the project runs its own clusters.
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 *main'; then
    $sudo_cmd pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
fi

PY=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  echo "install: creating .venv with $PY"
  "$PY" -m venv .venv
fi
# Every package, transitive ones included, comes from the hashed lock (`make lock` regenerates it with uv).
.venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements/dev.lock.txt
# The code root (functions/) and the repository root are importable in the venv, like an editable install,
# so `.venv/bin/python -m bench.bookings` and friends work from anywhere.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$PWD/functions" "$PWD" > "$site/skillswap.pth"
# AWS SAM CLI in its own tool venv: it pins boto3/pydantic ranges of its own that must not move the project's.
# Locked with hashes like the rest (requirements/sam.in -> requirements/sam.lock.txt).
if [ ! -x .venv-sam/bin/sam ] || ! cmp -s requirements/sam.lock.txt .venv-sam/installed.lock.txt; then
  echo "install: AWS SAM CLI into .venv-sam (requirements/sam.lock.txt)"
  "$PY" -m venv .venv-sam
  .venv-sam/bin/python -m pip install -q --require-hashes --no-deps -r requirements/sam.lock.txt
  cp requirements/sam.lock.txt .venv-sam/installed.lock.txt
fi
# The web client's packages, exactly as locked (again whenever the lock changes).
if [ ! -d web/node_modules ] || ! cmp -s web/package-lock.json web/node_modules/.installed-lock.json; then
  echo "install: npm packages of the web client (web/package-lock.json)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  cp web/package-lock.json web/node_modules/.installed-lock.json
fi
echo "install: done"
