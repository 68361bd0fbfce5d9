import { writeFileAtomic } from '@contour/metrics-logger/node';
import type { TopLevelSpec } from 'vega-lite';
import { type ChartFormat, chartFormatOf, svgToPng } from './chart-files.js';
import { ChartWorkerPool } from './chart-workers.js';

export { type ChartFormat, chartFormatOf, svgToPng } from './chart-files.js';

// vega and vega-lite take ~0.5 s to load: only commands that draw load them, when they draw.
let chartModules:
  | Promise<{ vega: typeof import('vega'); compile: typeof import('vega-lite').compile }>
  | undefined;

/** Loads vega and vega-lite (once per thread). */
export function loadChartModules(): NonNullable<typeof chartModules> {
  chartModules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({
    vega,
    compile: vegaLite.compile,
  }));
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
// A placeholder as JSON, `[{"__contourDataSlot":N}]`, or as it reads inside a JSON string (quotes
// escaped), where Vega's parse wrote a `values` array that is not data (an axis's tick values) into
// expression code.
const placeholderPattern = /\[\{(\\?)"__contourDataSlot\1":(\d+)\}\]/g;

/** A chart shape's Vega spec and Vega runtime spec, as JSON with placeholders for the data. */
interface ParsedShape {
  readonly compiled: string;
  parsed?: string;
}

/**
 * A Vega-Lite spec's shape (its JSON with its arrays that do not change what Vega-Lite compiles
 * replaced by one-row placeholders: inline data, `datasets`, and the tick values of axes and legends
 * of fields that are not times; equal arrays share one, so Vega-Lite merges them as it would the
 * real ones), that shape compiled (cached), and the arrays as JSON by placeholder number.
 */
