import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetricsJsonl } from '@contour/metrics-logger';
import { afterAll, describe, expect, it } from 'vitest';
import { runLayersFit } from './layers-fit.js';

const root = mkdtempSync(join(tmpdir(), 'layers-fit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runLayersFit', () => {
  it('range test, warmup + cosine, plateau, run log, save → reload → continue, from the built packages', async () => {
    const result = await runLayersFit({ directory: root });
    expect(Number.isFinite(result.suggestedLearningRate)).toBe(true);
    expect(result.suggestedLearningRate).toBeGreaterThan(1e-6);
    expect(result.suggestedLearningRate).toBeLessThan(10);
    expect(result.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3, 4]);
    // The reloaded optimizer continued its count: 4 epochs of steps, not 2.
    expect(result.optimizerStepsAfterReload).toBe(4 * result.stepsPerEpoch);
    // Warmup then cosine: the last epoch's rate is far below the first's.
    const rates = result.epochs.map((epoch) => epoch.lr);
    expect(rates[3] as number).toBeLessThan((rates[0] as number) / 10);
    // It learned: validation error well under chance (90%) and lower at the end than after epoch 1.
    const errors = result.epochs.map((epoch) => epoch.valError);
    expect(errors[3] as number).toBeLessThan(0.5);
    expect(errors[3] as number).toBeLessThan(errors[0] as number);
    const { records } = parseMetricsJsonl(readFileSync(join(result.runDirectory, 'metrics.jsonl'), 'utf8'));
    expect(records.filter((record) => record.kind === 'epoch').map((record) => record.epoch)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(records.some((record) => record.kind === 'event' && record.event === 'resumed')).toBe(true);
    expect(JSON.parse(readFileSync(join(result.runDirectory, 'status.json'), 'utf8')).status).toBe(
      'finished',
    );
  });
});
