// The shader registry module, generated at build time by scripts/shader-registry.mjs: every
// shaders/*.wgsl file by name (without .wgsl), as text.
declare module 'virtual:rootgrad-shaders' {
  const files: Record<string, string>;
  export default files;
}
