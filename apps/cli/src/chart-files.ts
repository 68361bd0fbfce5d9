import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** File formats a chart can be written as. */
export type ChartFormat = 'svg' | 'png';

/** The format a plot path asks for, from its extension. */
export function chartFormatOf(path: string): ChartFormat | undefined {
  const extension = path.toLowerCase().split('.').pop();
  return extension === 'svg' || extension === 'png' ? extension : undefined;
}

/** resvg's options for a chart's PNG at `scale`× the SVG's size, with the system fonts. */
export function pngOptions(scale: number): import('@resvg/resvg-js').ResvgRenderOptions {
  return {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  };
}

// The PNG thread (plain JavaScript, so that it runs from the TypeScript sources too): it renders
// with resvg's synchronous API and collects its young generation after each PNG. resvg (a native
// addon) frees a rendered image's memory (~7 MB of pixels for a 2204 × 766 PNG, plus its parsed
// tree) only when V8 collects the image's wrapper, and its allocator (mimalloc) gives memory freed
// by another thread back late: rasterised in libuv's threads (`renderAsync`), 6 PNGs left ~40–80 MiB
// resident at the demo's peak. Here each PNG's memory is freed, by the thread that allocated it,
// before the next is drawn. The worker's heap is tiny, so the collection costs ~1 ms.
const pngThreadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc');
const { Resvg } = require(workerData.resvg);
parentPort.on('message', ({ id, svg, options }) => {
  try {
    const png = new Uint8Array(new Resvg(svg, options).render().asPng());
    parentPort.postMessage({ id, png }, [png.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
  collect({ type: 'minor' });
});
`;

type PngReply = { readonly id: number } & ({ png: Uint8Array } | { error: string });

/**
 * The thread that rasterises this thread's PNGs, one after another (started at the first PNG).
 * Idle, it does not keep the process alive.
 */
class PngThread {
  private readonly worker = new Worker(pngThreadSource, {
    eval: true,
    workerData: { resvg: createRequire(import.meta.url).resolve('@resvg/resvg-js') },
  });
  private readonly pending = new Map<
    number,
    { resolve: (png: Uint8Array) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;

  constructor() {
    this.worker.on('message', (reply: PngReply) => {
      const job = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('png' in reply) job?.resolve(reply.png);
      else job?.reject(new Error(reply.error));
    });
    this.worker.on('error', (error) => {
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
      pngThread = undefined;
    });
    this.worker.unref();
  }

  render(svg: string, scale: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, svg, options: pngOptions(scale) });
    });
  }
}

let pngThread: PngThread | undefined;

/**
 * Turns an SVG into a PNG with the system fonts, at `scale`× the SVG's size, in a thread of its own
 * (see `pngThreadSource` for why): the calling thread can draw its next chart meanwhile.
 */
export function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  pngThread ??= new PngThread();
  return pngThread.render(svg, scale);
}
