// A WGSL file imported from shaders/ is a module (scripts/shader-registry.mjs makes it at build time): its
// name, its text and the files its `#include` lines name.
declare module '*.wgsl' {
  const file: import('./shaders.js').WgslFile;
  export default file;
}
