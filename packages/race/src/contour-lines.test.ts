import { describe, expect, it } from 'vitest';
import { contourLines } from './contour-lines.js';
import { createSurface } from './surfaces.js';

describe('contourLines', () => {
  it('puts both ends of every segment on its level (up to the interpolation error of the grid)', () => {
    const surface = createSurface('quadratic', { conditionNumber: 4 });
    const { levels, segments } = contourLines(surface, { resolution: 200, levels: 8 });
    expect(levels).toHaveLength(8);
    expect(segments.length).toBeGreaterThan(100);
    for (const segment of segments.filter((_, index) => index % 7 === 0)) {
      for (const [x, y] of [
        [segment.x1, segment.y1],
        [segment.x2, segment.y2],
      ] as const) {
        expect(Math.abs(surface.value(x, y) - segment.level)).toBeLessThan(0.02 * segment.level + 1e-3);
      }
    }
  });

  it('spaces levels geometrically for log surfaces and linearly for the saddle', () => {
    const logLevels = contourLines(createSurface('booth'), { levels: 5 }).levels;
    const ratios = logLevels.slice(1).map((level, index) => level / logLevels[index]!);
    for (const ratio of ratios) expect(ratio).toBeCloseTo(ratios[0]!, 6);
    const linear = contourLines(createSurface('saddle'), { levels: 5 }).levels;
    const steps = linear.slice(1).map((level, index) => level - linear[index]!);
    for (const step of steps) expect(step).toBeCloseTo(steps[0]!, 9);
  });
});

describe('contourLines polylines', () => {
  it('join every segment exactly once into chains whose consecutive points are segment ends', () => {
    const { segments, polylines } = contourLines(createSurface('himmelblau'), { resolution: 60, levels: 6 });
    const pieces = polylines.reduce((total, polyline) => total + polyline.points.length - 1, 0);
    expect(pieces).toBe(segments.length);
    expect(polylines.length).toBeLessThan(segments.length / 5);
    // A circle-like level of the quadratic closes on itself.
    const closed = contourLines(createSurface('quadratic'), { resolution: 60, levels: 4 }).polylines;
    const first = closed[0]!.points;
    expect(first[0]).toEqual(first[first.length - 1]);
  });
});
