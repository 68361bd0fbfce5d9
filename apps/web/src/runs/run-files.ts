import {
  MetricsFormatError,
  type MetricsRecord,
  parseMetricsJsonl,
  type RunStatus,
  serializeRecord,
  summarizeRun,
} from '@contour/metrics-logger';
import type { StoredRun } from '../state/app-store.js';
import { createTar, readTar } from './tar.js';

/** A file handed to the app: from a file picker, a dropped folder, or a tar archive. */
export interface InputFile {
  /** Path relative to what was picked (`webkitRelativePath`), or the bare name. */
  readonly path: string;
  readonly size: number;
  bytes(): Promise<Uint8Array>;
}

/** A run read from CLI output: its folder (or file) name, records and optional config/status. */
export interface ImportedRun {
  readonly folder: string;
  readonly runId: string;
  readonly records: readonly MetricsRecord[];
  readonly config: unknown;
  readonly status: RunStatus;
  /** Why it failed: `status.json`'s message when it says `failed` (as `contour report` shows it). */
  readonly statusMessage?: string;
  /** Set when the log's last line was torn (cut mid-write) and dropped. */
  readonly tornLastLine: boolean;
  /** The legend label this app exported with the run (`result.json`'s `label`), if any. */
  readonly label?: string;
}

/** What {@link importRunFiles} found. */
export interface RunImport {
  readonly runs: ImportedRun[];
  /** One line per file that could not be read, naming the file and why. */
  readonly problems: string[];
}

/** Largest file read (metrics.jsonl of a long run with step records is well under this). */
export const maximumRunFileBytes = 64 * 1024 * 1024;
const runStatuses: readonly RunStatus[] = [
  'running',
  'finished',
  'interrupted',
  'stopped',
  'diverged',
  'failed',
];
const decoder = new TextDecoder();

function folderOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index === -1 ? '' : path.slice(0, index);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Expands tar archives into their files. */
async function expandArchives(files: readonly InputFile[], problems: string[]): Promise<InputFile[]> {
  const expanded: InputFile[] = [];
  for (const file of files) {
    if (!file.path.toLowerCase().endsWith('.tar')) {
      expanded.push(file);
      continue;
    }
    if (file.size > maximumRunFileBytes * 4) {
      problems.push(
        `${file.path}: an archive must be at most ${maximumRunFileBytes * 4} bytes; got ${file.size}`,
      );
      continue;
    }
    try {
      const stem = file.path.slice(0, -4);
      for (const entry of readTar(await file.bytes())) {
        expanded.push({
          path: `${stem}/${entry.path}`,
          size: entry.content.length,
          bytes: async () => entry.content,
        });
      }
    } catch (error) {
      problems.push(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return expanded;
}

async function readJson(file: InputFile | undefined, problems: string[]): Promise<unknown> {
  if (!file) return undefined;
  if (file.size > maximumRunFileBytes) {
    problems.push(`${file.path}: must be at most ${maximumRunFileBytes} bytes; got ${file.size}`);
    return undefined;
  }
  try {
    return JSON.parse(decoder.decode(await file.bytes())) as unknown;
  } catch {
    problems.push(`${file.path}: not valid JSON (ignored)`);
    return undefined;
  }
}

/**
 * Reads runs exported by the CLI or by this app: run folders (`metrics.jsonl` with `config.json`
 * and `status.json` beside it, picked as a folder or dropped), sweep folders (one run folder per
 * trial), bare `*.jsonl` files, and `.tar` archives of any of these. Each log goes through
 * `parseMetricsJsonl` (a torn last line is dropped and reported). Files that are not runs are
 * ignored; broken ones are reported in `problems`, never thrown.
 */
export async function importRunFiles(files: readonly InputFile[]): Promise<RunImport> {
  const problems: string[] = [];
  const all = await expandArchives(files, problems);
  const runs: ImportedRun[] = [];
  const logs = all
    .filter((file) => file.path.toLowerCase().endsWith('.jsonl'))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const log of logs) {
    if (log.size > maximumRunFileBytes) {
      problems.push(`${log.path}: must be at most ${maximumRunFileBytes} bytes; got ${log.size}`);
      continue;
    }
    const folder = folderOf(log.path);
    const sibling = (name: string) =>
      baseName(log.path) === 'metrics.jsonl'
        ? all.find((file) => folderOf(file.path) === folder && baseName(file.path) === name)
        : undefined;
    let records: MetricsRecord[];
    let tornLastLine = false;
    try {
      const parsed = parseMetricsJsonl(decoder.decode(await log.bytes()), log.path);
      records = parsed.records;
      tornLastLine = parsed.tornLastLine !== undefined;
    } catch (error) {
      // A MetricsFormatError names the file and line itself.
      problems.push(
        error instanceof MetricsFormatError
          ? error.message
          : `${log.path}: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (!records.some((record) => record.kind === 'epoch' || record.kind === 'step')) {
      problems.push(`${log.path}: holds no epoch or step records`);
      continue;
    }
    const config = await readJson(sibling('config.json'), problems);
    const statusFile = (await readJson(sibling('status.json'), problems)) as
      | { status?: unknown; message?: unknown }
      | undefined;
    const resultFile = (await readJson(sibling('result.json'), problems)) as { label?: unknown } | undefined;
    const start = records.find((record) => record.kind === 'run-start');
    const fileStatus = statusFile?.status;
    // A run folder (config.json beside the log) without status.json and without a finish record:
    // its run failed so badly that not even status.json could be written (the CLI and the layers
    // logger then remove it), so it is not running. A bare log keeps the log's own status.
    const abandoned =
      sibling('config.json') !== undefined &&
      sibling('status.json') === undefined &&
      !records.some((record) => record.kind === 'finish');
    const name =
      baseName(log.path) === 'metrics.jsonl'
        ? baseName(folder) || 'metrics'
        : baseName(log.path).replace(/\.jsonl$/i, '');
    runs.push({
      folder: folder || name,
      runId: start?.kind === 'run-start' ? start.runId : name,
      records,
      config: config ?? (start?.kind === 'run-start' ? { config: start.config } : undefined),
      status: runStatuses.includes(fileStatus as RunStatus)
        ? (fileStatus as RunStatus)
        : summarizeRun(records, abandoned ? { status: 'failed' } : undefined).status,
      ...(fileStatus === 'failed' && typeof statusFile?.message === 'string' && statusFile.message !== ''
        ? { statusMessage: statusFile.message }
        : {}),
      tornLastLine,
      ...(typeof resultFile?.label === 'string' && resultFile.label !== ''
        ? { label: resultFile.label }
        : {}),
    });
  }
  if (runs.length === 0 && problems.length === 0) {
    problems.push(
      'No run found: pick a run folder (with metrics.jsonl), a metrics.jsonl file or a .tar of run folders',
    );
  }
  return { runs, problems };
}

/**
 * The legend label of an imported run: the label it was exported with (`lr=0.05`), else its
 * folder's name (e.g. a sweep trial id), else its run id.
 */
export function importedRunLabel(run: ImportedRun): string {
  return run.label ?? (baseName(run.folder) || run.runId);
}

/**
 * What makes two runs the same run: run id, record count and last record. Re-importing an
 * archive (or the folder a browser run was exported to) finds the runs already there.
 */
export function runIdentity(run: { readonly records: readonly MetricsRecord[] }, fallbackId: string): string {
  const start = run.records.find((record) => record.kind === 'run-start');
  const runId = start?.kind === 'run-start' ? start.runId : fallbackId;
  return `${runId}\u0000${run.records.length}\u0000${JSON.stringify(run.records.at(-1) ?? null)}`;
}

/** The files of a run folder as the CLI writes them: `config.json`, `metrics.jsonl`, `status.json`, `result.json`. */
export function runFolderFiles(run: StoredRun): Record<string, string> {
  const summary = summarizeRun(run.records);
  const config = run.config as { backend?: { chosen?: string } } | undefined;
  return {
    'config.json': `${JSON.stringify(run.config ?? {}, null, 2)}\n`,
    'metrics.jsonl': run.records.map((record) => serializeRecord(record)).join(''),
    'status.json': `${JSON.stringify(
      {
        status: run.status,
        epoch: summary.epochs,
        step: summary.steps,
        updatedAt: run.storedAt,
        ...(run.statusMessage === undefined ? {} : { message: run.statusMessage }),
      },
      null,
      2,
    )}\n`,
    'result.json': `${JSON.stringify(
      {
        runId: run.id,
        label: run.label,
        status: run.status,
        summary,
        backend: config?.backend?.chosen ?? 'unknown',
        ...(run.configHash ? { configHash: run.configHash } : {}),
      },
      null,
      2,
    )}\n`,
  };
}

/** A safe folder name for a run (letters, digits, `.`, `_`, `-`, `=`). */
export function runFolderName(run: StoredRun): string {
  return run.id.replace(/[^A-Za-z0-9._=-]/g, '_') || 'run';
}

/** A tar archive of run folders (`<run id>/config.json`, `metrics.jsonl`, …) that the CLI's tools read. */
export function runsArchive(runs: readonly StoredRun[]): Uint8Array {
  const encoder = new TextEncoder();
  return createTar(
    runs.flatMap((run) =>
      Object.entries(runFolderFiles(run)).map(([name, text]) => ({
        path: `${runFolderName(run)}/${name}`,
        content: encoder.encode(text),
      })),
    ),
  );
}
