import type { EpochRecord, MetricsRecord, SplitMetrics } from './records.js';

const splitNames = ['train', 'validation', 'test'] as const;
const metricNames: ReadonlyArray<keyof SplitMetrics> = ['crossEntropy', 'classificationError', 'loss'];

function cell(value: number | undefined): string {
  if (value === undefined) return '';
  return String(value);
}

/**
 * One CSV row per epoch record: epoch, step, learningRate, seconds, then `<split>_<metric>` columns
 * and `updateRatio_<layer>` columns for whatever the records contain. NaN and ±Infinity are written
 * as such; missing values are empty.
 */
export function epochsToCsv(records: readonly MetricsRecord[]): string {
  const epochs = records.filter((record): record is EpochRecord => record.kind === 'epoch');
  const metricColumns = splitNames.flatMap((split) =>
    metricNames
      .filter((metric) => epochs.some((record) => record[split]?.[metric] !== undefined))
      .map((metric) => ({
        header: `${split}_${metric}`,
        read: (record: EpochRecord) => record[split]?.[metric],
      })),
  );
  const layers = [...new Set(epochs.flatMap((record) => Object.keys(record.updateRatios ?? {})))];
  const header = [
    'epoch',
    'step',
    'learningRate',
    'seconds',
    ...metricColumns.map((column) => column.header),
    ...layers.map((layer) => `updateRatio_${layer}`),
  ];
  const rows = epochs.map((record) =>
    [
      String(record.epoch),
      String(record.step),
      cell(record.learningRate),
      cell(record.seconds),
      ...metricColumns.map((column) => cell(column.read(record))),
      ...layers.map((layer) => cell(record.updateRatios?.[layer])),
    ].join(','),
  );
  return `${[header.map((name) => (/[",]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name)).join(','), ...rows].join('\n')}\n`;
}
