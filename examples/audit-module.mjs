// A module file for `rootgrad audit --module examples/audit-module.mjs --export tinyGpt`: your own model,
// its loss and a sample batch, audited per parameter against float64 finite differences.
// It imports rootgrad by its package name, so that it shares the library with the command.
import * as rg from 'rootgrad';

/** A two-layer MLP with a GELU and the rooted loss. */
export const mlp = {
  model: () => {
    rg.manualSeed(0);
    return rg.mlp([6, 16, 3], { activation: 'gelu' });
  },
  loss: (model, batch) => rg.rootedLoss(model.forward(batch.x), batch.y),
  batch: () => ({ x: rg.randn([8, 6]), y: rg.tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], { dtype: 'i32' }) }),
};

export default mlp;
