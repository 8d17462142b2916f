// What a web app uses besides the ops: feature detection, typed errors (a code to branch on), saving and
// loading through bytes (Blob, Response, ArrayBuffer), and data that a server may already have decompressed.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';

beforeAll(setup);

/** The error a promise rejects with, or a function throws. */
async function caught(f: () => unknown): Promise<any> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('feature detection and typed errors', () => {
  test('isSupported() is true where an adapter exists', async () => {
    expect(await rg.isSupported()).toBe(true);
  });

  test('a disposed tensor: DISPOSED', async () => {
    const t = rg.ones([2]);
    t.dispose();
    const e = await caught(() => rg.exp(t));
    expect(e).toBeInstanceOf(rg.RootgradError);
    expect(e.code).toBe('DISPOSED');
    expect(e.message).toMatch(/was disposed/);
  });

  test('shutdown() rejects a pending read with SHUT_DOWN; its tensors say shutdown() closed their device', async () => {
    const a = rg.randn([64, 64]);
    const pending = caught(() => rg.matmul(a, a).data());
    rg.shutdown();
    // Dawn still owes the read's callback: collecting its instance now crashed the process
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
    (globalThis as any).gc();
    const read = await pending;
    expect(read).toBeInstanceOf(rg.RootgradError);
    expect(read.code).toBe('SHUT_DOWN');
    expect(read.message).toMatch(/shutdown\(\) closed the device while this read was pending/);
    // before a new init(): the same code, not "call init() first"
    const made = await caught(() => rg.ones([2]));
    expect([made.code, made.message]).toEqual(['SHUT_DOWN', 'rootgrad: shutdown() closed the device; call `await init()` for a new one.']);
    const readAfter = await caught(() => a.data());
    expect(readAfter.code).toBe('SHUT_DOWN');
    await rg.init();
    // on the new device: the old tensor says why it cannot be used (it said its device "was lost")
    const used = await caught(() => rg.exp(a));
    expect(used.code).toBe('SHUT_DOWN');
    expect(used.message).toMatch(/^tensor #\d+ \[64, 64\] belongs to a device that shutdown\(\) closed/);
    expect((await caught(() => a.data())).code).toBe('SHUT_DOWN');
    expect(Array.from(await rg.add(rg.ones([2]), 1).data())).toEqual([2, 2]);
  });
});

describe('bytes in and out', () => {
  test('saveToBytes / loadFromBytes / loadModel: Blob, Response, ArrayBuffer; the same logits', async () => {
    rg.manualSeed(0);
    const config = rg.classifierSpecs.mlp.configure({ features: 64, classes: 10, name: 'digits' }, {});
    const model = rg.buildModel(config);
    const standardizer = { mean: Array(64).fill(1), std: Array(64).fill(2) };
    const bytes = await rg.saveToBytes(model, { model: JSON.stringify(config), standardizer: JSON.stringify(standardizer) });
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    const x = rg.randn([5, 64]);
    const want = await rg.noGrad(() => model.forward(x)).data();
    for (const source of [new Blob([bytes]), new Response(bytes), bytes.buffer, bytes]) {
      const live = rg.memory().liveTensors;
      const loaded = await rg.loadModel(source);
      expect(loaded.config).toEqual(config);
      expect(loaded.standardizer).toEqual(standardizer);
      expect(Array.from(await rg.noGrad(() => loaded.model.forward(x)).data())).toEqual(Array.from(want));
      loaded.model.dispose();
      expect(rg.memory().liveTensors).toBeLessThanOrEqual(live + 2); // the two forward outputs; nothing uploaded left
    }
    const { tensors, metadata } = await rg.loadFromBytes(new Blob([bytes]));
    expect(JSON.parse(metadata.model)).toEqual(config);
    const other = rg.buildModel(config);
    other.loadStateDict(tensors);
    expect(Array.from(await rg.noGrad(() => other.forward(x)).data())).toEqual(Array.from(want));
  });

  test('clear errors: a failed response, something that is not bytes, no model metadata', async () => {
    await expect(rg.loadModel(new Response('gone', { status: 404, statusText: 'Not Found' }), 'm.safetensors')).rejects.toThrow('m.safetensors: HTTP 404 Not Found');
    await expect(rg.loadFromBytes('x' as never)).rejects.toThrow(/expected a Blob, File, Response, ArrayBuffer or typed array, got string/);
    const bare = await rg.saveToBytes({ w: rg.ones([2]) });
    await expect(rg.loadModel(bare, 'w.safetensors')).rejects.toThrow("w.safetensors: no 'model' metadata");
  });

  test('datasetFromBytes: gzipped or already decompressed by the server, the same data', async () => {
    const gz = readFileSync('data/digits.csv.gz');
    const a = await rg.datasetFromBytes(new Response(gz), 'digits');
    const b = await rg.datasetFromBytes(new Response(gunzipSync(gz)), 'digits');
    const node = rg.loadDataset('digits');
    for (const d of [a, b]) {
      expect([d.n, d.features, d.classes]).toEqual([node.n, node.features, node.classes]);
      expect(d.x).toEqual(node.x);
      expect(d.classNames).toEqual(node.classNames);
    }
    await expect(rg.datasetFromBytes(gz.subarray(0, 100), 'cut')).rejects.toThrow(/^cut: broken gzip data/);
  });
});
