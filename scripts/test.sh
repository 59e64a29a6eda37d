#!/usr/bin/env bash
# The one test command (README "Test"): system packages, npm install, lint, typecheck, unit tests, the training
# smoke run and the browser tests. Idempotent; run as root on a fresh Debian machine (or with sudo available).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export NEXT_TELEMETRY_DISABLED=1
export DEBIAN_FRONTEND=noninteractive

# Every system package a step needs; training/test_imports.py fails when a training module imports a third-party
# Python module that none of these provides (python3-opencv: cv2 in training/sky_data.py).
APT_PACKAGES=(chromium python3-torch python3-pil python3-numpy python3-opencv libopenblas0-pthread)
STEPS_PASSED=()
STARTED_AT=$SECONDS
CURRENT_STEP=''

summary() {
  local status=$?
  echo
  for step in "${STEPS_PASSED[@]}"; do echo "  ✓ $step"; done
  if [ "$status" -ne 0 ] && [ -n "$CURRENT_STEP" ]; then echo "  ✗ $CURRENT_STEP (exit $status)"; fi
  local failed=$((status == 0 ? 0 : 1))
  echo "${#STEPS_PASSED[@]} passed, $failed failed ($((SECONDS - STARTED_AT)) s)"
}
trap summary EXIT

step() {
  CURRENT_STEP="$1"
  shift
  echo
  echo "━━ $CURRENT_STEP"
  local t0=$SECONDS
  "$@"
  STEPS_PASSED+=("$CURRENT_STEP ($((SECONDS - t0)) s)")
  CURRENT_STEP=''
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

system_packages() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  # Next.js 16 needs Node ≥ 20.9 (Debian 13 ships Node 20).
  if ! command -v node >/dev/null || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
    missing+=(nodejs npm)
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "all present: ${APT_PACKAGES[*]}, node $(node -v)"
    return
  fi
  echo "installing: ${missing[*]}"
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends "${missing[@]}"
  node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || {
    echo "Node.js >= 20 is required, found $(node -v)" >&2
    return 1
  }
}

npm_install() {
  # `npm ci` wipes node_modules; skip it when node_modules was installed from this exact lockfile.
  local stamp=node_modules/.latentscape-lock.sha256
  local lock_hash
  lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] && [ "${LATENTSCAPE_FORCE_NPM_CI:-0}" != 1 ]; then
    echo "node_modules matches package-lock.json; skipping npm ci (LATENTSCAPE_FORCE_NPM_CI=1 forces it)"
    return
  fi
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$stamp"
}

training_smoke() {
  if [ -f training/smoke.sh ]; then bash training/smoke.sh; else echo "training/smoke.sh not present; skipped"; fi
}

step 'system packages' system_packages
step 'npm ci' npm_install
step 'lint' npm run lint
step 'typecheck' npm run typecheck
step 'unit tests' npm run test:unit
step 'training smoke' training_smoke
step 'browser tests' npm run test:e2e
