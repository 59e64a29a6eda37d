#!/usr/bin/env bash
# Smoke test of the training pipeline (tiny synthetic data): run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# Seconds, and first: a training import that scripts/test.sh installs no package for fails here, not on a fresh machine.
/usr/bin/python3 -m unittest training.test_imports -v
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m unittest training.test_pipeline -v
