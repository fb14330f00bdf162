#!/bin/sh
# The GPU check (README "Measured"): on a machine with one NVIDIA GPU, from the repo root
# after `make install` (or inside the guard:cuda image), in a few minutes:
#   generator tokens/s for float32, float16, bfloat16 and int8; embedding batches on the
#   GPU beside the CPU; GPU memory (allocated vs reserved) before, during and after release.
# Writes gpu-check.json (or the path given as $1) and prints it.
set -eu
out="${1:-gpu-check.json}"
export HF_HUB_OFFLINE=1
guard=$(command -v guard || echo .venv/bin/guard)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
timeout 480 "$guard" bench gpu --device cuda --json > "$out"
cat "$out"
