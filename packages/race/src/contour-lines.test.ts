import { describe, expect, it } from 'vitest';
import { contourLines } from './contour-lines.js';
import { createSurface, type Surface } from './surfaces.js';

/** Largest |f(point)/level − 1| over every segment end and polyline point. */
function worstLevelError(name: string, options = {}): number {
  const surface = createSurface(name);
  const { levels, segments, polylines } = contourLines(surface, options);
  let worst = 0;
  const check = (x: number, y: number, level: number) => {
    worst = Math.max(worst, Math.abs(surface.value(x, y) / level - 1));
  };
  for (const segment of segments) {
    check(segment.x1, segment.y1, segment.level);
    check(segment.x2, segment.y2, segment.level);
  }
  for (const polyline of polylines)
    for (const [x, y] of polyline.points) check(x, y, levels[polyline.levelIndex] as number);
  return worst;
}

/** True when (x, y) is inside the closed polygon (even-odd rule). */
function encloses(
  points: ReadonlyArray<readonly [number, number]>,
  [x, y]: readonly [number, number],
): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i, i += 1) {
    const [xi, yi] = points[i] as readonly [number, number];
    const [xj, yj] = points[j] as readonly [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('contourLines', () => {
  it('puts every point of every line on its level (found on the surface, not interpolated)', () => {
    // Linear interpolation between grid values put points of Rosenbrock's valley lines at f up
    // to 91 % off their level (the sawtooth); crossings found on the function are exact.
    for (const name of ['rosenbrock', 'beale', 'booth', 'himmelblau', 'saddle']) {
      expect(worstLevelError(name), name).toBeLessThan(1e-9);
    }
    expect(worstLevelError('rosenbrock', { resolution: 40, levels: 6 })).toBeLessThan(1e-9);
  });

  it('draws Rosenbrock’s valley as lines around its minimum, with no ring anywhere else', () => {
    // Rosenbrock's only critical point is (1, 1), so every closed level line encloses it. Where
    // its valley is thinner than a grid cell, marching squares used to leave chains of small
    // rings (34 at the old default) along the valley.
    const surface = createSurface('rosenbrock');
    for (const resolution of [80, 160, 240, 320]) {
      const { polylines, levels } = contourLines(surface, { resolution });
      expect(levels[0]).toBeLessThan(0.3);
      const rings = polylines.filter((polyline) => {
        const first = polyline.points[0] as readonly [number, number];
        const last = polyline.points[polyline.points.length - 1] as readonly [number, number];
        return first[0] === last[0] && first[1] === last[1];
      });
      expect(rings.length, `resolution ${resolution}`).toBeGreaterThan(0);
      for (const ring of rings) expect(encloses(ring.points, [1, 1]), `resolution ${resolution}`).toBe(true);
    }
  });

  it('keeps a real ring of a few cells around an extremum it was not told about', () => {
    // A narrow bump (radius ≈ 0.08) with no declared minima: its rings are 2–4 cells across.
    const bump: Surface = {
      name: 'bump',
      formula: '1 − exp(−r²/0.004)',
      value: (x, y) => 1 - Math.exp(-((x - 0.31) ** 2 + (y - 0.17) ** 2) / 0.004),
      gradient: () => [0, 0],
      minima: [],
      saddlePoints: [],
      domain: { x: [-1, 1], y: [-1, 1] },
      defaultStart: [0, 0],
      logContours: false,
    };
    const { polylines } = contourLines(bump, { resolution: 40, levels: 4 });
    const rings = polylines.filter((polyline) => encloses(polyline.points, [0.31, 0.17]));
    expect(rings.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps levels strictly increasing and every point inside the domain', () => {
    for (const name of ['rosenbrock', 'beale', 'saddle']) {
      const surface = createSurface(name);
      const { levels, polylines } = contourLines(surface);
      for (let index = 1; index < levels.length; index += 1)
        expect(levels[index]).toBeGreaterThan(levels[index - 1] as number);
      for (const polyline of polylines) {
        for (const [x, y] of polyline.points) {
          expect(x).toBeGreaterThanOrEqual(surface.domain.x[0]);
          expect(x).toBeLessThanOrEqual(surface.domain.x[1]);
          expect(y).toBeGreaterThanOrEqual(surface.domain.y[0]);
          expect(y).toBeLessThanOrEqual(surface.domain.y[1]);
        }
      }
    }
  });

  it('draws no zero-length line where a level equals a grid value (it counts as above)', () => {
    // Booth's lowest level is a grid value's quantile: it used to leave a ring of length 0.
    for (const name of ['booth', 'rosenbrock', 'saddle']) {
      for (const polyline of contourLines(createSurface(name)).polylines) {
        const length = polyline.points
          .slice(1)
          .reduce(
            (total, [x, y], index) =>
              total +
              Math.hypot(
                x - (polyline.points[index] as readonly number[])[0]!,
                y - (polyline.points[index] as readonly number[])[1]!,
              ),
            0,
          );
        expect(length, name).toBeGreaterThan(0);
      }
    }
  });

  it('spaces levels geometrically for log surfaces and linearly for the saddle', () => {
    const surface = createSurface('booth');
    const logLevels = contourLines(surface, { levels: 5 }).levels;
    const floor = surface.value(1, 3);
    const ratios = logLevels.slice(1).map((level, index) => (level - floor) / (logLevels[index]! - floor));
    for (const ratio of ratios) expect(ratio).toBeCloseTo(ratios[0]!, 6);
    const linear = contourLines(createSurface('saddle'), { levels: 5 }).levels;
    const steps = linear.slice(1).map((level, index) => level - linear[index]!);
    for (const step of steps) expect(step).toBeCloseTo(steps[0]!, 9);
  });

  it('rejects a resolution, level count or simplification out of range, naming it', () => {
    const surface = createSurface('booth');
    expect(() => contourLines(surface, { resolution: 1 })).toThrow(
      /"resolution" must be an integer in \[2, 2000\], got 1/,
    );
    expect(() => contourLines(surface, { levels: 2.5 })).toThrow(
      /"levels" must be an integer in \[2, 200\], got 2.5/,
    );
    expect(() => contourLines(surface, { simplify: -1 })).toThrow(/"simplify" must be a number in \[0, 1\)/);
  });
});

describe('contourLines polylines', () => {
  it('join every segment exactly once into chains whose consecutive points are segment ends', () => {
    const { segments, polylines } = contourLines(createSurface('himmelblau'), {
      resolution: 60,
      levels: 6,
      simplify: 0,
    });
    const pieces = polylines.reduce((total, polyline) => total + polyline.points.length - 1, 0);
    expect(pieces).toBe(segments.length);
    expect(polylines.length).toBeLessThan(segments.length / 5);
    const ends = new Set(
      segments.flatMap((segment) => [`${segment.x1},${segment.y1}`, `${segment.x2},${segment.y2}`]),
    );
    for (const polyline of polylines)
      for (const [x, y] of polyline.points) expect(ends.has(`${x},${y}`)).toBe(true);
    // A circle-like level of the quadratic closes on itself.
    const closed = contourLines(createSurface('quadratic'), { resolution: 60, levels: 4 }).polylines;
    const first = closed[0]!.points;
    expect(first[0]).toEqual(first[first.length - 1]);
  });

  it('simplifies lines to within the tolerance of every point they drop', () => {
    const surface = createSurface('beale');
    const full = contourLines(surface, { simplify: 0 }).polylines;
    const simplified = contourLines(surface, { simplify: 1 / 2000 }).polylines;
    const tolerance = 9 / 2000;
    expect(simplified).toHaveLength(full.length);
    const fullPoints = full.reduce((total, polyline) => total + polyline.points.length, 0);
    const keptPoints = simplified.reduce((total, polyline) => total + polyline.points.length, 0);
    expect(keptPoints).toBeLessThan(fullPoints / 4);
    full.forEach((polyline, index) => {
      const kept = simplified[index]!.points;
      expect(kept[0]).toEqual(polyline.points[0]);
      expect(kept[kept.length - 1]).toEqual(polyline.points[polyline.points.length - 1]);
      for (const [x, y] of polyline.points) {
        let nearest = Number.POSITIVE_INFINITY;
        for (let k = 1; k < kept.length; k += 1) {
          const [ax, ay] = kept[k - 1]!;
          const [bx, by] = kept[k]!;
          const dx = bx - ax;
          const dy = by - ay;
          const length2 = dx * dx + dy * dy;
          const along =
            length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2));
          nearest = Math.min(nearest, Math.hypot(x - ax - along * dx, y - ay - along * dy));
        }
        expect(nearest).toBeLessThanOrEqual(tolerance + 1e-12);
      }
    });
  });
});
