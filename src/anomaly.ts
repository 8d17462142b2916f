// Anomaly mode: after every op's forward and backward, a small GPU check for NaN/Inf in what it produced
// (check_finite.wgsl), and before an indexing op, a check of GPU-made indices against their bound
// (check_indices.wgsl). Results are read with the next readback, which then throws naming the first op
// that failed a check, with its shapes. Off by default, and then it costs one boolean test. multinomial
// uses the index check always: its kernel marks a row PyTorch would refuse with -1 draws.
import { rt, type Runtime } from './runtime.js';
import { defineKernel } from './kernel.js';
import { hooks, type Tensor } from './tensor.js';
import checkFiniteWgsl from '../shaders/check_finite.wgsl';
import checkIndicesWgsl from '../shaders/check_indices.wgsl';

const SLOTS = 4096;
const CHECK_FINITE = /* @__PURE__ */ defineKernel(checkFiniteWgsl, { n: 'u32', slot: 'u32' }, { X: 'read u32', FLAGS: 'read_write u32' });
const CHECK_INDICES = /* @__PURE__ */ defineKernel(checkIndicesWgsl, { n: 'u32', slot: 'u32', bound: 'u32' }, { IDX: 'read i32', FLAGS: 'read_write u32' });
const state = { enabled: false, labels: [] as string[], flags: null as GPUBuffer | null, runtime: null as Runtime | null };

/** Turns anomaly detection on or off (`rootgrad train --detect-anomaly`). */
export function detectAnomaly(on = true): void {
  state.enabled = on;
}

export function anomalyEnabled(): boolean {
  return state.enabled;
}

function flags(): GPUBuffer {
  const r = rt();
  if (!state.flags || state.runtime !== r) {
    state.flags = r.device.createBuffer({ size: SLOTS * 4, usage: 0x80 | 0x04 | 0x08, label: 'rootgrad.anomaly' });
    r.upload({ buffer: state.flags, bytes: SLOTS * 4 }, new Uint32Array(SLOTS));
    state.runtime = r;
    state.labels = [];
  }
  return state.flags;
}

/** A slot of the flags buffer for a check whose failure reads `message`; null when out of slots (checked at
 * the next readback; later ops wait for then). */
function slotFor(message: string): number | null {
  flags();
  if (state.labels.length >= SLOTS) return null;
  state.labels.push(message);
  return state.labels.length - 1;
}

/** Queues a finiteness check of t, labelled with the op and shapes (no-op when off or out of slots). */
export function checkFinite(t: Tensor, label: string): void {
  if (!state.enabled || t.ref || !t.size || t.dtype !== 'f32') return;
  const slot = slotFor(`${label} produced NaN or Inf`);
  if (slot === null) return;
  const r = rt();
  r.run(CHECK_FINITE, {}, { X: t.storage().view(t.size * 4), FLAGS: { buffer: state.flags!, bytes: SLOTS * 4 } }, { n: t.size, slot }, r.groups1d(t.size, 256));
}

/** Queues a check that every value of the i32 tensor t is in [0, bound) (the kernels clamp indices made on
 * the GPU, so a wrong one would otherwise go unnoticed); under anomaly mode, or `always` for an op whose
 * input cannot be validated on the host (multinomial of GPU-made probabilities). */
export function checkIndexRange(t: Tensor, bound: number, message: string, always = false): void {
  if (!(state.enabled || always) || t.ref || !t.size || t.dtype !== 'i32' || t.host) return; // host indices are checked at once
  const slot = slotFor(message);
  if (slot === null) return;
  const r = rt();
  r.run(CHECK_INDICES, {}, { IDX: t.storage().view(t.size * 4), FLAGS: { buffer: state.flags!, bytes: SLOTS * 4 } }, { n: t.size, slot, bound }, r.groups1d(t.size, 256));
}

/** Called after each readback: throws for the first flagged op, then starts over. */
export async function anomalyReport(): Promise<void> {
  // checks queued with `always` (multinomial's draws) are reported with anomaly mode off too
  if (!state.flags || !state.labels.length || state.runtime !== rt()) return;
  const r = rt();
  const n = state.labels.length;
  const bits = new Uint32Array(await r.read({ buffer: state.flags, bytes: n * 4 }));
  const labels = state.labels;
  state.labels = [];
  r.upload({ buffer: state.flags, bytes: n * 4 }, new Uint32Array(n));
  const first = bits.findIndex((b) => b !== 0);
  if (first >= 0) throw new Error(`anomaly: ${labels[first]} (the first of ${bits.filter((b) => b).length} flagged ops)`);
}
hooks.afterRead = anomalyReport; // reads report what anomaly mode found
