#!/usr/bin/env bash
# Smoke test of the training pipeline (tiny synthetic data): run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m unittest training.test_pipeline -v
