#!/usr/bin/env bash
# The one start command (README "Run"): install, build, and serve Latentscape on http://localhost:3000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

npm ci --no-audit --no-fund
sha256sum package-lock.json | cut -d' ' -f1 >node_modules/.latentscape-lock.sha256
npx next build
echo "Latentscape: http://localhost:3000"
exec npx next start -p 3000
