// einsum (torch.einsum, ONNX Einsum) as a composition of primitives, so autograd, the float64 reference and
// compile see ordinary ops: diagonals (a repeated letter) by a strided slice, letters used by one operand
// only summed away at once, then operands contracted left to right by one batched matmul each (permute and
// reshape to [batch, kept, contracted] x [batch, contracted, kept]), and the result permuted to the output.
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { matmul } from './matmul.js';
import { expand, permute, reshape } from './movement.js';
import { sum } from './reduce.js';
import { slice } from './joining.js';

/** An operand while contracting: a tensor and one letter per axis (distinct). */
interface Term {
  t: Tensor;
  letters: string[];
}

/** Stand-in letters for the axes an ellipsis covers (characters no equation uses). */
const ELLIPSIS = (i: number) => String.fromCharCode(0x100 + i);

function parse(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  if (eq.split('->').length > 2) throw new Error(`einsum: equation '${equation}' has more than one '->'`);
  const terms = lhs.split(',');
  if (terms.length !== operands.length) throw new Error(`einsum: equation '${equation}' names ${terms.length} operand${terms.length === 1 ? '' : 's'}, got ${operands.length}`);
  let most = 0;
  const inputs = terms.map((term, i) => {
    const parts = term.split('...');
    if (parts.length > 2) throw new Error(`einsum: operand ${i} ('${term}') has more than one '...'`);
    for (const ch of parts.join('')) if (!/[a-zA-Z]/.test(ch)) throw new Error(`einsum: '${ch}' in operand ${i} ('${term}') is not a letter`);
    const named = parts.join('').length;
    const nd = operands[i].ndim;
    if (parts.length === 1 ? named !== nd : named > nd) throw new Error(`einsum: operand ${i} has ${nd} axes but '${term}' names ${named}${parts.length > 1 ? ' (and an ellipsis)' : ''}`);
    const k = nd - named;
    if (parts.length > 1) most = Math.max(most, k);
    // the ellipsis of an operand with fewer axes stands for the last of the broadcast axes
    return parts.length === 1 ? [...term] : [...parts[0], ...Array.from({ length: k }, (_, j) => ELLIPSIS(j + 1000 - k)), ...parts[1]];
  });
  const ell = Array.from({ length: most }, (_, j) => ELLIPSIS(j + 1000 - most));
  let output: string[];
  if (rhs === undefined) {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ell, ...[...counts.keys()].filter((l) => l.charCodeAt(0) < 0x100 && counts.get(l) === 1).sort()];
  } else {
    const parts = rhs.split('...');
    if (parts.length > 2) throw new Error(`einsum: the output ('${rhs}') has more than one '...'`);
    for (const ch of parts.join('')) if (!/[a-zA-Z]/.test(ch)) throw new Error(`einsum: '${ch}' in the output ('${rhs}') is not a letter`);
    output = parts.length === 1 ? [...rhs] : [...parts[0], ...ell, ...parts[1]];
    const used = new Set(inputs.flat());
    output.forEach((l, i) => {
      if (!used.has(l)) throw new Error(`einsum: output letter '${l}' appears in no operand of '${equation}'`);
      if (output.indexOf(l) !== i) throw new Error(`einsum: output letter '${l}' appears twice in '${equation}'`);
    });
    if (parts.length === 1 && most > 0) throw new Error(`einsum: '${equation}' has an ellipsis in the operands but not in the output`);
  }
  return { inputs, output };
}

/** The diagonal over each letter repeated within one operand: a strided slice of the two axes merged. */
function diagonals(term: Term): Term {
  let { t, letters } = term;
  for (;;) {
    const i = letters.findIndex((l, j) => letters.indexOf(l) !== j);
    if (i < 0) return { t, letters };
    const first = letters.indexOf(letters[i]);
    const n = t.shape[first];
    if (t.shape[i] !== n) throw new Error(`einsum: letter '${letters[i]}' stands for axes of sizes ${n} and ${t.shape[i]} in one operand`);
    const rest = letters.map((_, j) => j).filter((j) => j !== first && j !== i);
    const moved = permute(t, [...rest, first, i]);
    const flat = reshape(moved, [...rest.map((j) => t.shape[j]), n * n]);
    const diag = slice(flat, -1, 0, undefined, n + 1);
    if (t !== term.t) t.dispose();
    moved.dispose();
    flat.dispose();
    t = diag;
    letters = [...rest.map((j) => letters[j]), letters[first]];
  }
}

