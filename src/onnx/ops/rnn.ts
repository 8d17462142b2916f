// Recurrent layers: RNN, GRU and LSTM (forward, reverse and bidirectional; layout 0 and 1), unrolled over
// time into matmuls and activations: the input projections of all steps are one matmul, then one small
// matmul per step. Every step is on the autograd tape.
import { Tensor, add, matmul, mul, reshape, relu, sigmoid, slice, stack, tanh, transpose, affine, full, clamp } from '../../core.js';
import { def } from './registry.js';
import { attr, fail } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

type Act = (x: Tensor) => Tensor;
const ACTS: Record<string, Act> = { Tanh: tanh, Sigmoid: sigmoid, Relu: relu };

function activations(n: OnnxNode, defaults: string[], dirs: number): Act[][] {
  const names = attr<string[]>(n, 'activations') ?? [...defaults, ...(dirs === 2 ? defaults : [])];
  if (attr(n, 'activation_alpha') || attr(n, 'activation_beta')) fail(n, 'activation_alpha/beta are not supported');
  const acts = names.map((a) => ACTS[a] ?? fail(n, `activation '${a}' is not supported (Tanh, Sigmoid, Relu are)`));
  return Array.from({ length: dirs }, (_, d) => acts.slice(d * defaults.length, (d + 1) * defaults.length));
}

/** One direction's weights: W [G*H, in], R [G*H, H], biases Wb, Rb [G*H]. */
function dirWeights(c: OpCtx, n: OnnxNode, d: number, W: Val, R: Val, B: Val | undefined, G: number, H: number) {
  const pick = (t: Tensor) => reshape(slice(t, 0, d, d + 1), t.shape.slice(1));
  const w = pick(c.t(W, 'W'));
  const r = pick(c.t(R, 'R'));
  const b = B === undefined ? null : pick(c.t(B, 'B'));
  return { wT: transpose(w, 0, 1), rT: transpose(r, 0, 1), wb: b ? slice(b, 0, 0, G * H) : null, rb: b ? slice(b, 0, G * H, 2 * G * H) : null };
}

/** The shared driver: inputs in layout 0, per-direction step functions, outputs in the node's layout. */
function recurrent(c: OpCtx, n: OnnxNode, x: (Val | undefined)[], G: number, defaults: string[], cell: (ctx: CellCtx) => { h: Tensor; c?: Tensor }): (Val | undefined)[] {
  const [X, W, R, B, lens, h0, c0, P] = x;
  const H = attr<number>(n, 'hidden_size') ?? fail(n, 'hidden_size is required');
  const direction = attr(n, 'direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) fail(n, `direction '${direction}' is not valid`);
  const layout = attr(n, 'layout', 0);
  const clip = attr<number>(n, 'clip');
  let tx = c.t(X, 'X');
  if (layout === 1) tx = transpose(tx, 0, 1);
  const [T, N, I] = tx.shape;
  if (lens !== undefined) {
    const l = c.host(lens, 'sequence_lens');
    if (Array.from(l.data).some((v) => v !== T)) fail(n, `sequence_lens [${Array.from(l.data).join(', ')}] shorter than the sequence (${T}) are not supported`);
  }
  const acts = activations(n, defaults, dirs);
  const init = (v: Val | undefined, d: number, what: string) => {
    if (v === undefined) return full([N, H], 0);
    let t = c.t(v, what);
    if (layout === 1) t = transpose(t, 0, 1);
    return reshape(slice(t, 0, d, d + 1), [N, H]);
  };
  const ys: Tensor[] = [];
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let d = 0; d < dirs; d++) {
    const reverse = direction === 'reverse' || d === 1;
    const { wT, rT, wb, rb } = dirWeights(c, n, d, W!, R!, B, G, H);
    let xw = reshape(matmul(reshape(tx, [T * N, I]), wT), [T, N, G * H]);
    if (wb) xw = add(xw, wb);
    const p = P === undefined ? null : reshape(slice(c.t(P, 'P'), 0, d, d + 1), [3 * H]);
    let h = init(h0, d, 'initial_h');
    let cc = init(c0, d, 'initial_c');
    const steps: Tensor[] = new Array(T);
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      const xt = reshape(slice(xw, 0, t, t + 1), [N, G * H]);
      const gate = (i: number, withR: boolean, hPrev = h) => {
        let g = slice(xt, 1, i * H, (i + 1) * H);
        if (withR) g = add(g, slice(matmul(hPrev, rT), 1, i * H, (i + 1) * H));
        if (withR && rb) g = add(g, slice(rb, 0, i * H, (i + 1) * H));
        return clip === undefined ? g : clamp(g, -clip, clip);
      };
      const out = cell({ n, h, c: cc, xt, rT, rb, H, gate, acts: acts[d], p, clip });
      h = out.h;
      if (out.c) cc = out.c;
      steps[t] = h;
    }
    ys.push(stack(steps, 0)); // [T, N, H]
    hs.push(h);
    cs.push(cc);
  }
  let Y = stack(ys, 1); // [T, dirs, N, H]
  let Yh = stack(hs, 0); // [dirs, N, H]
  let Yc = stack(cs, 0);
  if (layout === 1) {
    Y = transpose(transpose(Y, 0, 2), 1, 2); // [N, T, dirs, H]
    Yh = transpose(Yh, 0, 1);
    Yc = transpose(Yc, 0, 1);
  }
  return [Y, Yh, Yc];
}

