// npm run setup: everything a fresh machine needs before the demo and the tests.
//   1. npm packages (npm ci) when node_modules is missing;
//   2. the build (dist/);
//   3. a WebGPU adapter: on a machine without a GPU on Debian/Ubuntu, the software one (SwiftShader,
//      from Debian's chromium) and the Vulkan loader: installed when running as root, otherwise the exact
//      command is printed. On a machine with a GPU adapter nothing extra is installed;
//   4. with --fashion-mnist, Debian's dataset-fashion-mnist package (the IDX files `--data fashion-mnist` reads),
//      installed the same way (as root) or its command printed.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

if (!existsSync('node_modules/webgpu')) {
  console.log('== npm ci');
  run('npm ci --no-audit --no-fund');
}
console.log('== build');
run('npm run --silent build');

const probe = () =>
  spawnSync(process.execPath, ['--input-type=module', '-e', "const rg = await import('./dist/node/index.js'); const i = await rg.init(); console.log(`adapter: ${i.description || i.vendor} (${i.architecture})${i.software ? ', software' : ''}`); rg.shutdown();"], {
    encoding: 'utf8',
    env: { ...process.env, ROOTGRAD_QUIET: '1' },
  });

let p = probe();
if (p.status !== 0 && process.platform === 'linux') {
  const cmd = 'apt-get install -y chromium libvulkan1';
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (isRoot && hasApt) {
    console.log(`== no WebGPU adapter found: installing the software adapter (${cmd})`);
    run('apt-get update -qq');
    run(`DEBIAN_FRONTEND=noninteractive ${cmd} -qq >/dev/null`);
    p = probe();
  } else {
    console.error(`rootgrad setup: no WebGPU adapter found. Install the software adapter (SwiftShader) and the Vulkan loader:\n  sudo ${cmd}\nthen run npm run setup again.`);
    process.exit(1);
  }
}
if (p.status !== 0) {
  console.error(`rootgrad setup: WebGPU still unavailable:\n${(p.stderr || '').split('\n').filter((l) => l.includes('rootgrad')).join('\n') || p.stderr}`);
  process.exit(1);
}
console.log(`== ready: ${p.stdout.trim()}`);

if (process.argv.includes('--fashion-mnist')) {
  const dir = '/usr/share/datasets/fashion-mnist';
  if (existsSync(dir)) console.log(`== fashion-mnist: ${dir} is there`);
  else {
    const cmd = 'apt-get install -y dataset-fashion-mnist';
    const isRoot = process.getuid?.() === 0;
    const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
    if (isRoot && hasApt) {
      console.log(`== installing Fashion-MNIST (${cmd})`);
      run('apt-get update -qq');
      run(`DEBIAN_FRONTEND=noninteractive ${cmd} -qq >/dev/null`);
    } else {
      console.error(`rootgrad setup: to get Fashion-MNIST run\n  sudo ${cmd}\n(Debian/Ubuntu), or download the four IDX files and pass their folder with --data DIR/`);
      process.exit(1);
    }
  }
}
