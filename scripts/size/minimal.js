// The minimal app of the size table: init, tensor, matmul, relu, sum, reading back.
import { init, tensor, matmul, relu, sum } from 'rootgrad';

await init();
const a = tensor([[1, -2], [3, 4]]);
const b = tensor([[1, 0], [0, 1]]);
console.log(await sum(relu(matmul(a, b))).data());
