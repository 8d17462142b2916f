// Every primitive by name, gathered from the families' tables (each in its op file). Its type demands an
// entry for every key of Attrs (def.ts). apply() never reads it: only code that lists every op does.
import type { Attrs, OpTable, Primitive } from './def.js';
import type { HigherOrder } from './higher_order.js';
import { binaryDefs } from './binary.js';
import { gatherDefs } from './gather.js';
import { linearDefs, matmulDefs } from './matmul.js';
import { movementDefs } from './movement.js';
import { reduceDefs } from './reduce.js';
import { softmaxDefs } from './softmax.js';
import { unaryDefs } from './unary.js';
import { castDefs } from './cast.js';
import { lossDefs } from './losses.js';
import { linearLossDefs } from './linear_losses.js';
import { transformerDefs } from './transformer.js';
import { dropoutDefs } from './dropout.js';
import { joiningDefs } from './joining.js';
import { maskDefs } from './masks.js';
import { indexingDefs } from './indexing.js';
import { randomDefs } from './random.js';
import { convDefs } from './conv.js';
import { poolingDefs } from './pooling.js';
import { normalizationDefs } from './normalization.js';
import { customDefs } from '../custom.js';
import { scatterDefs } from './scatter.js';
import { resizeDefs } from './resize.js';
import { convTransposeDefs } from './conv_transpose.js';

let cached: OpTable | null = null;

/** Every primitive by name (for the audit, the docs and tools that iterate over ops; apply() does not use
 * it, so a bundle that never calls this holds only the families it uses). Built on first use. */
export function opTable(): OpTable {
  return (cached ??= {
    ...unaryDefs,
    ...binaryDefs,
    ...reduceDefs,
    ...movementDefs,
    ...matmulDefs,
    ...linearDefs,
    ...softmaxDefs,
    ...gatherDefs,
    ...castDefs,
    ...lossDefs,
    ...linearLossDefs,
    ...transformerDefs,
    ...dropoutDefs,
    ...joiningDefs,
    ...maskDefs,
    ...indexingDefs,
    ...randomDefs,
    ...convDefs,
    ...poolingDefs,
    ...normalizationDefs,
    ...customDefs,
    ...scatterDefs,
    ...resizeDefs,
    ...convTransposeDefs,
  });
}

/** What each primitive does under createGraph, by name (each rule sits beside its op, in its family's file). */
export const higherOrder = /* @__PURE__ */ rulesByName();

function rulesByName(): { [P in Primitive]: HigherOrder<Attrs[P]> } {
  return Object.fromEntries(Object.entries(opTable()).map(([op, def]) => [op, def.higherOrder])) as never;
}
