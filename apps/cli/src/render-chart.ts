import { writeFileAtomic } from '@contour/metrics-logger/node';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** File formats a chart can be written as. */
export type ChartFormat = 'svg' | 'png';

/** Renders a Vega-Lite spec to SVG headless (no canvas needed). */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Turns an SVG into a PNG with the system fonts, at `scale`× the SVG's size. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** The format a plot path asks for, from its extension. */
export function chartFormatOf(path: string): ChartFormat | undefined {
  const extension = path.toLowerCase().split('.').pop();
  return extension === 'svg' || extension === 'png' ? extension : undefined;
}

/**
 * Renders a Vega-Lite spec and writes it atomically to each path (`.svg` or `.png`, by extension).
 * Returns the paths written.
 */
export async function writeChart(spec: TopLevelSpec, paths: readonly string[]): Promise<string[]> {
  const svg = await renderChartSvg(spec);
  for (const path of paths) {
    const format = chartFormatOf(path);
    if (format === 'svg') writeFileAtomic(path, svg);
    else if (format === 'png') writeFileAtomic(path, svgToPng(svg));
    else throw new Error(`cannot write a chart to ${path}: use a .svg or .png file name`);
  }
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
