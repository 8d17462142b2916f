// A seedable generator (xoshiro128**, seeded through splitmix32) so that runs repeat exactly.
// Random tensors are drawn on the host in a fixed order and uploaded: the same seed gives the same bits
// on every adapter.

export class Generator {
  private s = new Uint32Array(4);
  constructor(seed = 0) {
    this.seed(seed);
  }
  seed(seed: number): void {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  /** The full state, for checkpoints. */
  getState(): number[] {
    return Array.from(this.s);
  }
  setState(state: readonly number[]): void {
    if (state.length !== 4) throw new Error('Generator.setState: expected 4 words');
    this.s.set(state);
  }
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  /** Uniform in [0, 1) with 24 bits, exactly representable in f32. */
  uniform(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t as any;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global generator used by rand, randn, dropout and parameter initialisation. */
export const globalGenerator = /* @__PURE__ */ new Generator(0);

export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
  globalGenerator.seed(seed);
}
