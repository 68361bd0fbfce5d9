import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  type AutoLearningRateRecord,
  classicGridSpec,
  type Finding,
  findings,
  formatMetric,
  learningRatePoints,
  lossAndRateChartSpec,
  type MetricsRecord,
  type RangeTestRecord,
  type RunCurves,
  type RunSummary,
  rangeTestChartSpec,
  runCurves,
  scheduleChartSpec,
  summarizeRun,
  updateRatioChartSpec,
} from '@contour/metrics-logger';
import { writeFileAtomic } from '@contour/metrics-logger/node';
import type { RunConfigFile } from '@contour/runs';
import { readJsonFile, readRunRecords, readRunState, runFiles, type SweepFile } from '@contour/runs/files';
import type { TopLevelSpec } from 'vega-lite';
import { compactTable } from './compact-table.js';
import { prepareCharts, renderChartSvg, writeChart, writeChartSvg } from './render-chart.js';
import { readSuccessiveHalving, successiveHalvingParagraph } from './sweep-scheduler.js';

/** A run read back from its directory. */
export interface LoadedRun {
  readonly directory: string;
  readonly label: string;
  readonly records: MetricsRecord[];
  readonly summary: RunSummary;
  readonly curves: RunCurves;
  /** Automatic findings (diverged, collapsed, oscillating, too slow, overfitting, update ratios) with evidence. */
  readonly findings: Finding[];
  /** Where successive halving left the trial and why (sweeps run with `--scheduler asha`). */
  readonly decision?: { readonly state: string; readonly reason: string };
}

/**
 * Reads a run directory: its metrics.jsonl, every record validated and checked against
 * result.json and status.json (`readRunRecords`; a torn last line is ignored). A log without a
 * finish record is `failed` (with status.json's message) or not running when no live process
 * writes it (`readRunState`), never `running` from the log alone.
 */
export function loadRun(directory: string, label?: string): LoadedRun {
  const path = runFiles(directory).metrics;
  if (!existsSync(path)) throw new Error(`${directory}: no metrics.jsonl (not a run directory)`);
  const records = readRunRecords(directory);
  const name = label ?? readJsonFile<RunConfigFile>(runFiles(directory).config)?.runId ?? basename(directory);
  return {
    directory,
    label: name,
    records,
    summary: summarizeRun(records, readRunState(directory, records)),
    curves: runCurves(name, records),
    findings: findings(records),
  };
}

/**
 * The runs of a sweep directory in trial order, labelled by their overrides. A trial whose files
 * cannot be read throws, unless `onUnreadable` is given: it is then told the reason (which names
 * the file) and the trial is left out.
 */
export function loadSweepRuns(
  directory: string,
  onUnreadable?: (trialDirectory: string, reason: string) => void,
): LoadedRun[] {
  const load = (trialDirectory: string, label?: string): LoadedRun[] => {
    if (onUnreadable === undefined) return [loadRun(trialDirectory, label)];
    try {
      return [loadRun(trialDirectory, label)];
    } catch (error) {
      onUnreadable(trialDirectory, (error as Error).message);
      return [];
    }
  };
  const sweep = readJsonFile<SweepFile>(join(directory, 'sweep.json'));
  if (sweep) {
    const decisions = new Map(
      (readSuccessiveHalving(directory)?.trials ?? []).map((trial) => [trial.id, trial] as const),
    );
    return sweep.trials
      .filter((trial) => existsSync(runFiles(join(directory, 'trials', trial.id)).metrics))
      .flatMap((trial) =>
        load(join(directory, 'trials', trial.id), trial.label).map((run) => {
          const decision = decisions.get(trial.id);
          // A later grid sweep that trained the trial on past its decision: it no longer describes it.
          if (!decision || run.summary.epochs > decision.epochs) return run;
          return { ...run, decision: { state: decision.state, reason: decision.reason } };
        }),
      );
  }
  const trials = join(directory, 'trials');
  if (!existsSync(trials)) throw new Error(`${directory}: neither a run nor a sweep directory`);
  return readdirSync(trials)
    .sort()
    .flatMap((name) => load(join(trials, name)));
}

