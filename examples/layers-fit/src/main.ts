// Run: pnpm --filter contour-example-layers-fit start [output directory]
import { rmSync } from 'node:fs';
import { runLayersFit } from './layers-fit.js';

const directory = process.argv[2] ?? 'out/layers-fit';
rmSync(directory, { recursive: true, force: true });
const started = performance.now();
const result = await runLayersFit({ directory, log: (line) => console.log(line) });
console.log(
  `done in ${((performance.now() - started) / 1000).toFixed(1)} s; run log in ${result.runDirectory}`,
);
console.log(`draw it: pnpm contour plot ${result.runDirectory} --out loss.png`);