function chartShape(
  compile: typeof import('vega-lite').compile,
  spec: TopLevelSpec,
): { shape: ParsedShape; datasets: string[] } {
  const slots = new Map<string, number>();
  const datasets: string[] = [];
  // Objects whose `values` (data, axes, legends) or every array (`datasets`) are placeholders.
  const holders = new WeakSet<object>();
  const key = JSON.stringify(spec, function (this: unknown, name, value: unknown) {
    const holder = this as Record<string, unknown>;
    if (value === null || typeof value !== 'object') return value;
    if (name === 'data' || name === 'datasets') holders.add(value);
    // Vega-Lite turns a time axis's tick values into expressions; other ones it copies.
    else if ((name === 'axis' || name === 'legend') && untimed(holder)) holders.add(value);
    if (!Array.isArray(value) || !holders.has(holder) || (name !== 'values' && !isDatasets(holder, spec)))
      return value;
    const text = JSON.stringify(value);
    let slot = slots.get(text);
    if (slot === undefined) {
      slot = datasets.length;
      slots.set(text, slot);
      datasets.push(text);
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

/** A field definition of a type other than time, without a time unit. */
function untimed(definition: Record<string, unknown>): boolean {
  return (
    ['quantitative', 'ordinal', 'nominal'].includes(definition.type as string) && !('timeUnit' in definition)
  );
}

/** Whether `holder` is the spec's top-level `datasets` (named inline data). */
function isDatasets(holder: object, spec: TopLevelSpec): boolean {
  return (spec as { datasets?: unknown }).datasets === holder;
}

/** The parsed (Vega runtime) JSON of a shape, parsed once. */
function parsedShape(vega: typeof import('vega'), shape: ParsedShape): string {
  shape.parsed ??= JSON.stringify(vega.parse(JSON.parse(shape.compiled) as import('vega').Spec));
  return shape.parsed;
}

// Expression code of `values` arrays by their JSON (see arrayCode).
const arrayCodes = new Map<string, string>();
const arrayCodesKept = 256;

/**
 * The expression code Vega's parse writes for a `values` array that is not data (an axis's tick
 * values; it writes them as an array literal), taken from Vega's parse of an axis with those values,
 * so it is Vega's own; undefined unless the array holds only numbers, strings, booleans and nulls
 * (objects could hold signals, which the code would read).
 */
function arrayCode(vega: typeof import('vega'), text: string): string | undefined {
  let code = arrayCodes.get(text);
  if (code !== undefined) return code;
  const values: unknown = JSON.parse(text);
  if (!Array.isArray(values) || values.some((value) => value !== null && typeof value === 'object'))
    return undefined;
  const runtime = vega.parse({
    scales: [{ name: 'x', type: 'linear' }],
    axes: [{ scale: 'x', orient: 'bottom', values: values as number[] }],
  }) as unknown as {
    operators: {
      id: number;
      type?: string;
      params?: { values?: { $ref?: number } };
      update?: { code?: string };
    }[];
  };
  const ticks = runtime.operators.find((operator) => operator.type === 'axisticks');
  code = runtime.operators.find((operator) => operator.id === ticks?.params?.values?.$ref)?.update?.code;
  if (code === undefined) return undefined;
  if (arrayCodes.size >= arrayCodesKept) arrayCodes.delete(arrayCodes.keys().next().value as string);
  arrayCodes.set(text, code);
  return code;
}

/**
 * JSON with placeholders, each placeholder replaced by its dataset, and each placeholder inside a
 * string (expression code; see {@link arrayCode}) by the code for its array; undefined when that
 * code cannot be had. Text replaced before one plain `JSON.parse`: a reviver took 1.7× as long.
 */
function withDatasets<T>(
  json: string,
  datasets: readonly string[],
  vega?: typeof import('vega'),
): T | undefined {
  let complete = true;
  const filled = json.replace(placeholderPattern, (placeholder, escaped: string, slot: string) => {
    const text = datasets[Number(slot)];
    if (text === undefined) {
      complete = false;
      return placeholder;
    }
    if (escaped === '') return text;
    const code = vega === undefined ? undefined : arrayCode(vega, text);
    if (code === undefined) complete = false;
    return code === undefined ? placeholder : JSON.stringify(code).slice(1, -1);
  });
  // A placeholder left (e.g. in a string within a string) would draw as a row of its own.
  return complete && !filled.includes(slotKey) ? (JSON.parse(filled) as T) : undefined;
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
  // Vega-Lite writes `values` arrays as they are: a placeholder in a string would be new.
  return withDatasets<import('vega').Spec>(shape.compiled, datasets) ?? compile(spec).spec;
}

type CompiledExpression = (...args: unknown[]) => unknown;
type ExpressionCompiler = (
  context: { readonly functions?: object } | undefined,
  expression: { readonly code?: string },
) => CompiledExpression;
let expressionCompilers: Record<string, unknown> | undefined;
const compiledExpressionsKept = 4096;

/**
 * Vega's expression compiler (a view's `expr` option) keeping each compiled function by its code:
 * every view of a chart compiles the same expressions, with `new Function` (most of creating a
 * view), and each facet of a chart compiles them again. The function is Vega's own, bound to each
 * view's function table as Vega binds it.
 */
function keptExpressions(vega: typeof import('vega')): Record<string, unknown> {
  if (expressionCompilers !== undefined) return expressionCompilers;
  const { runtimeContext } = vega as unknown as {
    runtimeContext(dataflow: object, transforms: object): { expr: Record<string, unknown> };
  };
  const standard = runtimeContext({ events: () => undefined }, {}).expr;
  const compiled = new Map<string, CompiledExpression>();
  const keep = (kind: string): ExpressionCompiler => {
    const compile = standard[kind] as ExpressionCompiler;
    return (context, expression) => {
      const key = `${kind} ${typeof expression.code === 'string' ? expression.code : JSON.stringify(expression)}`;
      let unbound = compiled.get(key);
      if (unbound === undefined) {
        unbound = compile(undefined, expression);
        if (compiled.size >= compiledExpressionsKept) compiled.delete(compiled.keys().next().value as string);
        compiled.set(key, unbound);
      }
      return context?.functions ? unbound.bind(context.functions) : unbound;
    };
  };
  expressionCompilers = {
    ...standard,
    ...Object.fromEntries(
      ['operator', 'parameter', 'event', 'handler', 'encode'].map((kind) => [kind, keep(kind)]),
    ),
  };
  return expressionCompilers;
}

/**
 * A Vega-Lite spec as a Vega runtime spec (what a View is made from): its shape's parse with the
 * spec's arrays put back (see {@link chartShape}; parsed at the first spec of that shape), or when
 * an array cannot be put back, Vega's parse of the spec.
 */
export function parseChartSpec(
  modules: { readonly vega: typeof import('vega'); readonly compile: typeof import('vega-lite').compile },
  spec: TopLevelSpec,
): ReturnType<typeof import('vega').parse> {
  const { vega, compile } = modules;
  const { shape, datasets } = chartShape(compile, spec);
  return (
    withDatasets<ReturnType<typeof vega.parse>>(parsedShape(vega, shape), datasets, vega) ??
    vega.parse(compileChartSpec(compile, spec))
  );
}

/** {@link renderChartSvg} in the calling thread. */
export async function renderChartSvgInThisThread(spec: TopLevelSpec): Promise<string> {
  const modules = await loadChartModules();
  const { vega } = modules;
  const runtime = parseChartSpec(modules, spec);
  const view = new vega.View(runtime, { renderer: 'none', expr: keptExpressions(vega) });
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
  const { svg, pngs } = await drawChartInThisThread(spec, paths);
  await pngs;
  return svg;
}

/**
 * Draws a chart in the calling thread and writes its `.svg` paths; resolves then, with the SVG and
 * the writing of its `.png` paths under way (resvg rasterises in libuv's threads), so the thread
 * can draw its next chart meanwhile.
 */
export async function drawChartInThisThread(
  spec: TopLevelSpec,
  paths: readonly string[],
): Promise<{ svg: string; pngs: Promise<void> }> {
  checkChartPaths(paths);
  const svg = await renderChartSvgInThisThread(spec);
  for (const path of paths) if (chartFormatOf(path) === 'svg') writeFileAtomic(path, svg);
  const pngs = Promise.all(
    paths
      .filter((path) => chartFormatOf(path) === 'png')
      .map(async (path) => writeFileAtomic(path, await svgToPng(svg))),
  ).then(() => undefined);
  return { svg, pngs };
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