/** Expands arguments that are sweep directories into their runs. */
export function loadRuns(directories: readonly string[]): LoadedRun[] {
  return directories.flatMap((directory) =>
    existsSync(runFiles(directory).metrics) ? [loadRun(directory)] : loadSweepRuns(directory),
  );
}

/** The learning rate per step of a run, from its step records. */
function ratesPerStep(records: readonly MetricsRecord[]): number[] {
  return records.flatMap((record) => (record.kind === 'step' ? [record.learningRate] : []));
}

/** A run's automatic learning rate (`--lr auto`): the choice and the range tests behind it. */
export interface AutoRateRecords {
  readonly choice: AutoLearningRateRecord;
  readonly rangeTests: readonly RangeTestRecord[];
}

/** The `auto-learning-rate` record of a run and its `range-test` records; undefined without them. */
export function autoRateRecords(records: readonly MetricsRecord[]): AutoRateRecords | undefined {
  const choice = records.find(
    (record): record is AutoLearningRateRecord => record.kind === 'auto-learning-rate',
  );
  if (!choice) return undefined;
  return {
    choice,
    rangeTests: records.filter((record): record is RangeTestRecord => record.kind === 'range-test'),
  };
}

/**
 * The range-test chart of a run with an automatic rate: the curve of the seed whose own rate is
 * nearest the chosen one (the median seed), fastai's four suggestions and the chosen rate (bold).
 */
export function autoRateChartSpec(auto: AutoRateRecords, label: string) {
  const { choice, rangeTests } = auto;
  let nearest = 0;
  const distance = (index: number) => {
    const rate = choice.seedLearningRates[index];
    return rate === null || rate === undefined
      ? Number.POSITIVE_INFINITY
      : Math.abs(Math.log(rate / choice.learningRate));
  };
  for (let index = 1; index < rangeTests.length; index += 1)
    if (distance(index) < distance(nearest)) nearest = index;
  const test = rangeTests[nearest] as RangeTestRecord;
  const rate = Number.parseFloat(choice.learningRate.toPrecision(3));
  return rangeTestChartSpec(
    {
      points: test.points,
      trimmed: test.trimmed,
      suggestions: [
        ...Object.entries(test.suggestions).map(([name, item]) => ({ name, ...item })),
        { name: 'auto', learningRate: choice.learningRate, loss: Number.NaN },
      ],
      selected: 'auto',
    },
    { title: `${label}: range test (seed ${test.seed}) and the automatic rate ${rate}` },
  );
}

/** The findings of runs as console lines: `label: message (evidence)`, or a line saying there are none. */
export function findingLines(runs: readonly LoadedRun[]): string[] {
  return runs.flatMap((run) =>
    run.findings.length === 0
      ? [
          `${run.label}: no findings (no divergence, oscillation, slow progress, overfitting or odd update ratio)`,
        ]
      : run.findings.map((finding) => `${run.label}: ${finding.message} (${finding.evidence})`),
  );
}

function hasUpdateRatios(runs: readonly LoadedRun[]): boolean {
  return runs.some((run) =>
    run.curves.epochs.some((record) => Object.keys(record.updateRatios ?? {}).length > 0),
  );
}

/** The loss curves of runs with the rates they applied, for the "schedule under its loss" chart. */
function lossAndRateSpec(runs: readonly LoadedRun[], title?: string) {
  return lossAndRateChartSpec(
    runs.map((run) => ({ ...run.curves, learningRates: learningRatePoints(run.records) })),
    title === undefined ? {} : { title },
  );
}

/** A chart of a run directory and the files it is written to. */
interface RunPlot {
  readonly spec: TopLevelSpec;
  readonly paths: readonly string[];
}