/** Sums away the axes whose letters `keep` does not list. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = term.letters.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (!axes.length) return term;
  return { t: sum(term.t, axes), letters: term.letters.filter((l) => keep.has(l)) };
}

/** a and b contracted over their shared letters that `later` does not need; shared letters it needs are
 * batch axes. Result letters: batch, a's kept, b's kept. */
function contract(a: Term, b: Term, later: Set<string>, size: Map<string, number>): Term {
  const inB = new Set(b.letters);
  const inA = new Set(a.letters);
  const batch = a.letters.filter((l) => inB.has(l) && later.has(l));
  const inner = a.letters.filter((l) => inB.has(l) && !later.has(l));
  const aKept = a.letters.filter((l) => !inB.has(l));
  const bKept = b.letters.filter((l) => !inA.has(l));
  const arrange = (x: Term, order: string[], shape: number[]) => {
    // size-1 axes broadcast against the other operand's: expanded first
    const full = x.letters.map((l) => size.get(l)!);
    const grown = full.some((d, i) => d !== x.t.shape[i]) ? expand(x.t, full) : x.t;
    const moved = permute(grown, order.map((l) => x.letters.indexOf(l)));
    const out = reshape(moved, shape);
    for (const t of [grown, moved]) if (t !== x.t) t.dispose();
    return out;
  };
  const prod = (ls: string[]) => ls.reduce((p, l) => p * size.get(l)!, 1);
  const A = arrange(a, [...batch, ...aKept, ...inner], [prod(batch), prod(aKept), prod(inner)]);
  const B = arrange(b, [...batch, ...inner, ...bKept], [prod(batch), prod(inner), prod(bKept)]);
  const C = matmul(A, B);
  const letters = [...batch, ...aKept, ...bKept];
  const t = reshape(C, letters.map((l) => size.get(l)!));
  for (const x of [A, B, C]) x.dispose();
  return { t, letters };
}

/**
 * Einstein summation (torch.einsum): e.g. 'ij,jk->ik', 'bhqd,bhkd->bhqk', '...ij,...jk->...ik', 'ii->i',
 * 'ij->' and the implicit output ('i,j': the letters used once, sorted). Letters are case-sensitive; size-1
 * axes broadcast. Built from permute, reshape, a strided slice, sum, expand and matmul: every gradient
 * flows through them.
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new Error(`einsum: the equation must be a string, got ${typeof equation}`);
  if (!operands.length) throw new Error('einsum: needs at least one operand');
  const { inputs, output } = parse(equation, operands);
  const size = new Map<string, number>();
  inputs.forEach((letters, i) =>
    letters.forEach((l, j) => {
      const d = operands[i].shape[j];
      const had = size.get(l);
      if (had !== undefined && had !== d && had !== 1 && d !== 1) throw new Error(`einsum: letter '${l.charCodeAt(0) >= 0x100 ? '...' : l}' stands for sizes ${had} and ${d} (operand ${i} ${shapeStr(operands[i].shape)})`);
      size.set(l, had === undefined || had === 1 ? d : had);
    }),
  );
  const owned = new Set<Tensor>(); // intermediates made here (the operands are the caller's)
  const own = (term: Term) => (owned.add(term.t), term);
  let terms = inputs.map((letters, i) => own(diagonals({ t: operands[i], letters })));
  const needed = (from: number, extra: readonly string[]) => new Set([...output, ...extra, ...terms.slice(from).flatMap((x) => x.letters)]);
  // letters only one operand has, and the output lacks: summed away at once
  terms = terms.map((term, i) => own(sumOut(term, new Set([...output, ...terms.filter((_, j) => j !== i).flatMap((x) => x.letters)]))));
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) acc = own(contract(acc, terms[i], needed(i + 1, []), size));
  acc = own(sumOut(acc, new Set(output)));
  // axes a size-1 operand axis left at 1 while the output wants the broadcast size
  const full = acc.letters.map((l) => size.get(l)!);
  if (full.some((d, i) => d !== acc.t.shape[i])) acc = own({ t: expand(acc.t, full), letters: acc.letters });
  const perm = output.map((l) => acc.letters.indexOf(l));
  const out = permute(acc.t, perm);
  for (const t of owned) if (!operands.includes(t)) t.dispose();
  return out;
}
