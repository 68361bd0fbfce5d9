// Vite's `?url` imports resolve to the URL of the emitted asset.
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
