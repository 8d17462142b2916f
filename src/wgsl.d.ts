// WGSL files are imported as text: esbuild's `text` loader in the builds, a small plugin in vitest.
declare module '*.wgsl' {
  const source: string;
  export default source;
}
