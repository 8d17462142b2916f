// The full library: every export kept.
import * as rg from 'rootgrad';

console.log(Object.keys(rg).length, rg);
