import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { chartFormatOf, pngOptions, svgToPng } from './chart-files.js';

const svg = (label: string, width: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><rect x="5" y="5" width="${width - 10}" height="20" fill="steelblue"/><text x="10" y="50" font-size="14">${label}</text></svg>`;

describe('svgToPng', () => {
  it('draws in its thread, concurrently, the bytes resvg draws in this one', async () => {
    const svgs = ['first', 'second', 'third'].map((label, index) => svg(label, 120 + 40 * index));
    const pngs = await Promise.all(svgs.map((text) => svgToPng(text)));
    for (const [index, text] of svgs.entries()) {
      const expected = new Uint8Array(new Resvg(text, pngOptions(2)).render().asPng());
      expect(pngs[index]).toEqual(expected);
    }
    // The scale is the PNG's size: 2× by default, 1× here (width at bytes 16–19 of the IHDR chunk).
    const width = (png: Uint8Array) => new DataView(png.buffer, png.byteOffset).getUint32(16);
    expect(width(pngs[0] as Uint8Array)).toBe(240);
    expect(width(await svgToPng(svgs[0] as string, 1))).toBe(120);
  });

  it("rejects with resvg's message for text that is not an SVG, and draws the next PNG", async () => {
    await expect(svgToPng('not an svg')).rejects.toThrow(/\w/);
    expect((await svgToPng(svg('after', 100))).byteLength).toBeGreaterThan(0);
  });
});

describe('chartFormatOf', () => {
  it('reads the format from the extension, in any case', () => {
    expect(chartFormatOf('a/b.SVG')).toBe('svg');
    expect(chartFormatOf('b.png')).toBe('png');
    expect(chartFormatOf('b.pdf')).toBeUndefined();
  });
});
