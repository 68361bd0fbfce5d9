import { writeFileAtomic } from '@contour/metrics-logger/node';
import type { TopLevelSpec } from 'vega-lite';
import { ChartWorkerPool } from './chart-workers.js';

/** File formats a chart can be written as. */
export type ChartFormat = 'svg' | 'png';

// vega, vega-lite and resvg take ~0.5 s to load: only commands that draw load them, when they draw.
let chartModules:
  | Promise<{
      vega: typeof import('vega');
      compile: typeof import('vega-lite').compile;
      resvg: typeof import('@resvg/resvg-js');
    }>
  | undefined;

/** Loads vega, vega-lite and resvg (once per thread). */
export function loadChartModules(): NonNullable<typeof chartModules> {
  chartModules ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(
    ([vega, vegaLite, resvg]) => ({ vega, compile: vegaLite.compile, resvg }),
  );
  return chartModules;
}

let workers: ChartWorkerPool | undefined;

/**
 * Draws charts in worker threads from now on. A command that trains first calls this before
 * training, so the chart modules load and warm up on another core while it trains, and afterwards
 * its charts are drawn there while resvg rasterises the PNGs in libuv's threads. One worker by
 * default: each holds its own vega (~80 MB), and a second one took `pnpm demo` above 400 MB.
 * Pair with {@link stopChartWorkers}.
 */
export function startChartWorkers(size = 1): void {
  workers ??= new ChartWorkerPool(size);
}

/** Stops the chart workers; charts are drawn in this thread again. */
export async function stopChartWorkers(): Promise<void> {
  const pool = workers;
  workers = undefined;
  await pool?.close();
}

/** Renders a Vega-Lite spec to SVG headless (no canvas needed). */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  return workers === undefined ? renderChartSvgInThisThread(spec) : workers.render(spec, []);
}

// Compiled and parsed Vega specs by chart shape (the Vega-Lite spec with its inline data left out):
// a command draws the same few shapes for every run, Vega-Lite's compile took a fifth of the drawing
// time and Vega's parse a tenth, and a sweep knows its charts' shapes from its first epoch on
// (`prepareCharts`). Neither reads the inline rows, which are put back into the parsed spec.
const chartShapes = new Map<string, ParsedShape>();
const chartShapesKept = 64;
const slotKey = '__contourDataSlot';

/** A chart shape's Vega spec and Vega runtime spec, as JSON with placeholders for the data. */
interface ParsedShape {
  readonly compiled: string;
  parsed?: string | null;
}

/**
 * A Vega-Lite spec's shape (its JSON with each inline `data.values` array replaced by a one-row
 * placeholder; equal arrays share one, so Vega-Lite merges them as it would the real ones), that
 * shape compiled (cached), and the arrays by placeholder number.
 */
function chartShape(
  compile: typeof import('vega-lite').compile,
  spec: TopLevelSpec,
): { shape: ParsedShape; datasets: unknown[] } {
  const slots = new Map<string, number>();
  const datasets: unknown[] = [];
  const key = JSON.stringify(spec, function (this: unknown, name, value: unknown) {
    if (name !== 'values' || !Array.isArray(value) || this === null || typeof this !== 'object') return value;
    const text = JSON.stringify(value);
    let slot = slots.get(text);
    if (slot === undefined) {
      slot = datasets.length;
      slots.set(text, slot);
      datasets.push(value);
    }
    return [{ [slotKey]: slot }];
  });
  let shape = chartShapes.get(key);
  if (shape === undefined) {
    shape = { compiled: JSON.stringify(compile(JSON.parse(key) as TopLevelSpec).spec) };
    if (chartShapes.size >= chartShapesKept) chartShapes.delete(chartShapes.keys().next().value as string);
    chartShapes.set(key, shape);
  }
  return { shape, datasets };
}

/**
 * The parsed (Vega runtime) JSON of a shape, parsed once; null when the parse turned a placeholder
 * into expression code (a `values` array that is not data, e.g. an axis's tick values), which
 * then cannot get its rows back.
 */
function parsedShape(vega: typeof import('vega'), shape: ParsedShape): string | null {
  if (shape.parsed === undefined) {
    const parsed = JSON.stringify(vega.parse(JSON.parse(shape.compiled) as import('vega').Spec));
    shape.parsed = parsed.includes(`\\"${slotKey}\\"`) ? null : parsed;
  }
  return shape.parsed;
}