/**
 * A run's plots: loss.svg/png (cross entropy | error), learning-rate.svg, loss-and-rate.svg (the
 * rate drawn under the loss it produced, same epoch axis), update-ratio.svg (per layer) and, with an
 * automatic rate, range-test.svg.
 */
function runPlots(run: LoadedRun): RunPlot[] {
  const plots: RunPlot[] = [
    {
      spec: classicGridSpec([run.curves], {
        title: `${run.label}: loss per epoch (training solid, validation dashed)`,
      }),
      paths: [join(run.directory, 'loss.svg'), join(run.directory, 'loss.png')],
    },
  ];
  const rates = ratesPerStep(run.records);
  if (rates.length > 0) {
    plots.push(
      {
        spec: scheduleChartSpec([{ label: run.label, rates }], { title: 'learning rate applied per step' }),
        paths: [join(run.directory, 'learning-rate.svg')],
      },
      {
        spec: lossAndRateSpec([run], `${run.label}: loss per epoch and the rate that produced it`),
        paths: [join(run.directory, 'loss-and-rate.svg')],
      },
    );
  }
  if (hasUpdateRatios([run]))
    plots.push({
      spec: updateRatioChartSpec([run.curves]),
      paths: [join(run.directory, 'update-ratio.svg')],
    });
  const auto = autoRateRecords(run.records);
  if (auto)
    plots.push({ spec: autoRateChartSpec(auto, run.label), paths: [join(run.directory, 'range-test.svg')] });
  return plots;
}

/** Writes a run's plots (see {@link runPlots}); returns the paths written, in that order. */
export async function writeRunPlots(run: LoadedRun): Promise<string[]> {
  // Drawn concurrently (chart workers, PNG thread pool); listed in this order.
  return (await Promise.all(runPlots(run).map(({ spec, paths }) => writeChart(spec, paths)))).flat();
}

/**
 * Hands the chart workers a run's plots as they stand (e.g. after its first epoch) to compile and
 * parse while it trains, so {@link writeRunPlots} at its end only draws. Best effort: a run
 * directory that cannot be read yet prepares nothing.
 */
export function prepareRunPlots(directory: string, label: string): void {
  let run: LoadedRun;
  try {
    run = loadRun(directory, label);
  } catch {
    return;
  }
  prepareCharts(runPlots(run).map(({ spec }) => spec));
}

/** Columns of the results table (console, HTML, JSON). */
export function resultRows(runs: readonly LoadedRun[]) {
  return runs.map(({ label, summary, decision }) => ({
    run: label,
    // A trial successive halving stopped at a rung says `stopped` in its own files; one written
    // before they did says `interrupted` (paused at the rung), so its decision says it here.
    status: decision?.state === 'stopped' ? 'stopped' : summary.status,
    ...(summary.statusMessage === undefined ? {} : { statusMessage: summary.statusMessage }),
    epochs: summary.epochs,
    finalTrainCrossEntropy: summary.final.train.crossEntropy,
    finalValidationCrossEntropy: summary.final.validation?.crossEntropy,
    finalTrainError: summary.final.train.classificationError,
    finalValidationError: summary.final.validation?.classificationError,
    bestValidationCrossEntropy: summary.bestValidationCrossEntropy?.value,
    bestValidationEpoch: summary.bestValidationCrossEntropy?.epoch,
    bestValidationError: summary.bestValidationError?.value,
    divergedAtEpoch: summary.divergedAtEpoch,
    overfitGap: summary.overfitGap,
    ...(decision ? { stoppedBecause: decision.reason } : {}),
  }));
}

