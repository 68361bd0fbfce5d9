/** File formats a chart can be written as. */
export type ChartFormat = 'svg' | 'png';

/** The format a plot path asks for, from its extension. */
export function chartFormatOf(path: string): ChartFormat | undefined {
  const extension = path.toLowerCase().split('.').pop();
  return extension === 'svg' || extension === 'png' ? extension : undefined;
}

// resvg alone (a native addon, without vega): the thread that hands charts to chart workers
// rasterises their PNGs itself.
let resvg: Promise<typeof import('@resvg/resvg-js')> | undefined;

/** Loads resvg (once per thread). */
export function loadResvg(): Promise<typeof import('@resvg/resvg-js')> {
  resvg ??= import('@resvg/resvg-js');
  return resvg;
}

/**
 * Turns an SVG into a PNG with the system fonts, at `scale`× the SVG's size. The rasterising runs
 * in libuv's thread pool, the PNG encoding in the calling thread.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { renderAsync } = await loadResvg();
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return image.asPng();
}
