#!/usr/bin/env bash
# Runs the peer comparison on a GPU machine from what scripts/gpu-pack.sh packed into .gpu/ (carry it):
# unpacks the Vulkan loader, points it at the NVIDIA driver, autotunes rootgrad's kernel variants, and
# writes compare.json / compare.md to $OUT (or bench/results/gpu elsewhere). With `overhead` first it runs
# bench/overhead.ts instead (overhead.json / overhead.md; no autotune: the tiny steps' kernels are chosen by
# size). Other arguments go to the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in .gpu/deb/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
ldconfig 2>/dev/null || true
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
node=/tmp/rootgrad-node
xz -dc .gpu/node.xz > "$node" && chmod +x "$node"
out="$(realpath -m "${OUT:-bench/results/gpu}")"
mkdir -p "$out"
cd .gpu
if [ "${1:-}" = overhead ]; then
  shift
  "$node" overhead.mjs --results "$out" "$@"
else
  "$node" compare.mjs --autotune --results "$out" "$@"
fi