/** JSON with placeholders, each placeholder replaced by its dataset. */
function withDatasets<T>(json: string, datasets: readonly unknown[]): T {
  return JSON.parse(json, (_key, value: unknown) => {
    if (!Array.isArray(value) || value.length !== 1) return value;
    const row: unknown = value[0];
    if (row === null || typeof row !== 'object') return value;
    const slot = (row as Record<string, unknown>)[slotKey];
    return typeof slot === 'number' && Object.keys(row).length === 1 ? datasets[slot] : value;
  }) as T;
}

/**
 * Compiles a Vega-Lite spec to Vega, reusing the compilation of an earlier spec of the same shape
 * (see {@link chartShape}); each inline dataset gets its rows back after.
 */
export function compileChartSpec(
  compile: typeof import('vega-lite').compile,
  spec: TopLevelSpec,
): import('vega').Spec {
  const { shape, datasets } = chartShape(compile, spec);
  return withDatasets(shape.compiled, datasets);
}

/** {@link renderChartSvg} in the calling thread. */
export async function renderChartSvgInThisThread(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadChartModules();
  const { shape, datasets } = chartShape(compile, spec);
  const parsed = parsedShape(vega, shape);
  const runtime =
    parsed === null
      ? vega.parse(withDatasets(shape.compiled, datasets))
      : withDatasets<ReturnType<typeof vega.parse>>(parsed, datasets);
  const view = new vega.View(runtime, { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Compiles and parses a chart's shape without drawing it, so that drawing a later spec of the same
 * shape (the same chart with other rows) starts from the parsed spec.
 */
export async function prepareChartInThisThread(spec: TopLevelSpec): Promise<void> {
  const { vega, compile } = await loadChartModules();
  parsedShape(vega, chartShape(compile, spec).shape);
}

/**
 * Hands the chart workers specs of charts to come (the same charts with fewer rows, e.g. after a
 * sweep's second epoch) to compile and parse (see {@link prepareChartInThisThread}) while they are
 * otherwise idle; nothing is drawn or written. Does nothing without chart workers: in this thread it would only delay
 * the caller.
 */
export function prepareCharts(specs: readonly TopLevelSpec[]): void {
  workers?.prepare(specs);
}

/**
 * Turns an SVG into a PNG with the system fonts, at `scale`× the SVG's size. The rasterising runs
 * in libuv's thread pool, off the JavaScript thread.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { resvg } = await loadChartModules();
  const image = await resvg.renderAsync(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return image.asPng();
}

/** The format a plot path asks for, from its extension. */
export function chartFormatOf(path: string): ChartFormat | undefined {
  const extension = path.toLowerCase().split('.').pop();
  return extension === 'svg' || extension === 'png' ? extension : undefined;
}

function checkChartPaths(paths: readonly string[]): void {
  for (const path of paths) {
    if (chartFormatOf(path) === undefined)
      throw new Error(`cannot write a chart to ${path}: use a .svg or .png file name`);
  }
}

/**
 * Renders a Vega-Lite spec and writes it atomically to each path (`.svg` or `.png`, by extension).
 * Returns the SVG.
 */
export async function writeChartSvg(spec: TopLevelSpec, paths: readonly string[]): Promise<string> {
  checkChartPaths(paths);
  return workers === undefined ? writeChartInThisThread(spec, paths) : workers.render(spec, paths);
}

/** {@link writeChartSvg} in the calling thread. */
export async function writeChartInThisThread(spec: TopLevelSpec, paths: readonly string[]): Promise<string> {
  checkChartPaths(paths);
  const svg = await renderChartSvgInThisThread(spec);
  await Promise.all(
    paths.map(async (path) =>
      writeFileAtomic(path, chartFormatOf(path) === 'png' ? await svgToPng(svg) : svg),
    ),
  );
  return svg;
}

/**
 * Renders a Vega-Lite spec and writes it atomically to each path (`.svg` or `.png`, by extension).
 * Returns the paths written.
 */
export async function writeChart(spec: TopLevelSpec, paths: readonly string[]): Promise<string[]> {
  await writeChartSvg(spec, paths);
  return [...paths];
}

/**
 * Writes a chart as `<base>.<format>` for each format; the signature other commands use.
 * Returns the paths written.
 */
export async function renderChart(
  spec: TopLevelSpec,
  base: string,
  formats: readonly ChartFormat[],
): Promise<string[]> {
  return writeChart(
    spec,
    formats.map((format) => `${base}.${format}`),
  );
}