const columns: ReadonlyArray<[string, (row: ReturnType<typeof resultRows>[number]) => string]> = [
  ['run', (row) => row.run],
  ['status', (row) => (row.statusMessage === undefined ? row.status : `${row.status}: ${row.statusMessage}`)],
  ['epochs', (row) => String(row.epochs)],
  ['train ce', (row) => formatMetric(row.finalTrainCrossEntropy)],
  ['val ce', (row) => formatMetric(row.finalValidationCrossEntropy)],
  ['train err', (row) => formatMetric(row.finalTrainError)],
  ['val err', (row) => formatMetric(row.finalValidationError)],
  [
    'best val ce (epoch)',
    (row) =>
      row.bestValidationCrossEntropy === undefined
        ? '—'
        : `${formatMetric(row.bestValidationCrossEntropy)} (${row.bestValidationEpoch})`,
  ],
  ['best val err', (row) => formatMetric(row.bestValidationError)],
  ['diverged at', (row) => (row.divergedAtEpoch === undefined ? '—' : `epoch ${row.divergedAtEpoch}`)],
  ['overfit gap', (row) => formatMetric(row.overfitGap)],
];

/** The columns, with successive halving's reasons when any run has one. */
function columnsOf(rows: ReturnType<typeof resultRows>) {
  return rows.some((row) => row.stoppedBecause !== undefined)
    ? [...columns, ['successive halving', (row) => row.stoppedBecause ?? '—'] as (typeof columns)[number]]
    : columns;
}

