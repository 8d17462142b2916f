// Signal ops: DFT and STFT (opset 17) as products with cosine and sine tables made on the host: for a
// transform of length N along the last axis, Y = X·(C - iS) (inverse: X·(C + iS) / N) with
// C[j][k] = cos(2πjk/N), S[j][k] = sin(2πjk/N). Each is two matmuls per part, differentiable like any
// matmul; O(N^2) work per row, which suits the frame lengths of spectrograms, not long signals.
// MelWeightMatrix is a constant computed on the host.
import { add, affine, indexSelect, matmul, mul, pad, reshape, slice, stack, tensor, transpose, cast, type Tensor } from '../../core.js';
import { HostVal, dtypeOf, typeName } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, fail } from './util.js';
import type { OnnxNode } from '../types.js';

const asF32 = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));

/** The DFT of length N along the last axis of (re, im), im null for a real signal; the signal is cut or
 * zero-padded to N; onesided keeps the first floor(N / 2) + 1 bins. */
function dftLast(re: Tensor, im: Tensor | null, N: number, inverse: boolean, onesided: boolean): [Tensor, Tensor] {
  const r = re.ndim;
  const n = re.shape[r - 1];
  const fit = (t: Tensor) => (n > N ? slice(t, r - 1, 0, N) : n < N ? pad(t, [0, N - n]) : t);
  const K = onesided ? Math.floor(N / 2) + 1 : N;
  const C = new Float32Array(N * K);
  const S = new Float32Array(N * K);
  for (let j = 0; j < N; j++) {
    for (let k = 0; k < K; k++) {
      const theta = (2 * Math.PI * ((j * k) % N)) / N;
      C[j * K + k] = Math.cos(theta);
      S[j * K + k] = Math.sin(theta);
    }
  }
  const cos = tensor(C, [N, K]);
  const sin = tensor(S, [N, K]);
  const rows = re.shape.slice(0, r - 1);
  const flat = (t: Tensor) => reshape(fit(t), [rows.reduce((p, d) => p * d, 1), N]);
  const xr = flat(re);
  const xi = im && flat(im);
  const sign = inverse ? -1 : 1;
  // forward: Yr = Xr C + Xi S, Yi = Xi C - Xr S; inverse: the sine terms change sign, then / N
  let yr = matmul(xr, cos);
  let yi = affine(matmul(xr, sin), -sign);
  if (xi) {
    yr = add(yr, affine(matmul(xi, sin), sign));
    yi = add(yi, matmul(xi, cos));
  }
  const scale = inverse ? 1 / N : 1;
  return [reshape(affine(yr, scale), [...rows, K]), reshape(affine(yi, scale), [...rows, K])];
}

/** A signal [..., 1 | 2] split into its real and imaginary parts [...] (imaginary null when real). */
function parts(n: OnnxNode, t: Tensor, what: string): [Tensor, Tensor | null] {
  const r = t.ndim;
  const c = t.shape[r - 1];
  if (r < 2 || (c !== 1 && c !== 2)) fail(n, `${what} must be [..., 1] (real) or [..., 2] (complex), got [${t.shape.join(', ')}]`);
  const lead = t.shape.slice(0, r - 1);
  const re = reshape(slice(t, r - 1, 0, 1), lead);
  return [re, c === 2 ? reshape(slice(t, r - 1, 1, 2), lead) : null];
}

def('DFT', {
  17: {
    host: [1],
    run: (c, [x, len], n) => {
      const t = asF32(c.t(x, 'input'));
      const [re, im] = parts(n, t, 'input');
      const axis = axisOf(n, attr(n, 'axis', 1), t.ndim - 1);
      const inverse = attr(n, 'inverse', 0) === 1;
      const onesided = attr(n, 'onesided', 0) === 1;
      if (onesided && (inverse || im)) fail(n, 'onesided=1 needs a real input and a forward transform');
      const N = len === undefined ? t.shape[axis] : c.ints(len, 'dft_length')[0];
      if (!Number.isInteger(N) || N < 1) fail(n, `dft_length ${N} must be a positive integer`);
      const last = t.ndim - 2;
      const move = (p: Tensor) => (axis === last ? p : transpose(p, axis, last));
      const [yr, yi] = dftLast(move(re), im && move(im), N, inverse, onesided);
      return stack([move(yr), move(yi)], -1);
    },
  },
});

