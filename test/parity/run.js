// The seeded run that Node and Chromium both execute (test/browser.test.ts): 50 MLP training steps on the
// digits and 20 steps of a one-block ViT, returning every step's loss and the final weights as raw bits.
// Plain JavaScript with the library passed in, so that both sides run this very file.

const bitsOf = (a) => Array.from(new Uint32Array(new Float32Array(a).buffer));

async function run(rg, model, train, steps, batch, lr) {
  const opt = new rg.Adam(model.parameters(), { lr });
  const gen = new rg.Generator(1);
  const losses = [];
  for (let s = 0; s < steps; s++) {
    const idx = Array.from({ length: batch }, () => gen.int(train.n));
    const { x, y } = rg.gatherRows(train, idx);
    const xt = rg.tensor(x, [batch, train.features]);
    const yt = rg.tensor(y, [batch], { dtype: 'i32' });
    const loss = rg.keep(
      rg.tidy(() => {
        const l = rg.rootedLoss(model.forward(xt), yt, { k: 3, m: 3 });
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l.detach();
      }),
    );
    losses.push(await loss.item());
    for (const t of [loss, xt, yt]) t.dispose();
  }
  const weights = {};
  for (const [name, p] of model.namedParameters()) weights[name] = bitsOf(await p.data());
  opt.dispose();
  model.dispose();
  return { losses: bitsOf(losses), weights };
}

/** digits: the parsed digits data set (rg.parseCsv of data/digits.csv.gz). */
export async function parityRun(rg, digits) {
  const info = await rg.init();
  const { train } = rg.trainTestSplit(digits, 0.2, 0);
  const tr = rg.standardize(train, rg.fitStandardizer(train));
  rg.manualSeed(0);
  const mlp = await run(rg, rg.mlp([64, 64, 10]), tr, 50, 64, 1e-2);
  rg.manualSeed(0);
  const vit = await run(rg, new rg.ViT({ kind: 'vit', side: 8, patch: 4, dim: 16, heads: 2, layers: 1, classes: 10 }), tr, 20, 32, 3e-3);
  return { adapter: `${info.vendor} ${info.architecture}`, mlp, vit };
}