interface CellCtx {
  n: OnnxNode;
  h: Tensor;
  c: Tensor;
  xt: Tensor;
  rT: Tensor;
  rb: Tensor | null;
  H: number;
  gate: (i: number, withR: boolean, hPrev?: Tensor) => Tensor;
  acts: Act[];
  p: Tensor | null;
  clip?: number;
}

def('RNN', {
  7: (c, x, n) => recurrent(c, n, x, 1, ['Tanh'], ({ gate, acts }) => ({ h: acts[0](gate(0, true)) })).slice(0, 2),
});

def('GRU', {
  7: (c, x, n) => {
    const lbr = attr(n, 'linear_before_reset', 0) === 1;
    return recurrent(c, n, x, 3, ['Sigmoid', 'Tanh'], ({ h, xt, rT, rb, H, gate, acts: [f, g] }) => {
      const z = f(gate(0, true));
      const r = f(gate(1, true));
      let hh: Tensor;
      const xh = slice(xt, 1, 2 * H, 3 * H);
      const rh = slice(rT, 1, 2 * H, 3 * H);
      const rbh = rb ? slice(rb, 0, 2 * H, 3 * H) : null;
      if (lbr) {
        let hr = matmul(h, rh);
        if (rbh) hr = add(hr, rbh);
        hh = g(add(xh, mul(r, hr)));
      } else {
        let hr = matmul(mul(r, h), rh);
        if (rbh) hr = add(hr, rbh);
        hh = g(add(xh, hr));
      }
      // (1 - z) * hh + z * h
      return { h: add(mul(affine(z, -1, 1), hh), mul(z, h)) };
    }).slice(0, 2);
  },
});

def('LSTM', {
  7: (c, x, n) => {
    if (attr(n, 'input_forget', 0)) fail(n, 'input_forget=1 is not supported');
    return recurrent(c, n, x, 4, ['Sigmoid', 'Tanh', 'Tanh'], ({ c: cPrev, gate, acts: [f, g, hAct], p, H }) => {
      const peep = (k: number, state: Tensor) => (p ? mul(slice(p, 0, k * H, (k + 1) * H), state) : null);
      const withPeep = (pre: Tensor, k: number, state: Tensor) => {
        const q = peep(k, state);
        return q ? add(pre, q) : pre;
      };
      const i = f(withPeep(gate(0, true), 0, cPrev));
      const fg = f(withPeep(gate(2, true), 2, cPrev));
      const cc = g(gate(3, true));
      const cNew = add(mul(fg, cPrev), mul(i, cc));
      const o = f(withPeep(gate(1, true), 1, cNew));
      return { h: mul(o, hAct(cNew)), c: cNew };
    });
  },
});
