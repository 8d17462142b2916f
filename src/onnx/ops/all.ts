// Every ONNX op family; importing this registers them (src/onnx/ops/registry.ts).
import './elementwise.js';
import './shape.js';
import './reduce.js';
import './nn.js';
import './loss.js';
import './rnn.js';
import './control.js';
import './readback.js';
import './resample.js';
import './random.js';
import './signal.js';
