import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MetricsLogger, MetricsSink } from '@contour/metrics-logger';
import { JsonlFileSink, makeDirectory, writeFileAtomic } from '@contour/metrics-logger/node';
import { finishRun, markRunFailed, runFiles, writeStatus } from '@contour/runs';
import * as tf from '@tensorflow/tfjs-core';
import {
  ContourLogger,
  type ContourLoggerOptions,
  contourLogger as contourLoggerToSink,
  type RunDestination,
} from '../contour-logger.js';
import { LayersOptionError } from '../layers-error.js';

/**
 * {@link ContourLogger} for Node: `target` may also be a directory, which becomes a Contour run
 * directory — `config.json` (run id, creation time, the run-start config, versions),
 * `metrics.jsonl` (appended and fsynced every epoch), `status.json` (`running`, then `finished` or
 * `diverged` at the end of every `fit`), `result.json` (the run summary sweeps and reports read)
 * and `findings.json`. A write that fails (e.g. `DiskFullError` on a full disk) rejects `fit` and
 * marks the run `failed` in `status.json` with the error's first line; when even that cannot be
 * written, `status.json` is removed, so no file says the run is still `running`. `contour plot DIR`, `contour report DIR` and the web app's Runs panel read
 * it like a run of `contour train`. The directory must not hold a run already.
 *
 * @example
 * await model.fit(x, y, { epochs: 5, validationSplit: 0.1, callbacks: [contourLogger('out/runs/my-model')] });
 * // then: contour plot out/runs/my-model --out loss.png
 *
 * @throws LayersOptionError when the directory already holds a run (its `metrics.jsonl`);
 *   DirectoryNotWritableError (one line naming it) when the directory cannot be created.
 */
export function contourLogger(
  target: string | MetricsLogger | MetricsSink,
  options: ContourLoggerOptions = {},
): ContourLogger {
  if (typeof target !== 'string') return contourLoggerToSink(target, options);
  const directory = resolve(target);
  const files = runFiles(directory);
  if (existsSync(files.metrics))
    throw new LayersOptionError(
      'contourLogger',
      'directory',
      'a directory without a run in it (pick another directory or remove the old run)',
      `${target} (it holds metrics.jsonl)`,
    );
  makeDirectory(directory);
  const sink = new JsonlFileSink(files.metrics);
  const destination: RunDestination = {
    start(record) {
      writeFileAtomic(
        files.config,
        `${JSON.stringify(
          {
            formatVersion: 1,
            runId: record.runId,
            createdAt: record.time,
            config: record.config,
            backend: {
              requested: tf.getBackend(),
              chosen: tf.getBackend(),
              reason: 'the active tfjs backend',
            },
            versions: { ...record.versions, node: process.versions.node },
          },
          null,
          2,
        )}\n`,
      );
      writeStatus(directory, { status: 'running', epoch: 0, step: 0, updatedAt: record.time });
    },
    end(ending) {
      sink.flush();
      finishRun(directory, {
        runId: ending.runId,
        status: ending.status,
        epochs: ending.epochs,
        steps: ending.steps,
        backend: tf.getBackend(),
        config: ending.config,
      });
      writeFileAtomic(join(directory, 'findings.json'), `${JSON.stringify(ending.findings, null, 2)}\n`);
    },
    failed(error) {
      // Marks the run failed, or removes status.json when not even that fits.
      markRunFailed(directory, error);
    },
  };
  return new ContourLogger(sink, options, destination);
}
