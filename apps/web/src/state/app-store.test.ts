import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AppStore, type StoredRun } from './app-store.js';

function run(id: string, storedAt: string, loss: number): StoredRun {
  return {
    id,
    label: id,
    origin: 'browser',
    source: 'sweep-1',
    storedAt,
    status: 'diverged',
    records: [
      { kind: 'step', epoch: 1, step: 0, loss, learningRate: 0.1 },
      { kind: 'finish', status: 'diverged', time: storedAt, epochs: 1, steps: 1, seconds: 0.5 },
    ],
    visible: true,
  };
}

describe('AppStore', () => {
  it('keeps runs (NaN included) and settings across reopening the database', async () => {
    const factory = new IDBFactory();
    const first = await AppStore.open('test', factory);
    await first.putRuns([
      run('b', '2026-01-02T00:00:00Z', Number.NaN),
      run('a', '2026-01-01T00:00:00Z', 2.3),
    ]);
    await first.saveSettings({ panel: 'race', race: { surface: 'booth', start: [1, 2], steps: 10 } });
    first.close();

    const second = await AppStore.open('test', factory);
    const runs = await second.listRuns();
    expect(runs.map((stored) => stored.id)).toEqual(['a', 'b']);
    const step = runs[1]?.records[0];
    expect(step?.kind === 'step' && Number.isNaN(step.loss)).toBe(true);
    expect(await second.loadSettings()).toEqual({
      panel: 'race',
      race: { surface: 'booth', start: [1, 2], steps: 10 },
    });
  });

  it('replaces runs by id, deletes and clears them', async () => {
    const store = await AppStore.open('test-2', new IDBFactory());
    await store.putRuns([run('a', '2026-01-01T00:00:00Z', 1)]);
    await store.putRuns([
      { ...run('a', '2026-01-01T00:00:00Z', 1), visible: false },
      run('c', '2026-01-03T00:00:00Z', 1),
    ]);
    expect((await store.listRuns()).map((stored) => [stored.id, stored.visible])).toEqual([
      ['a', false],
      ['c', true],
    ]);
    await store.deleteRun('a');
    expect((await store.listRuns()).map((stored) => stored.id)).toEqual(['c']);
    await store.clearRuns();
    expect(await store.listRuns()).toEqual([]);
    expect(await store.loadSettings()).toBeUndefined();
  });
});