/** The results table for the terminal. */
export function resultsTable(runs: readonly LoadedRun[]): string {
  const rows = resultRows(runs);
  const shown = columnsOf(rows);
  const table = compactTable(shown.map(([name]) => name));
  for (const row of rows) table.push(shown.map(([, read]) => read(row)));
  return table.toString();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * The report without any image (`--plots none`): `results.json`, `results.csv` and a
 * `report.html` with the results table and the findings only.
 */
function writeTextReport(
  directory: string,
  runs: readonly LoadedRun[],
  title: string,
  unreadable: readonly string[],
): Promise<string[]> {
  const written = writeReportFiles(directory, runs, title, {
    overlay: '<p>No charts: the sweep ran with <code>--plots none</code>.</p>',
    rowsPerRun: '',
    rateUnderLoss: '',
    updateRatios: '',
    autoHtml: '',
    unreadable,
  });
  return Promise.resolve(written);
}

/** The charts of a report (see {@link writeReport}). */
function reportCharts(runs: readonly LoadedRun[], title: string) {
  const curves = runs.map((run) => run.curves);
  return {
    grid: classicGridSpec(curves, { title: `${title}: loss per epoch (training solid, validation dashed)` }),
    rows: classicGridSpec(curves, { layout: 'rows', title: 'Each run on its own' }),
    rateUnderLoss: lossAndRateSpec(runs),
    updateRatios: hasUpdateRatios(runs) ? updateRatioChartSpec(curves) : undefined,
    autoRuns: runs.flatMap((run) => {
      const auto = autoRateRecords(run.records);
      return auto ? [{ run, auto, spec: autoRateChartSpec(auto, run.label) }] : [];
    }),
  };
}

/**
 * Hands the chart workers a report's charts as its runs stand (e.g. after every run's first epoch)
 * to compile and parse, so {@link writeReport} at the end only draws. Best effort, like
 * {@link prepareRunPlots}.
 */
export function prepareReport(loadRuns: () => readonly LoadedRun[], title: string): void {
  let runs: readonly LoadedRun[];
  try {
    runs = loadRuns();
  } catch {
    return;
  }
  const charts = reportCharts(runs, title);
  prepareCharts([
    charts.grid,
    charts.rows,
    charts.rateUnderLoss,
    ...(charts.updateRatios ? [charts.updateRatios] : []),
    ...charts.autoRuns.map(({ spec }) => spec),
  ]);
}

/**
 * Writes a sweep's (or any set of runs') report: `sweep.svg` / `sweep.png` (the classic grid, all
 * runs overlaid; `report.svg` / `report.png` when `directory` is a single run's), `results.json`, `results.csv` and `report.html` (the charts inline and the
 * results table; no scripts, so it opens anywhere).
 */
export async function writeReport(
  directory: string,
  runs: readonly LoadedRun[],
  title: string,
  options: {
    readonly charts?: boolean;
    /** Why each run left out could not be read (one line each), named at the top of report.html. */
    readonly unreadable?: readonly string[];
  } = {},
): Promise<string[]> {
  const unreadable = options.unreadable ?? [];
  if (options.charts === false) return writeTextReport(directory, runs, title, unreadable);
  const charts = reportCharts(runs, title);
  // Every chart starts at once (chart workers, PNG thread pool); the overlay is sweep.svg's SVG.
  // A single run's report is not a sweep: its grid is report.svg/png, beside the run's own loss.svg.
  const gridName = existsSync(runFiles(directory).metrics) ? 'report' : 'sweep';
  const gridPaths = [join(directory, `${gridName}.svg`), join(directory, `${gridName}.png`)];
  const overlayChart = writeChartSvg(charts.grid, gridPaths);
  const rowsChart = renderChartSvg(charts.rows);
  const rateChart = renderChartSvg(charts.rateUnderLoss);
  const updateRatioChart = charts.updateRatios
    ? renderChartSvg(charts.updateRatios)
    : Promise.resolve('<p>No update ratios were recorded.</p>');
  const autoRuns = charts.autoRuns;
  const autoCharts = Promise.all(autoRuns.map(({ spec }) => renderChartSvg(spec)));
  const [overlay, rowsPerRun, rateUnderLoss, updateRatios, autoSvgs] = await Promise.all([
    overlayChart,
    rowsChart,
    rateChart,
    updateRatioChart,
    autoCharts,
  ]);
  const rateText = (rate: number | null | undefined) =>
    rate === null || rate === undefined ? '—' : String(Number.parseFloat(rate.toPrecision(3)));
  const autoHtml =
    autoRuns.length === 0
      ? ''
      : `<h2>Learning rate chosen by the range test</h2>\n${autoRuns
          .map(({ run, auto }, index) => {
            const names = ['valley', 'slide', 'minimum', 'steep'];
            const testRows = auto.rangeTests
              .map(
                (test, testIndex) =>
                  `<tr><td>${test.seed}</td><td>${escapeHtml(test.stop)}</td><td>${test.points.length}</td>${names
                    .map((name) => `<td>${rateText(test.suggestions[name]?.learningRate)}</td>`)
                    .join('')}<td>${rateText(auto.choice.seedLearningRates[testIndex])}</td></tr>`,
              )
              .join('');
            return `<h3>${escapeHtml(run.label)}</h3>
<p><strong>${escapeHtml(auto.choice.explanation)}</strong></p>
<p>Rule: ${escapeHtml(auto.choice.rule)}. Spread over seeds: ×${auto.choice.spread.toFixed(2)}.${
              auto.choice.schedule === undefined
                ? ''
                : ` Schedule: <code>${escapeHtml(JSON.stringify(auto.choice.schedule))}</code>.`
            }</p>
<table><thead><tr><th>seed</th><th>stop</th><th>batches</th>${names.map((name) => `<th>${name}</th>`).join('')}<th>rule</th></tr></thead><tbody>${testRows}</tbody></table>
${autoSvgs[index] ?? ''}`;
          })
          .join('\n')}`;
  return [
    ...gridPaths,
    ...writeReportFiles(directory, runs, title, {
      overlay,
      rowsPerRun,
      rateUnderLoss,
      updateRatios,
      autoHtml,
      unreadable,
    }),
  ];
}

/** results.json, results.csv and report.html around the given chart markup. */
function writeReportFiles(
  directory: string,
  runs: readonly LoadedRun[],
  title: string,
  charts: {
    overlay: string;
    rowsPerRun: string;
    rateUnderLoss: string;
    updateRatios: string;
    autoHtml: string;
    unreadable: readonly string[];
  },
): string[] {
  const { overlay, rowsPerRun, rateUnderLoss, updateRatios, autoHtml, unreadable } = charts;
  const unreadableHtml =
    unreadable.length === 0
      ? ''
      : `<p class="unreadable"><strong>Incomplete: ${unreadable.length} run${unreadable.length === 1 ? '' : 's'} could not be read and ${unreadable.length === 1 ? 'is' : 'are'} left out.</strong></p>\n<ul>${unreadable
          .map((reason) => `<li class="error">${escapeHtml(reason)}</li>`)
          .join('')}</ul>\n`;
  const written: string[] = [];
  const rows = resultRows(runs);
  writeFileAtomic(join(directory, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
  // Every row's keys: a failed run's statusMessage need not be in the first row.
  const header = rows.length === 0 ? ['run'] : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const csv = [
    header.join(','),
    ...rows.map((row) =>
      header
        .map((key) => {
          const value = (row as Record<string, unknown>)[key];
          return value === undefined
            ? ''
            : /[",\n]/.test(String(value))
              ? `"${String(value).replaceAll('"', '""')}"`
              : String(value);
        })
        .join(','),
    ),
  ].join('\n');
  writeFileAtomic(join(directory, 'results.csv'), `${csv}\n`);
  const shown = columnsOf(rows);
  const tableHtml = `<table><thead><tr>${shown.map(([name]) => `<th>${escapeHtml(name)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr class="${escapeHtml(row.status)}">${shown.map(([, read]) => `<td>${escapeHtml(read(row))}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  const halving = readSuccessiveHalving(directory);
  // A sweep's run directories are named by trial id: what each holds now, beside its decision.
  const trainedEpochs = new Map(runs.map((run) => [basename(run.directory), run.summary.epochs] as const));
  const halvingHtml = halving
    ? `<p>${escapeHtml(successiveHalvingParagraph(halving, trainedEpochs))}</p>`
    : '';
  const findingsHtml = runs
    .map(
      (run) =>
        `<h3>${escapeHtml(run.label)}</h3>${
          run.findings.length === 0
            ? '<p class="none">No findings: no divergence, oscillation, slow progress, overfitting or update ratio outside −3 ± 1.</p>'
            : `<ul>${run.findings
                .map(
                  (finding) =>
                    `<li class="${finding.severity}"><strong>${escapeHtml(finding.message)}</strong> — ${escapeHtml(finding.evidence)}</li>`,
                )
                .join('')}</ul>`
        }`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Contour report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}tr.diverged td{color:#b00}li.error{color:#b00}li{margin:.25rem 0}svg{max-width:100%;height:auto}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${unreadableHtml}${autoHtml}${halvingHtml}
<p>Cross entropy and classification error per epoch; training solid, validation dashed; a cross marks where a run stopped being finite.</p>
${overlay}
<h2>Results</h2>
${tableHtml}
<h2>Diagnostics</h2>
<p>Automatic findings per run, each with its evidence (thresholds: <code>defaultFindingThresholds</code> in @contour/metrics-logger).</p>
${findingsHtml}
<h3>The schedule under the loss it produced</h3>
${rateUnderLoss}
<h3>Update : parameter ratio per layer</h3>
<p>log10(mean |update| / mean |weight|) of each layer's kernel over the last step of each epoch (DL4J); about −3 is healthy, above −2 the rate is likely too high, below −4 too low.</p>
${updateRatios}
<h2>Runs one by one</h2>
${rowsPerRun}
<p><small>Written by contour ${escapeHtml(new Date().toISOString())} from ${runs.length} run director${runs.length === 1 ? 'y' : 'ies'}.</small></p>
</body></html>
`;
  writeFileAtomic(join(directory, 'report.html'), html);
  written.push(
    join(directory, 'results.json'),
    join(directory, 'results.csv'),
    join(directory, 'report.html'),
  );
  return written;
}
