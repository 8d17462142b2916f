// The audit's whole-model rows: a loss of each model's output with respect to all its parameters. The audit
// (src/audit.ts) is in the core and the models sit above it, so the rows are registered from here, and the
// entries (src/index.ts, src/node.ts) and `rootgrad audit` take runAudit, auditNames and modelCases from this
// file: an app that runs the audit gets the model rows, and one that does not bundles neither.
import { registerModelCase, rnd, labels, runAudit as runCoreAudit, auditNames as coreAuditNames, modelCases as registered, type AuditOptions, type AuditRow, type Sampler } from '../src/audit.js';
import { fromHost } from '../src/creation.js';
import * as ops from '../src/ops/all.js';
import { buildModel } from './index.js';
import { GPT } from './gpt.js';

const cases: Record<string, Sampler> = {
  'model: mlp': (g) => {
    const m = buildModel({ kind: 'mlp', inputs: 6, hidden: [8, 8], classes: 3 });
    const x = rnd(g, [4, 6]);
    const y = labels(g, 4, 3);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLoss(m.forward(x), y) };
  },
  'model: logistic': (g) => {
    const m = buildModel({ kind: 'logistic', inputs: 5 });
    const x = rnd(g, [6, 5]);
    const y = fromHost([0, 1, 1, 0, 1, 0], [6], 'i32');
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLogisticLoss(m.forward(x), y) };
  },
  'model: vit': (g) => {
    const m = buildModel({ kind: 'vit', side: 4, patch: 2, dim: 8, heads: 2, layers: 1, classes: 3 });
    const x = rnd(g, [2, 16]);
    const y = labels(g, 2, 3);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLoss(m.forward(x), y) };
  },
  'model: gpt': (g) => {
    const m = new GPT({ kind: 'gpt', vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 });
    const ids = fromHost(Array.from({ length: 8 }, () => g.int(5)), [2, 4], 'i32');
    const y = labels(g, 8, 5);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.crossEntropy(ops.reshape(m.forward(ids), [-1, 5]), y) };
  },
};
/** The whole-model rows, by name (registered with the core audit when this is first used). */
export const modelCases: Record<string, Sampler> = /* @__PURE__ */ registerModels();

/** Registers the rows once (a call, not an import side effect: an app that never audits drops them). */
function registerModels(): Record<string, Sampler> {
  for (const [name, sampler] of Object.entries(cases)) if (!(name in registered)) registerModelCase(name, sampler);
  return registered;
}

/** Runs the gradient audit: every primitive, loss, model and defineOp op (src/audit.ts's runAudit). */
export function runAudit(opts: AuditOptions = {}): Promise<AuditRow[]> {
  registerModels();
  return runCoreAudit(opts);
}

/** The audit's row names, in order. */
export function auditNames(): string[] {
  registerModels();
  return coreAuditNames();
}
