import { scheduleChartSpec } from '@contour/metrics-logger';
import { createScheduleRegistry, type Schedule, type ScheduleRegistry } from '@contour/schedules';
import type { Command } from 'commander';
import { compactTable } from '../compact-table.js';
import { readJsonInput } from '../json-input.js';
import { loadPlugins } from '../load-plugins.js';
import { chartFormatOf, writeChart } from '../render-chart.js';
import { parseNumberList, parsePositiveInteger, UsageError, userPath } from '../usage-error.js';

interface ScheduleOptions {
  steps: string;
  json?: boolean;
  metrics?: string;
  plot: string[];
  log?: boolean;
  plugin: string[];
  list?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Reads a spec given inline as JSON or as `@file.json` (a regular file ≤ 1 MiB, JSON at most 64
 * deep, no `__proto__`/`constructor`/`prototype` keys).
 */
export function readSpec(text: string): unknown {
  return readJsonInput('spec', text);
}

/** Rates (and momenta) during t = 0..steps−1, feeding metric t after step t when given. */
export function evaluateSchedule(
  schedule: Schedule,
  steps: number,
  metrics: readonly number[] | undefined,
): { rates: number[]; momenta: Array<number | undefined> } {
  const rates: number[] = [];
  const momenta: Array<number | undefined> = [];
  for (let t = 0; t < steps; t += 1) {
    rates.push(schedule.value(t));
    momenta.push(schedule.momentum(t));
    const metric = metrics?.[t];
    if (metric !== undefined) schedule.observe(metric, t);
  }
  return { rates, momenta };
}

function printList(registry: ScheduleRegistry): void {
  for (const entry of registry.list()) {
    const reference = entry.reference ? ` [${entry.reference}]` : '';
    const source = entry.source === 'builtin' ? '' : ` (plugin ${entry.source})`;
    console.log(`${entry.type}${source}${reference}\n  ${entry.description}`);
    for (const parameter of entry.parameters) {
      const fallback = parameter.required
        ? 'required'
        : parameter.default === undefined
          ? 'optional'
          : `default ${JSON.stringify(parameter.default)}`;
      console.log(`    ${parameter.name} (${fallback}): ${parameter.accepts} — ${parameter.description}`);
    }
  }
}

function formatRate(rate: number): string {
  return Number.parseFloat(rate.toPrecision(10)).toString();
}

/** `contour schedule`: prints, lists and plots schedules. */
export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description('print or plot the learning rate of a schedule spec for t = 0..N−1')
    .argument(
      '[spec]',
      'schedule spec as JSON, e.g. \'{"type":"cosine","lr":0.1,"tMax":100}\', or @file.json',
    )
    .option('--steps <n>', 'number of steps to evaluate', '100')
    .option('--json', 'print only a JSON array of the N rates')
    .option('--metrics <values>', 'comma-separated metrics fed to a stateful schedule after each step')
    .option('--plot <file>', 'write the curve to an .svg or .png file (repeatable)', collect, [])
    .option('--log', 'log-scaled rate axis in plots')
    .option('--plugin <module>', 'register a schedule plugin module first (repeatable)', collect, [])
    .option('--list', 'list every schedule type with its parameters and defaults')
    .action(async (specText: string | undefined, options: ScheduleOptions) => {
      const registry = createScheduleRegistry();
      await loadPlugins(registry, options.plugin);
      if (options.list) {
        printList(registry);
        return;
      }
      if (specText === undefined)
        throw new UsageError('schedule needs a spec argument (or --list); see contour schedule --help');
      const steps = parsePositiveInteger('--steps', options.steps);
      const metrics =
        options.metrics === undefined ? undefined : parseNumberList('--metrics', options.metrics);
      for (const path of options.plot) {
        if (!chartFormatOf(path))
          throw new UsageError(`--plot ${path}: the file name must end in .svg or .png`);
      }
      const schedule = registry.create(readSpec(specText));
      if (metrics && !schedule.stateful) {
        throw new UsageError(
          `--metrics needs a stateful schedule (e.g. reduceOnPlateau); "${schedule.type}" is a pure function of t`,
        );
      }
      const { rates, momenta } = evaluateSchedule(schedule, steps, metrics);
      if (options.plot.length > 0) {
        const spec = scheduleChartSpec([{ label: schedule.type, rates }], {
          title: `${schedule.type} learning rate`,
          unit: schedule.unit,
          ...(options.log ? { logScale: true } : {}),
        });
        const written = await writeChart(spec, options.plot.map(userPath));
        if (!options.json) for (const path of written) console.error(`wrote ${path}`);
      }
      if (options.json) {
        console.log(JSON.stringify(rates));
        return;
      }
      const head = [
        't',
        'learning rate',
        ...(schedule.cyclesMomentum ? ['momentum'] : []),
        ...(metrics ? ['metric seen after'] : []),
      ];
      const table = compactTable(head);
      rates.forEach((rate, t) => {
        const momentum = momenta[t];
        table.push([
          String(t),
          formatRate(rate),
          ...(schedule.cyclesMomentum ? [momentum === undefined ? '' : formatRate(momentum)] : []),
          ...(metrics ? [metrics[t] === undefined ? '' : String(metrics[t])] : []),
        ]);
      });
      console.log(`${JSON.stringify(schedule.spec)}  (t counts ${schedule.unit}s)`);
      console.log(table.toString());
    });
}
