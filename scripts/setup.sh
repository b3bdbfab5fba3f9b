#!/usr/bin/env bash
# Create .venv with everything the workflow and its tests need (pip only, no conda).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: sgdml depends on it, and an unpinned one is a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet torch==2.13.0
.venv/bin/python -m pip install --quiet -r requirements.txt
# PLUMED for metadynamics: the hillclimber wheel bundles the plumed module with
# libplumedKernel.so (the 'plumed' PyPI package is only a wrapper without a kernel).
.venv/bin/python -m pip install --quiet --no-deps hillclimber==0.1.8
.venv/bin/python -m pip install --quiet --no-deps -e .
echo "environment ready: source .venv/bin/activate"
