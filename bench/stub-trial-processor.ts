// The stub trainer of the queue scale simulation (bench/queue-scale.ts): a BullMQ sandboxed
// processor that trains nothing. It answers each trial in about a millisecond with a copy of a
// real tiny run directory (trained once by the bench; its path in CONTOUR_STUB_TEMPLATE), its
// config.json and result.json rewritten for the trial so the coordinator accepts it exactly as it
// accepts a trained one, and reports one epoch of progress as a real worker does.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { configHash } from '../packages/core/src/run-config.ts';
import { readRunDirectoryFiles } from '../packages/queue/src/run-directory-files.ts';
import { storeTrialFiles } from '../packages/queue/src/trial-files.ts';
import type { TrialJobData, TrialJobResult } from '../packages/queue/src/trial-job.ts';

const template = process.env.CONTOUR_STUB_TEMPLATE ?? '';
const files = readRunDirectoryFiles(template);
const result = JSON.parse(readFileSync(join(template, 'result.json'), 'utf8')) as Record<string, unknown>;
const epochRecord = readFileSync(join(template, 'metrics.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.includes('"kind":"epoch"'))
  .map((line) => JSON.parse(line) as { epoch: number })[0];

/** The part of BullMQ's sandboxed job the stub uses. */
interface StubJob {
  readonly data: TrialJobData;
  updateProgress(progress: object): Promise<void>;
}

export default async function stubTrial(job: StubJob): Promise<TrialJobResult> {
  const trial = job.data.trial;
  if (epochRecord) await job.updateProgress({ epoch: 1, epochs: 1, record: epochRecord });
  const answered = files.map((file) => {
    if (file.path === 'config.json')
      return { ...file, content: `${JSON.stringify(trial.config, null, 2)}\n` };
    if (file.path === 'result.json') {
      const own = { ...result, runId: trial.id, configHash: configHash(trial.config) };
      return { ...file, content: `${JSON.stringify(own, null, 2)}\n` };
    }
    return file;
  });
  return {
    formatVersion: 1,
    trialId: trial.id,
    status: result.status as TrialJobResult['status'],
    summary: result.summary as TrialJobResult['summary'],
    backend: String(result.backend),
    worker: `${hostname()}:${process.ppid}`,
    filesKey: await storeTrialFiles(trial.id, answered),
  };
}
