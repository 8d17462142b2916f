// The browser page: trains the MLP on the digits with the chosen loss, draws the curves live, shows the
// adapter, predicts digits drawn on the pad, and loads a model.safetensors written by `rootgrad train`.
import * as rg from '/dist/browser/rootgrad.js';

const $ = (id) => document.getElementById(id);
let model = null;
let stats = null;
let train = null;
let test = null;
window.__curve = [];

async function loadDigits() {
  // gzipped, or already decompressed by a server that sends .gz with Content-Encoding: gzip
  return rg.datasetFromBytes(await fetch('/data/digits.csv.gz'), 'digits');
}

// The same SVG as the command's curves.svg: axes, ticks, labels, legends beside the plots.
function drawCurves(history) {
  $('curves').innerHTML = rg.curvesSvg(history, 'training curves');
}

// The MLP and its training defaults come from the model's own spec (models/mlp.ts), as in the command.
const mlpSpec = rg.classifierSpecs.mlp;
const mlpConfig = mlpSpec.configure({ features: 64, classes: 10, name: 'digits' }, {});
const mlpTraining = { ...rg.defaultTrainConfig, ...mlpSpec.training(mlpConfig) };

// Between steps: wait until the device has run the step (so at most one step is queued), then give the
// browser a turn to draw. Without this an epoch's steps are recorded in one go and the tab freezes.
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
async function yieldToBrowser() {
  await rg.synchronize();
  await nextTask();
  window.__firstStepDone ??= performance.now();
}

async function doTrain() {
  $('train').disabled = true;
  model?.dispose();
  model = null;
  window.__curve = [];
  window.__firstStepDone = undefined;
  const loss = $('loss').value;
  const cfg = { ...mlpTraining, loss, k: Number($('k').value), m: Number($('m').value), epochs: Number($('epochs').value), lr: Number($('lr').value), seed: 0 };
  $('status').textContent = `training with ${loss}…`;
  try {
    const result = await rg.trainClassifier(mlpConfig, train, test, cfg, {
      onStep: yieldToBrowser,
      onEpoch: (log) => {
        window.__curve.push(log);
        drawCurves(window.__curve);
        $('status').textContent = `epoch ${log.epoch}/${cfg.epochs}: test accuracy ${(100 * log.testAccuracy).toFixed(1)}%`;
      },
    });
    result.optimizer.dispose();
    model = result.model;
    $('status').textContent = `done: test accuracy ${(100 * window.__curve[window.__curve.length - 1].testAccuracy).toFixed(1)}%`;
    predict();
  } catch (e) {
    $('status').textContent = `error: ${e.message}`;
    throw e;
  } finally {
    $('train').disabled = false;
  }
}

async function loadWeights(file) {
  const loaded = await rg.loadModel(file); // builds the model from its metadata and loads the weights
  if (!loaded.standardizer || loaded.config.kind === 'gpt' || (loaded.config.kind !== 'vit' && loaded.config.inputs !== 64)) {
    loaded.model.dispose();
    throw new Error(`${file.name}: not a digits classifier written by rootgrad train`);
  }
  model?.dispose();
  ({ model, standardizer: stats } = loaded);
  $('status').textContent = `loaded ${file.name} (${loaded.config.kind})`;
  predict();
}

// ---- the drawing pad: strokes downsampled to the data set's 8x8 grid of 0..16 ------------------------
const padCtx = $('pad').getContext('2d');
let drawing = false;
let hasInk = false;
function stroke(e) {
  const r = $('pad').getBoundingClientRect();
  const x = e.clientX - r.left;
  const y = e.clientY - r.top;
  padCtx.lineTo(x, y);
  padCtx.stroke();
  padCtx.beginPath();
  padCtx.moveTo(x, y);
}
$('pad').addEventListener('pointerdown', (e) => {
  drawing = hasInk = true;
  padCtx.lineWidth = 18;
  padCtx.lineCap = 'round';
  padCtx.strokeStyle = '#000';
  padCtx.beginPath();
  stroke(e);
});
$('pad').addEventListener('pointermove', (e) => drawing && stroke(e));
window.addEventListener('pointerup', () => {
  if (drawing) predict();
  drawing = false;
});
$('clear').addEventListener('click', () => {
  padCtx.clearRect(0, 0, 200, 200);
  hasInk = false;
  $('prediction').textContent = '';
  $('probs').replaceChildren();
});

function padPixels() {
  const { data } = padCtx.getImageData(0, 0, 200, 200);
  const cell = 25;
  const out = new Float32Array(64);
  for (let gy = 0; gy < 8; gy++)
    for (let gx = 0; gx < 8; gx++) {
      let s = 0;
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) s += data[((gy * cell + y) * 200 + gx * cell + x) * 4 + 3];
      out[gy * 8 + gx] = Math.round((s / (cell * cell * 255)) * 16);
    }
  return out;
}

async function predict() {
  if (!model || !hasInk) return;
  const px = padPixels();
  const x = rg.tensor(px.map((v, i) => (v - stats.mean[i]) / stats.std[i]), [1, 64]);
  const p = rg.noGrad(() => rg.tidy(() => rg.softmax(model.forward(x), -1)));
  const probs = await p.data();
  p.dispose();
  x.dispose();
  const best = probs.indexOf(Math.max(...probs));
  $('prediction').textContent = String(best);
  $('probs').replaceChildren(
    ...Array.from(probs).flatMap((v, i) => {
      const label = document.createElement('span');
      label.textContent = i;
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, v * 100)}%`;
      const pct = document.createElement('span');
      pct.textContent = `${(100 * v).toFixed(1)}%`;
      return [label, bar, pct];
    }),
  );
}

// ---- start -------------------------------------------------------------------------------------------
$('epochs').value = String(mlpTraining.epochs);
$('lr').value = String(mlpTraining.lr);
drawCurves([]);
for (const id of ['k', 'm']) $(id).addEventListener('input', () => ($(`${id}v`).textContent = $(id).value));
$('train').addEventListener('click', doTrain);
$('weights').addEventListener('change', (e) => e.target.files[0] && loadWeights(e.target.files[0]).catch((err) => ($('status').textContent = `error: ${err.message}`)));
try {
  const info = await rg.init();
  $('adapter').textContent = `WebGPU adapter: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}${info.software ? ' (software)' : ''}`;
  const split = rg.trainTestSplit(await loadDigits(), 0.2, 0);
  stats = rg.fitStandardizer(split.train);
  train = rg.standardize(split.train, stats);
  test = rg.standardize(split.test, stats);
  $('status').textContent = `ready: ${train.n} training and ${test.n} test digits`;
} catch (e) {
  $('adapter').textContent = `no WebGPU here: ${e.message}`;
  $('status').textContent = '';
}
