import { beforeAll, expect, test } from 'vitest';
import * as rg from '../src/node.js';

beforeAll(async () => {
  await rg.init();
});

test('smoke', async () => {
  const a = rg.tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
  const b = rg.tensor([[1, 0], [0, 1], [1, 1]]);
  const c = rg.matmul(a, b);
  expect(Array.from(await c.data())).toEqual([4, 5, 10, 11]);
  const l = c.sum();
  l.backward();
  expect(Array.from(await a.grad!.data())).toEqual([1, 1, 2, 1, 1, 2]);
});
