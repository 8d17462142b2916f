// Modules: parameters and sub-modules registered by name, train/eval, state dicts.
import { keep, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { shapeStr } from '../shape.js';

export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export abstract class Module {
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Same as forward. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected param(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    keep(t);
    this._params.set(name, t);
    return t;
  }

  protected module<M extends Module>(name: string, m: M): M {
    this._children.set(name, m);
    return m;
  }

  /** Parameters with dotted names, children first in registration order (as PyTorch names them). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this._params) out.push([prefix + n, p]);
    for (const [n, m] of this._children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const m of this._children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /** Copies values into the existing parameters; every name must match in name and shape (strict). */
  loadStateDict(state: Record<string, StateValue>): void {
    const own = new Map(this.namedParameters());
    for (const name of Object.keys(state)) if (!own.has(name)) throw new Error(`loadStateDict: unexpected parameter '${name}' (the model has ${[...own.keys()].join(', ')})`);
    for (const [name, p] of own) {
      const v = state[name];
      if (!v) throw new Error(`loadStateDict: missing parameter '${name}'`);
      if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i])) {
        throw new Error(`loadStateDict: parameter '${name}' has shape ${shapeStr(v.shape)} in the state, ${shapeStr(p.shape)} in the model`);
      }
    }
    for (const [name, p] of own) writeInto(p, state[name]);
  }

  /** Frees every parameter and its gradient. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.zeroGrad();
      p.dispose();
    }
  }
}

/** Overwrites a tensor's values in place (from another tensor or host numbers). */
export function writeInto(t: Tensor, v: StateValue): void {
  const r = rt();
  if (v instanceof Tensor) {
    r.copy(v.storage().view(v.size * 4), t.storage().view(t.size * 4), t.size * 4);
  } else {
    r.upload(t.storage().view(t.size * 4), v.data instanceof Float32Array ? v.data : Float32Array.from(v.data));
  }
}
