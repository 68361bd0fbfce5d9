// One measurement in a fresh process (so peak RSS and tensor counts belong to that workload alone):
//   node --conditions=@contour/source --import tsx bench/workload-runner.ts '<json request>'
// Prints `BENCH_RESULT <json>` on stdout. bench/run-bench.ts starts it once per repetition and
// variant, interleaving variants.
import { selectBackend } from '../packages/backends/src/index.ts';
import {
  loadEmbeddedMnist,
  loadFashionMnist,
  prepareDataset,
} from '../packages/mnist-loader/src/node/index.ts';
import { loadMlpData, loadSweepData } from './bench-data.ts';
import { benchSettings, type WorkloadName } from './bench-support.ts';

/** What the coordinator asks a runner to measure. */
export interface WorkloadRequest {
  readonly workload: WorkloadName;
  /** `contour` (the trainer, race, …), `contour-vectorised`, `contour-run-sweep`, or `layers`. */
  readonly engine: 'contour' | 'contour-vectorised' | 'contour-run-sweep' | 'layers';
  readonly backend: 'cpu' | 'wasm' | 'node';
  readonly smoke: boolean;
}

const request = JSON.parse(process.argv[2] ?? '{}') as WorkloadRequest;
const settings = benchSettings(request.smoke);
const warmupSettings = benchSettings(true);
const selection = await selectBackend(request.backend, { strict: true });

const contour = await import('./contour-workloads.ts');
const layers = request.engine === 'layers' ? await import('./layers-workloads.ts') : undefined;

async function measure() {
  switch (request.workload) {
    case 'sweep': {
      if (request.engine === 'contour-run-sweep') return contour.contourRunSweep(settings, 'auto', undefined);
      const dataset = await loadSweepData(settings);
      // Warm-up on a small subset (kernel set-up, JIT), not timed.
      const raw = await loadEmbeddedMnist();
      const warmup = prepareDataset(raw, { validationFraction: 0.2, seed: 0, trainLimit: 640 });
      if (layers) {
        await layers.layersSweep(warmupSettings, warmup);
        return layers.layersSweep(settings, dataset);
      }
      if (request.engine === 'contour-vectorised') {
        await contour.contourSweepVectorised(warmupSettings, warmup);
        return contour.contourSweepVectorised(settings, dataset);
      }
      await contour.contourSweepSequential(warmupSettings, warmup);
      return contour.contourSweepSequential(settings, dataset);
    }
    case 'mlp': {
      const dataset = await loadMlpData(settings);
      const warmup = prepareDataset(await loadFashionMnist(), {
        validationFraction: 0,
        trainLimit: 512,
        testLimit: 256,
      });
      if (layers) {
        await layers.layersMlp(warmupSettings, warmup);
        return layers.layersMlp(settings, dataset);
      }
      await contour.contourMlp(warmupSettings, warmup);
      return contour.contourMlp(settings, dataset);
    }
    case 'find-lr': {
      const dataset = await loadSweepData(settings);
      if (layers) {
        await layers.layersFindLr(warmupSettings, dataset);
        return layers.layersFindLr(settings, dataset);
      }
      await contour.contourFindLr(warmupSettings, dataset);
      return contour.contourFindLr(settings, dataset);
    }
    case 'race': {
      if (layers) {
        await layers.layersRace(warmupSettings);
        return layers.layersRace(settings);
      }
      await contour.contourRace(warmupSettings);
      return contour.contourRace(settings);
    }
  }
}

const result = await measure();
console.log(`BENCH_RESULT ${JSON.stringify({ ...result, backend: selection.name })}`);
process.exit(0);
