// rootgrad in a web app, as an app installs it (`npm install rootgrad`, no native packages): feature
// detection, the shipped digits data, training with the rooted loss, saving to a download and reloading
// it (or a model.safetensors from `rootgrad train`), and classifying a digit drawn on the pad.
// Build it with Vite as it is (`vite build` in this folder); with esbuild, resolve the `?url` import to the
// file (a loader `.gz: 'file'` and a plugin that drops `?url`; test/consumer.test.ts has one).
import * as rg from 'rootgrad';
import digitsUrl from 'rootgrad/data/digits.csv.gz?url';

const $ = (id) => document.getElementById(id);
const status = (text) => ($('status').textContent = text);
let model = null; // the model in use: trained here or loaded
let stats = null; // the standardizer its inputs need
let saved = null; // the last save, a Blob
let test = null;

async function start() {
  if (!(await rg.isSupported())) return status('This browser has no WebGPU: try a recent Chrome, Edge or Safari.');
  await rg.init();
  // Gzipped or already decompressed by the server (Vite's dev server sends .gz with Content-Encoding: gzip).
  const split = rg.trainTestSplit(await rg.datasetFromBytes(await fetch(digitsUrl), 'digits'), 0.2, 0);
  stats = rg.fitStandardizer(split.train);
  const train = rg.standardize(split.train, stats);
  test = rg.standardize(split.test, stats);
  $('train').onclick = () => run(doTrain(train));
  $('train').disabled = false;
  status(`ready: ${train.n} training and ${test.n} test digits`);
}

async function doTrain(train) {
  const spec = rg.classifierSpecs.mlp;
  const config = spec.configure({ features: 64, classes: 10, name: 'digits' }, {});
  const cfg = { ...rg.defaultTrainConfig, ...spec.training(config), loss: 'rooted', k: 3, m: 3, epochs: Number($('epochs').value), seed: 0 };
  const result = await rg.trainClassifier(config, train, test, cfg, {
    onStep: () => rg.synchronize(), // one step queued at a time: the page keeps drawing
    onEpoch: (log) => status(`epoch ${log.epoch}/${cfg.epochs}: test accuracy ${(100 * log.testAccuracy).toFixed(1)}%`),
  });
  result.optimizer.dispose();
  model?.dispose();
  model = result.model;
  window.__trained = { accuracy: result.history.at(-1).testAccuracy };
  $('save').disabled = false;
  status(`trained: test accuracy ${(100 * window.__trained.accuracy).toFixed(1)}%`);
}

// Save: the model and what a reload needs to rebuild and use it, as `rootgrad train` writes them.
async function doSave() {
  const bytes = await rg.saveToBytes(model, { model: JSON.stringify(model.config), standardizer: JSON.stringify(stats), classNames: JSON.stringify(test.classNames ?? []) });
  saved = new Blob([bytes], { type: 'application/octet-stream' });
  $('download').href = URL.createObjectURL(saved);
  $('download').hidden = false;
  $('reload').disabled = false;
  status(`saved ${bytes.length} bytes`);
}

/** The model's logits for the test digits. */
async function testLogits(m) {
  const x = rg.tensor(test.x, [test.n, test.features]);
  const y = rg.noGrad(() => m.forward(x));
  const out = await y.data();
  x.dispose();
  y.dispose();
  return out;
}

// Reload: one call builds the model from the metadata and loads its weights; nothing to dispose by hand.
async function doReload(source, name) {
  const loaded = await rg.loadModel(source, name);
  if (model && source === saved) {
    const [before, after] = [await testLogits(model), await testLogits(loaded.model)];
    const maxDiff = before.reduce((worst, v, i) => Math.max(worst, Math.abs(v - after[i])), 0);
    window.__reload = { maxDiff, n: test.n };
    status(`reloaded: the largest difference in the ${test.n} test digits' logits is ${maxDiff}`);
  } else status(`loaded ${name} (${loaded.config.kind})`);
  model?.dispose();
  model = loaded.model;
  stats = loaded.standardizer ?? stats;
}

// ---- the drawing pad: strokes downsampled to the data set's 8x8 grid of 0..16 ------------------------
const pad = $('pad').getContext('2d');
let drawing = false;
function stroke(e) {
  const r = $('pad').getBoundingClientRect();
  pad.lineTo(e.clientX - r.left, e.clientY - r.top);
  pad.stroke();
  pad.beginPath();
  pad.moveTo(e.clientX - r.left, e.clientY - r.top);
}
$('pad').addEventListener('pointerdown', (e) => {
  drawing = true;
  Object.assign(pad, { lineWidth: 18, lineCap: 'round', strokeStyle: '#000' });
  pad.beginPath();
  stroke(e);
});
$('pad').addEventListener('pointermove', (e) => drawing && stroke(e));
window.addEventListener('pointerup', () => drawing && ((drawing = false), run(predict())));
$('clear').onclick = () => {
  pad.clearRect(0, 0, 200, 200);
  $('prediction').textContent = '';
};

async function predict() {
  if (!model) return;
  const { data } = pad.getImageData(0, 0, 200, 200);
  const px = new Float32Array(64);
  for (let i = 0; i < 200 * 200; i++) px[Math.floor(Math.floor(i / 200) / 25) * 8 + Math.floor((i % 200) / 25)] += data[i * 4 + 3] / (625 * 255);
  const x = rg.tensor(Array.from(px, (v, i) => (Math.round(v * 16) - stats.mean[i]) / stats.std[i]), [1, 64]);
  const y = rg.noGrad(() => rg.tidy(() => model.forward(x).argmax(-1)));
  $('prediction').textContent = String((await y.data())[0]);
  x.dispose();
  y.dispose();
}

/** Runs an action, showing its error (a RootgradError has a code to branch on). */
function run(p) {
  return p.catch((e) => {
    status(e instanceof rg.RootgradError ? `${e.code}: ${e.message}` : `error: ${e.message}`);
    window.__error = String(e);
  });
}

$('save').onclick = () => run(doSave());
$('reload').onclick = () => run(doReload(saved, 'model.safetensors'));
$('file').onchange = (e) => e.target.files[0] && run(doReload(e.target.files[0], e.target.files[0].name));
run(start());
