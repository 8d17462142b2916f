// Compiled = eager, or eager: random sequences of training steps and changes of state between them, run by
// a compiled step and by an eager twin from the same seed; every loss and every parameter (the model's and
// those the optimisers hold) must have the same bits. The changes are what a plan could silently get wrong:
// freezing and unfreezing, a new optimiser (it moves the parameters), reassigning a parameter, loading a
// state dict, every optimiser setting, the clipping norm, dropout's p, train/eval, and the input
// signature (batch size, host-known or GPU-made labels, ignored labels, an input's dtype).
import fc from 'fast-check';
import { beforeAll, expect, test } from 'vitest';
import { rg, setup, tol } from './helpers.js';
import { runTwin, type Action } from './compile-twin.js';

beforeAll(setup);

const stepArb: fc.Arbitrary<Action> = fc.record({
  kind: fc.constant('step' as const),
  // Mostly one signature, so that plans get made; sometimes another batch size, GPU-made labels (no host
  // copy), or ignored labels (another valid count: that call runs eagerly).
  batch: fc.constantFrom(4, 4, 4, 4, 4, 4, 4, 6),
  ignored: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2),
  gpuLabels: fc.constantFrom(false, false, false, false, false, false, false, true),
  weights: fc.constantFrom<rg.DType>(...Array<rg.DType>(10).fill('f32'), 'i32', 'bool'),
});

const changeArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constantFrom('freeze' as const, 'unfreeze' as const), param: fc.nat(3) }),
  fc.record({ kind: fc.constant('newOptimizer' as const), sgd: fc.boolean(), momentum: fc.constantFrom(0, 0.9) }),
  fc.record({ kind: fc.constant('reassign' as const), layer: fc.nat(1) }),
  fc.constant({ kind: 'loadStateDict' as const }),
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('lr' as const), value: fc.constantFrom(0.2, 0.03) }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('weightDecay' as const), value: fc.constantFrom(0, 0.01) }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('momentum' as const), value: fc.constantFrom(0, 0.5, 0.9) }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('nesterov' as const), value: fc.boolean() }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('betas' as const), value: fc.constantFrom<[number, number]>([0.8, 0.99], [0.9, 0.999]) }),
    fc.record({ kind: fc.constant('set' as const), field: fc.constant('eps' as const), value: fc.constantFrom(1e-8, 1e-3) }),
  ),
  fc.record({ kind: fc.constant('clip' as const), maxNorm: fc.constantFrom(0, 0.5, 2) }),
  fc.record({ kind: fc.constant('dropout' as const), p: fc.constantFrom(0, 0.25, 0.5) }),
  fc.record({ kind: fc.constantFrom('train' as const, 'eval' as const) }),
);

// Mostly steps, so that plans get made and replayed between the changes.
const actionsArb = fc.array(fc.oneof({ arbitrary: stepArb, weight: 5 }, { arbitrary: changeArb, weight: 1 }), { minLength: 12, maxLength: 20 });

test('random steps and state changes: a compiled step gives the bits of its eager twin', async () => {
  let replays = 0;
  let fallbacks = 0;
  await fc.assert(
    fc.asyncProperty(actionsArb, fc.nat(1000), async (actions, seed) => {
      const eager = await runTwin(actions, false, seed);
      const compiled = await runTwin(actions, true, seed);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      replays += compiled.stats!.replays;
      fallbacks += compiled.stats!.eagerFallbacks;
    }),
    { numRuns: 20, seed: tol.seed, endOnFailure: true },
  );
  // The property is about replays: most runs must have had some, and some changes must have hit a plan.
  expect(replays).toBeGreaterThan(30);
  expect(fallbacks).toBeGreaterThan(0);
});
