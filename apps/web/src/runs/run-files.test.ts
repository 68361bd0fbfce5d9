import { serializeRecord } from '@contour/metrics-logger';
import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../state/app-store.js';
import { sampleRunRecords } from '../test-support/sample-records.js';
import {
  type ImportedRun,
  type InputFile,
  importedRunLabel,
  importRunFiles,
  runFolderFiles,
  runIdentity,
  runsArchive,
} from './run-files.js';
import { readTar } from './tar.js';

const encoder = new TextEncoder();
function file(path: string, text: string | Uint8Array): InputFile {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  return { path, size: bytes.length, bytes: async () => bytes };
}
const jsonl = (records: ReturnType<typeof sampleRunRecords>) =>
  records.map((record) => serializeRecord(record)).join('');

describe('importRunFiles', () => {
  it('reads a run folder without status.json or finish record as failed, a bare log as running', async () => {
    const unfinished = jsonl(sampleRunRecords('cut', 0.1).filter((record) => record.kind !== 'finish'));
    const result = await importRunFiles([
      file('cut/config.json', '{"runId":"cut"}'),
      file('cut/metrics.jsonl', unfinished),
      file('live/config.json', '{"runId":"live"}'),
      file('live/metrics.jsonl', unfinished),
      file('live/status.json', '{"status":"running","epoch":1,"step":2}'),
      file('failed/config.json', '{"runId":"failed"}'),
      file('failed/metrics.jsonl', unfinished),
      file('failed/status.json', '{"status":"failed","epoch":1,"step":2,"message":"no space left"}'),
      file('bare.jsonl', unfinished),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.runs.map((run) => [run.folder, run.status])).toEqual([
      ['bare', 'running'],
      ['cut', 'failed'],
      ['failed', 'failed'],
      ['live', 'running'],
    ]);
  });
  it("keeps a failed run's message from status.json, and exports it again", async () => {
    const unfinished = jsonl(sampleRunRecords('failed', 0.1).filter((record) => record.kind !== 'finish'));
    const message = 'no space left on /runs/failed/metrics.jsonl';
    const result = await importRunFiles([
      file('failed/config.json', '{"runId":"failed"}'),
      file('failed/metrics.jsonl', unfinished),
      file('failed/status.json', JSON.stringify({ status: 'failed', epoch: 1, step: 2, message })),
      file('stopped/metrics.jsonl', jsonl(sampleRunRecords('stopped', 0.1))),
      file('stopped/status.json', '{"status":"finished","epoch":2,"step":4,"message":"not a failure"}'),
    ]);
    expect(result.runs.map((run) => [run.folder, run.status, run.statusMessage])).toEqual([
      ['failed', 'failed', message],
      ['stopped', 'finished', undefined],
    ]);
    const failed = result.runs[0] as ImportedRun;
    const stored: StoredRun = {
      id: 'failed',
      label: 'failed',
      origin: 'imported',
      source: 'failed',
      storedAt: '2026-11-01T10:00:05.000Z',
      status: failed.status,
      statusMessage: message,
      records: failed.records,
      visible: true,
    };
    expect(JSON.parse(runFolderFiles(stored)['status.json'] as string)).toMatchObject({
      status: 'failed',
      message,
    });
  });
  it('reads a CLI sweep folder: one run per trial folder, with config and status beside each log', async () => {
    const result = await importRunFiles([
      file('sweep/trials/s-000-aa/metrics.jsonl', jsonl(sampleRunRecords('s-000-aa', 0.1))),
      file('sweep/trials/s-000-aa/config.json', '{"runId":"s-000-aa","config":{"backend":"cpu"}}'),
      file('sweep/trials/s-000-aa/status.json', '{"status":"interrupted","epoch":2,"step":4}'),
      file('sweep/trials/s-001-bb/metrics.jsonl', jsonl(sampleRunRecords('s-001-bb', 10, [2.3, Number.NaN]))),
      file('sweep/overlay.svg', '<svg/>'),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.runs.map((run) => [importedRunLabel(run), run.runId, run.status])).toEqual([
      ['s-000-aa', 's-000-aa', 'interrupted'],
      ['s-001-bb', 's-001-bb', 'diverged'],
    ]);
    expect(result.runs[0]?.config).toEqual({ runId: 's-000-aa', config: { backend: 'cpu' } });
    const nan = result.runs[1]?.records.find((record) => record.kind === 'epoch' && record.epoch === 2);
    expect(nan?.kind === 'epoch' && Number.isNaN(nan.train.crossEntropy)).toBe(true);
  });

  it('reads a trial successive halving stopped at a rung as stopped, from its status.json or its log alone', async () => {
    const paused = sampleRunRecords('s-002-cc', 2, [2.2]).slice(0, -1);
    const reason = 'stopped at rung 0 (epoch 1): val loss 2.3 not in the top 1/3 of 6 (rank 3)';
    const stopped = [
      ...paused,
      {
        kind: 'finish',
        status: 'interrupted',
        time: '2026-11-01T10:00:01.000Z',
        epochs: 1,
        steps: 2,
        seconds: 1,
      },
      { kind: 'event', event: 'early-stop', epoch: 1, step: 2, message: reason },
      {
        kind: 'finish',
        status: 'stopped',
        time: '2026-11-01T10:00:02.000Z',
        epochs: 1,
        steps: 2,
        seconds: 1,
      },
    ] as ReturnType<typeof sampleRunRecords>;
    const result = await importRunFiles([
      file('sweep/trials/s-002-cc/metrics.jsonl', jsonl(stopped)),
      file(
        'sweep/trials/s-002-cc/status.json',
        JSON.stringify({ status: 'stopped', epoch: 1, step: 2, message: reason }),
      ),
      file('sweep/trials/s-003-dd/metrics.jsonl', jsonl(stopped)),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.runs.map((run) => [importedRunLabel(run), run.status])).toEqual([
      ['s-002-cc', 'stopped'],
      ['s-003-dd', 'stopped'],
    ]);
  });

  it('drops a torn last line, reports broken files and keeps going', async () => {
    const torn = `${jsonl(sampleRunRecords('torn', 0.1))}{"kind":"ep`;
    const result = await importRunFiles([
      file('torn.jsonl', torn),
      file(
        'broken/metrics.jsonl',
        '{"kind":"step","epoch":1,"step":0,"loss":1,"learningRate":0.1}\nnot json\n{"kind":"finish"}\n',
      ),
      file('broken/config.json', '{'),
      file('bad-value.jsonl', '{"kind":"step","epoch":1,"step":0,"loss":1,"learningRate":-0.1}\n'),
      file(
        'empty.jsonl',
        '{"kind":"finish","status":"failed","time":"t","epochs":0,"steps":0,"seconds":0}\n',
      ),
    ]);
    expect(result.runs.map((run) => [run.folder, run.tornLastLine, run.status])).toEqual([
      ['torn', true, 'finished'],
    ]);
    expect(result.problems).toEqual([
      'bad-value.jsonl line 1: step record: "learningRate" must be a finite number ≥ 0; got -0.1',
      'broken/metrics.jsonl line 2: not valid JSON',
      'empty.jsonl: holds no epoch or step records',
    ]);
  });

  it('says what to pick when nothing is a run', async () => {
    expect((await importRunFiles([file('notes.txt', 'hi')])).problems[0]).toMatch(/^No run found/);
  });

  it('reads back the archive the app exports, records and all', async () => {
    const run: StoredRun = {
      id: 'web-1-000-abc',
      label: 'lr=0.1',
      origin: 'browser',
      source: 'web-1',
      storedAt: '2026-11-01T10:00:06.000Z',
      status: 'finished',
      records: sampleRunRecords('web-1-000-abc', 0.1),
      config: { formatVersion: 1, runId: 'web-1-000-abc', backend: { chosen: 'wasm' } },
      configHash: '0badcafe',
      visible: true,
    };
    const archive = runsArchive([run]);
    expect(readTar(archive).map((entry) => entry.path)).toEqual([
      'web-1-000-abc/config.json',
      'web-1-000-abc/metrics.jsonl',
      'web-1-000-abc/status.json',
      'web-1-000-abc/result.json',
    ]);
    const result = await importRunFiles([file('export.tar', archive)]);
    expect(result.problems).toEqual([]);
    expect(result.runs[0]?.records).toEqual(run.records);
    expect(result.runs[0]?.config).toEqual(run.config);
    // The run keeps its name through export and import, and is recognised as the same run.
    expect(importedRunLabel(result.runs[0] as ImportedRun)).toBe('lr=0.1');
    expect(runIdentity(result.runs[0] as ImportedRun, 'x')).toBe(runIdentity(run, run.id));
    expect(runIdentity({ records: run.records.slice(0, -1) }, 'x')).not.toBe(runIdentity(run, run.id));
    const files = runFolderFiles(run);
    expect(JSON.parse(files['result.json'] as string)).toMatchObject({
      runId: 'web-1-000-abc',
      label: 'lr=0.1',
      status: 'finished',
      backend: 'wasm',
      configHash: '0badcafe',
      summary: { epochs: 2, status: 'finished' },
    });
    expect(JSON.parse(files['status.json'] as string)).toEqual({
      status: 'finished',
      epoch: 2,
      step: 4,
      updatedAt: '2026-11-01T10:00:06.000Z',
    });
  });
});