// STFT: frames of frame_length every frame_step samples (those that fit whole), times the window, each
// transformed (onesided by default).
def('STFT', {
  17: {
    host: [1, 3],
    run: (c, [signal, step, window, length], n) => {
      const t = asF32(c.t(signal, 'signal'));
      if (t.ndim !== 3) fail(n, `signal must be [batch, length, 1 | 2], got [${t.shape.join(', ')}]`);
      const [re, im] = parts(n, t, 'signal');
      const hop = c.ints(step, 'frame_step')[0];
      const w = window === undefined ? null : asF32(c.t(window, 'window'));
      const L = length === undefined ? (w ? w.shape[0] : fail(n, 'needs a window or a frame_length')) : c.ints(length, 'frame_length')[0];
      if (w && (w.ndim !== 1 || w.shape[0] !== L)) fail(n, `window [${w.shape.join(', ')}] must be [${L}] (frame_length)`);
      const onesided = attr(n, 'onesided', 1) === 1;
      if (onesided && im) fail(n, 'onesided=1 needs a real signal');
      const [B, T] = re.shape;
      if (!(hop >= 1) || !(L >= 1) || L > T) fail(n, `frame_step ${hop} and frame_length ${L} do not fit a signal of ${T}`);
      const frames = Math.floor((T - L) / hop) + 1;
      const idx = tensor(Int32Array.from({ length: frames * L }, (_, i) => Math.floor(i / L) * hop + (i % L)), [frames * L], { dtype: 'i32' });
      const cut = (p: Tensor) => {
        const f = reshape(indexSelect(p, 1, idx), [B, frames, L]);
        return w ? mul(f, w) : f;
      };
      const [yr, yi] = dftLast(cut(re), im && cut(im), L, false, onesided);
      return stack([yr, yi], -1);
    },
  },
});

// MelWeightMatrix (opset 17): a constant made on the host from five host scalars, by ONNX's definition:
// num_mel_bins + 2 points evenly spaced on the mel scale (2595 log10(1 + f / 700)) between the edges, the
// step being the span over num_mel_bins + 2, each turned into a spectrogram bin floor((dft_length + 1) f /
// sample_rate); mel bin i is the triangle rising from point i to point i + 1 and falling to point i + 2.
def('MelWeightMatrix', {
  17: {
    host: [0, 1, 2, 3, 4],
    run: (c, [mels, dft, rate, lo, hi], n) => {
      const [M] = c.ints(mels, 'num_mel_bins');
      const [D] = c.ints(dft, 'dft_length');
      const [R] = c.ints(rate, 'sample_rate');
      const low = c.host(lo, 'lower_edge_hertz').data[0];
      const high = c.host(hi, 'upper_edge_hertz').data[0];
      if (!(M >= 1 && D >= 1 && R > 0 && low >= 0 && high > low)) fail(n, `needs num_mel_bins, dft_length, sample_rate > 0 and 0 <= lower_edge_hertz < upper_edge_hertz, got ${M}, ${D}, ${R}, ${low}, ${high}`);
      const bins = Math.floor(D / 2) + 1;
      const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
      const step = (mel(high) - mel(low)) / (M + 2);
      const point = Array.from({ length: M + 2 }, (_, k) => Math.floor(((D + 1) * 700 * (10 ** ((k * step + mel(low)) / 2595) - 1)) / R));
      if (point[M + 1] >= bins) fail(n, `upper_edge_hertz ${high} reaches spectrogram bin ${point[M + 1]}, beyond the ${bins} bins of dft_length ${D} (at most sample_rate / 2)`);
      const out = new Float64Array(bins * M);
      for (let i = 0; i < M; i++) {
        const [left, center, right] = [point[i], point[i + 1], point[i + 2]];
        if (center === left) out[center * M + i] = 1;
        else for (let j = left; j <= center; j++) out[j * M + i] = (j - left) / (center - left);
        for (let j = center; j < right; j++) out[j * M + i] = (right - j) / (right - center);
      }
      const dtype = dtypeOf(attr(n, 'output_datatype', 1)) ?? fail(n, `output_datatype ${typeName(attr(n, 'output_datatype', 1))} is not supported`);
      return HostVal.of(dtype, [bins, M], out);
    },
  },
});
