// The `rootgrad` command: one file per subcommand in this folder, each with its flags and help.
import { hasDevice, setGpuProvider, shutdown } from '../gpu.js';
import { nodeGpu } from '../node-gpu.js';
import { UsageError } from './flags.js';
import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { generateCommand } from './generate.js';
import { experimentCommand } from './experiment.js';
import { auditCommand } from './audit.js';
import { inspectCommand } from './inspect.js';
import { loadUserFile, takeImports } from './load.js';

setGpuProvider(nodeGpu);

export { UsageError, parseFlags } from './flags.js';
export { splitFor } from './common.js';

const COMMANDS: Record<string, [(argv: string[]) => Promise<number>, string]> = {
  train: [trainCommand, 'train a model (MLP, logistic, ViT, LeNet, ResNet, GPT) on built-in, CSV or IDX data'],
  eval: [evalCommand, 'accuracy and confusion matrix of saved weights (rootgrad\'s, or any with --config / --model)'],
  generate: [generateCommand, 'continue a prompt with a trained GPT'],
  inspect: [inspectCommand, 'the tensors and metadata of a safetensors file, and which built-in model it fits'],
  experiment: [experimentCommand, 'compare losses (ce, focal, rooted) over seeds: tables and plots'],
  audit: [auditCommand, 'gradcheck every op, loss and model against float64 finite differences'],
};

const TOP_HELP = `rootgrad: train and evaluate models on WebGPU.

usage: rootgrad <command> [flags]

commands:
${Object.entries(COMMANDS).map(([name, [, about]]) => `  ${name.padEnd(11)} ${about}`).join('\n')}

rootgrad <command> --help shows its flags. Every command takes --import FILE (repeatable): an ES module (or .ts,
bundled with esbuild) loaded first, whose defineRowLoss losses and defineOp ops are then usable by name; its
\`import 'rootgrad'\` is this rootgrad, wherever the file lives. ROOTGRAD_DEBUG=1 prints stack traces, the adapter probe's native
messages and the kernels as they compile.
`;

/** Runs the command line; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const ownsDevice = !hasDevice(); // a device made here is destroyed at the end, so that Node can exit
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') {
      process.stdout.write(TOP_HELP);
      return cmd ? 0 : 2;
    }
    const command = COMMANDS[cmd];
    if (!command) throw new UsageError(`rootgrad: unknown command '${cmd}' (try rootgrad --help)`);
    // --import FILE (any command, repeatable): loaded first, so that what it registers (defineRowLoss,
    // defineOp) is usable by name
    const { imports, rest: args } = takeImports(rest);
    if (!args.includes('--help'))
      for (const file of imports) {
        try {
          await loadUserFile(cmd, '--import', file);
        } catch (e) {
          if (e instanceof UsageError) throw e;
          throw new Error(`--import ${file}: ${(e as Error).message}`);
        }
      }
    return await command[0](args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`rootgrad: ${(e as Error).message}\n`);
    if (process.env.ROOTGRAD_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  } finally {
    if (ownsDevice) shutdown();
  }
}
