// Options objects are checked like PyTorch's keyword arguments: a key the function does not take is an
// error naming the key and listing the valid ones, never silently a default.

/** Throws when `opts` has a key outside `valid` (undefined values count: `{ kk: undefined }` is a typo
 * too). `where` is the function's public name, e.g. 'gradcheck' or 'poly1.loss'. */
export function checkOptions(where: string, opts: object | null | undefined, valid: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new Error(`${where}: options must be an object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (valid.includes(k)) continue;
    const near = valid.find((v) => v.toLowerCase() === k.toLowerCase());
    throw new Error(`${where}: unknown option '${k}'${near ? ` (did you mean '${near}'?)` : ''}; valid options: ${valid.length ? valid.join(', ') : 'none'}`);
  }
}
