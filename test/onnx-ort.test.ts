// Models written the way other exporters write them (scripts/fixtures/onnx_exporters.py: paddle2onnx style at
// opsets 9, 10 and 11 with weights in Constant nodes, tf2onnx style at opset 12 with an NHWC input) run through
// onnxruntime-node (CPU) and through loadOnnx, for two bindings of their symbolic dims (batch 1 and 3, two
// image sizes): every output within rtol 1e-4, atol 1e-5 of onnxruntime's. The paddle-style Constant
// weights, loaded with constantsAsParameters, train: each gets a finite, nonzero gradient.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rg, setup } from './helpers.js';
import { loadOnnx } from '../src/onnx/node.js';

const dir = 'test/fixtures/onnx';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
let ortMissing = '';
try {
  ort = await import('onnxruntime-node');
  // the native binding loads lazily: make a session now so that a broken install skips here, not later
  await ort.InferenceSession.create(readFileSync(`${dir}/mlp.onnx`));
} catch (e) {
  ort = undefined;
  ortMissing = (e as Error).message.split('\n')[0];
  console.warn(`test/onnx-ort.test.ts skipped: onnxruntime-node cannot load (${ortMissing})`);
}

beforeAll(setup);

// the Constant nodes' weights under their output names; scales, pads and bounds stay host constants
const PADDLE_WEIGHTS = ['conv2d_0.w_0', 'conv2d_0.b_0', 'bn_0.scale', 'bn_0.bias', 'conv2d_1.w_0', 'conv2d_2.w_0',
  'conv2d_transpose_0.w_0', 'conv2d_transpose_0.b_0', 'conv2d_3.w_0', 'conv2d_3.b_0', 'linear_0.w_0', 'linear_0.b_0'];
const TF_WEIGHTS = ['conv/kernel', 'conv/bias', 'dw/kernel', 'dense/kernel', 'dense/bias'];

const MODELS: { name: string; paddle: boolean; weights: string[] }[] = [
  { name: 'paddle9', paddle: true, weights: PADDLE_WEIGHTS },
  // AveragePool with ceil_mode and count_include_pad: the counts were shifted by the begin pads (fixed)
  { name: 'paddle10', paddle: true, weights: PADDLE_WEIGHTS },
  { name: 'paddle11', paddle: true, weights: PADDLE_WEIGHTS },
  // Resize-10 nearest enlarging H and shrinking W: onnxruntime rounds per axis (was ceil on both, fixed)
  { name: 'paddle10_interp', paddle: true, weights: [] },
  { name: 'tf12', paddle: false, weights: TF_WEIGHTS },
];

/** The elements outside rtol/atol, as "index: got vs want" (the first few). */
function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 5; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) bad.push(`${i}: ${got[i]} vs ${want[i]}`);
  }
  return bad;
}

describe.skipIf(!ort)('models from other exporters against onnxruntime', () => {
  const { tensors: feeds } = rg.fromSafetensors(readFileSync(`${dir}/exporters_inputs.safetensors`));

  for (const { name, paddle, weights } of MODELS) {
    it(`${name}: outputs match onnxruntime's for two symbolic-dim bindings${weights.length ? '; its weights train' : ''}`, async () => {
      const session = await ort!.InferenceSession.create(readFileSync(`${dir}/${name}.onnx`), { executionProviders: ['cpu'] });
      const model = await loadOnnx(`${dir}/${name}.onnx`, { constantsAsParameters: paddle });
      expect(model.inputs[0].shape.filter((d) => typeof d === 'string').length).toBe(3);
      expect(model.outputNames).toEqual(session.outputNames);
      for (const binding of ['a', 'b']) {
        const f = feeds[`${name}.${binding}`];
        const input = model.inputNames[0];
        const want = await session.run({ [input]: new ort!.Tensor('float32', Float32Array.from(f.data), f.shape) });
        const x = rg.tensor(f.data, f.shape);
        const outs = await model.run({ [input]: x });
        let loss: InstanceType<typeof rg.Tensor> | undefined;
        for (const out of model.outputNames) {
          const w = want[out];
          expect(outs[out].shape, `${name}.${binding} ${out} shape`).toEqual(w.dims.map(Number));
          expect(mismatches(await outs[out].data(), w.data as Float32Array), `${name}.${binding} ${out}`).toEqual([]);
          const term = outs[out].mul(outs[out]).mean();
          loss = loss ? loss.add(term) : term;
        }
        // the gradient reaches every parameter (the Constant weights of the paddle-style models) and is finite
        model.zeroGrad();
        if (weights.length) loss!.backward();
        const params = model.namedParameters();
        expect(params.map(([n]) => n)).toEqual(weights);
        // BatchNormalization's running statistics (Constants too) are buffers
        if (weights === PADDLE_WEIGHTS) expect(model.namedBuffers().map(([n]) => n)).toEqual(['bn_0.mean', 'bn_0.var']);
        for (const [pname, p] of params) {
          expect(p.grad, `gradient of ${pname}`).not.toBeNull();
          const g = await p.grad!.data();
          expect(g.every(Number.isFinite), `gradient of ${pname} is finite`).toBe(true);
          expect(g.some((v) => v !== 0), `gradient of ${pname} is not all zero`).toBe(true);
        }
        x.dispose();
        loss!.dispose();
        for (const t of Object.values(outs)) t.dispose();
      }
      model.dispose();
      await session.release();
    });
  }
});
