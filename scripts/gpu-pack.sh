#!/usr/bin/env bash
# Packs what `npm run bench:compare` and `npm run bench:overhead` need on a GPU machine lent through the device tool, whose image has
# no Node and which reaches no registry: .gpu/ (ignored by git) with a compressed Node, the webgpu package
# (linux-x64 Dawn only), jax-js, the comparison bundled with TensorFlow.js, and the Vulkan loader packages.
# Then, with the device tool: run with carry [".gpu"] and the command `bash scripts/gpu-run.sh` (the peer
# comparison) or `bash scripts/gpu-run.sh overhead` (host cost and compiled against eager steps).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu
mkdir -p .gpu/node_modules/webgpu/dist .gpu/node_modules/@jax-js .gpu/deb
xz -T0 -6 -c "$(command -v node)" > .gpu/node.xz
cp node_modules/webgpu/package.json node_modules/webgpu/index.js .gpu/node_modules/webgpu/
cp -r node_modules/webgpu/dist/linux-x64 .gpu/node_modules/webgpu/dist/
cp -r node_modules/@jax-js/jax .gpu/node_modules/@jax-js/
node -e "
  Promise.all([import('esbuild'), import('./scripts/shader-registry.mjs')]).then(([{ build }, { wgslOptions }]) => build({
    entryPoints: { compare: 'bench/compare.ts', overhead: 'bench/overhead.ts' }, outdir: '.gpu', outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node',
    target: 'es2022', ...wgslOptions, external: ['webgpu', '@jax-js/*'], logLevel: 'warning',
    banner: { js: \"import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);\" },
  }));"
# Vulkan loader for Dawn (the image has the NVIDIA driver but maybe no loader): amd64 packages, unpacked there.
if command -v apt-get >/dev/null; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq && (cd .gpu/deb && apt-get $o download -qq libvulkan1) || echo "gpu-pack: could not download libvulkan1; the run relies on the image's loader"
fi
du -sh .gpu
