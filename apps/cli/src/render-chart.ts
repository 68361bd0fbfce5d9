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

// Compiled Vega specs by chart shape (the Vega-Lite spec with its inline data left out): a command
// draws the same few shapes for every run, and compiling took a fifth of the drawing time.
const compiledShapes = new Map<string, string>();
const compiledShapesKept = 64;
const slotKey = '__contourDataSlot';

/**
 * Compiles a Vega-Lite spec to Vega, reusing the compilation of an earlier spec of the same shape:
 * each inline `data.values` array stands in the compiled spec as a one-row placeholder (equal
 * arrays share one, so Vega-Lite merges them as it would the real ones) and gets its rows back after.
 */
export function compileChartSpec(
  compile: typeof import('vega-lite').compile,
  spec: TopLevelSpec,
): import('vega').Spec {
  const slots = new Map<string, number>();
  const datasets: unknown[] = [];
  const shape = JSON.stringify(spec, function (this: unknown, key, value: unknown) {
    if (key !== 'values' || !Array.isArray(value) || this === null || typeof this !== 'object') return value;
    const text = JSON.stringify(value);
    let slot = slots.get(text);
    if (slot === undefined) {
      slot = datasets.length;
      slots.set(text, slot);
      datasets.push(value);
    }
    return [{ [slotKey]: slot }];
  });
  let compiled = compiledShapes.get(shape);
  if (compiled === undefined) {
    compiled = JSON.stringify(compile(JSON.parse(shape) as TopLevelSpec).spec);
    if (compiledShapes.size >= compiledShapesKept)
      compiledShapes.delete(compiledShapes.keys().next().value as string);
    compiledShapes.set(shape, compiled);
  }
  return JSON.parse(compiled, (_key, value: unknown) => {
    if (!Array.isArray(value) || value.length !== 1) return value;
    const row: unknown = value[0];
    if (row === null || typeof row !== 'object') return value;
    const slot = (row as Record<string, unknown>)[slotKey];
    return typeof slot === 'number' && Object.keys(row).length === 1 ? datasets[slot] : value;
  }) as import('vega').Spec;
}

/** {@link renderChartSvg} in the calling thread. */
export async function renderChartSvgInThisThread(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadChartModules();
  const view = new vega.View(vega.parse(compileChartSpec(compile, spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
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
