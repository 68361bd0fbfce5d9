/** What a browser says about its WebGL implementation (see {@link describeWebGL}). */
export interface WebGLRendererInfo {
  /** `UNMASKED_RENDERER_WEBGL` (WEBGL_debug_renderer_info), else the masked `RENDERER`. */
  readonly renderer: string;
  /**
   * True when a context exists only without `failIfMajorPerformanceCaveat`: the browser itself
   * says this WebGL is much slower than native (a software or blocklisted GPU path).
   */
  readonly majorPerformanceCaveat: boolean;
}

/**
 * Renderer names of software rasterisers: Chromium's SwiftShader (and "ANGLE (…, SwiftShader …)"),
 * Mesa's llvmpipe and softpipe, Windows' "Microsoft Basic Render Driver", and generic "software".
 */
const softwareRenderers = /swiftshader|llvmpipe|softpipe|basic render driver|software/i;

/**
 * Why a WebGL implementation is a software one (so `auto` should prefer wasm), or undefined for a
 * hardware GPU: a software renderer's name, or the browser's major-performance-caveat flag.
 */
export function softwareWebGLReason(info: WebGLRendererInfo | undefined): string | undefined {
  if (!info) return undefined;
  if (softwareRenderers.test(info.renderer))
    return `WebGL here is a software renderer (${info.renderer}), much slower than wasm on the CPU`;
  if (info.majorPerformanceCaveat)
    return `WebGL here has a major performance caveat (${info.renderer || 'renderer unknown'}: software or blocklisted GPU), much slower than wasm`;
  return undefined;
}

/** The little of a WebGL context this module uses (no DOM types in this package). */
interface WebGLContextLike {
  readonly RENDERER: number;
  getExtension(name: 'WEBGL_debug_renderer_info'): { readonly UNMASKED_RENDERER_WEBGL: number } | null;
  getExtension(name: 'WEBGL_lose_context'): { loseContext(): void } | null;
  getParameter(name: number): unknown;
}

interface CanvasLike {
  getContext(type: 'webgl2' | 'webgl', attributes?: object): WebGLContextLike | null;
}

/** A canvas in a page or a Web Worker (`OffscreenCanvas`), if the scope has either. */
function createCanvas(scope: object): CanvasLike | undefined {
  const global = scope as {
    OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
    document?: { createElement(name: 'canvas'): CanvasLike };
  };
  if (typeof global.OffscreenCanvas === 'function') return new global.OffscreenCanvas(1, 1);
  return global.document?.createElement('canvas');
}

/**
 * Asks the browser which WebGL renderer it has (page or Web Worker): the unmasked renderer name
 * when `WEBGL_debug_renderer_info` is exposed, and whether a context can be had with
 * `failIfMajorPerformanceCaveat`. Undefined where there is no WebGL at all (or no canvas: Node).
 */
export function describeWebGL(scope: object = globalThis): WebGLRendererInfo | undefined {
  const context = (attributes: object) => {
    const canvas = createCanvas(scope);
    return canvas?.getContext('webgl2', attributes) ?? canvas?.getContext('webgl', attributes) ?? undefined;
  };
  try {
    const strict = context({ failIfMajorPerformanceCaveat: true });
    const gl = strict ?? context({});
    if (!gl) return undefined;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { renderer, majorPerformanceCaveat: !strict };
  } catch {
    return undefined;
  }
}
