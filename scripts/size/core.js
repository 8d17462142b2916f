// The core (rootgrad/core): every export of the eager engine kept. Its budget is 100 KB gzipped.
import * as rg from 'rootgrad/core';

console.log(Object.keys(rg).length, rg);
