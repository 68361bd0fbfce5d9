import type { Surface } from './surfaces.js';

/** One straight piece of a contour line, between two points where f equals `level`. */
export interface ContourSegment {
  readonly level: number;
  /** Index of the level in `levels` (0 = lowest). */
  readonly levelIndex: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Options of contourLines. */
export interface ContourOptions {
  /** Grid cells per axis (default 80). */
  readonly resolution?: number;
  /** Number of contour levels (default 16). */
  readonly levels?: number;
}

/** A contour line: segments of one level joined end to end (closed when first = last point). */
export interface ContourPolyline {
  readonly level: number;
  readonly levelIndex: number;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** Contour levels, the segments that draw them, and the same segments joined into polylines. */
export interface ContourLines {
  readonly levels: readonly number[];
  readonly segments: readonly ContourSegment[];
  readonly polylines: readonly ContourPolyline[];
}

/** Joins segments that share exact end points into polylines, level by level. */
function joinSegments(segments: readonly ContourSegment[]): ContourPolyline[] {
  const polylines: ContourPolyline[] = [];
  const key = (x: number, y: number) => `${x},${y}`;
  const byLevel = new Map<number, ContourSegment[]>();
  for (const segment of segments) {
    const list = byLevel.get(segment.levelIndex) ?? [];
    list.push(segment);
    byLevel.set(segment.levelIndex, list);
  }
  for (const [levelIndex, list] of byLevel) {
    const ends = new Map<string, number[]>();
    list.forEach((segment, index) => {
      for (const point of [key(segment.x1, segment.y1), key(segment.x2, segment.y2)]) {
        const entries = ends.get(point) ?? [];
        entries.push(index);
        ends.set(point, entries);
      }
    });
    const used = new Array<boolean>(list.length).fill(false);
    const extend = (points: Array<[number, number]>, atEnd: boolean) => {
      for (;;) {
        const tip = atEnd ? points[points.length - 1]! : points[0]!;
        const next = (ends.get(key(tip[0], tip[1])) ?? []).find((index) => !used[index]);
        if (next === undefined) return;
        used[next] = true;
        const segment = list[next]!;
        const far: [number, number] =
          segment.x1 === tip[0] && segment.y1 === tip[1]
            ? [segment.x2, segment.y2]
            : [segment.x1, segment.y1];
        if (atEnd) points.push(far);
        else points.unshift(far);
      }
    };
    list.forEach((segment, index) => {
      if (used[index]) return;
      used[index] = true;
      const points: Array<[number, number]> = [
        [segment.x1, segment.y1],
        [segment.x2, segment.y2],
      ];
      extend(points, true);
      extend(points, false);
      polylines.push({ level: segment.level, levelIndex, points });
    });
  }
  return polylines;
}

function quantile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))));
  return sorted[index] as number;
}

/**
 * Contour lines of a surface over its domain by marching squares on a regular grid (linear
 * interpolation along cell edges; ambiguous cells resolved by the cell-centre average), also
 * joined into polylines (one path per line keeps charts small). Levels
 * are spaced geometrically in f − min f between the grid's 0.5 % and 98 % quantiles for surfaces
 * with `logContours` (so the valleys get lines), linearly otherwise.
 */
export function contourLines(surface: Surface, options: ContourOptions = {}): ContourLines {
  const resolution = options.resolution ?? 80;
  const levelCount = options.levels ?? 16;
  const [xMin, xMax] = surface.domain.x;
  const [yMin, yMax] = surface.domain.y;
  const xs = Array.from({ length: resolution + 1 }, (_, i) => xMin + ((xMax - xMin) * i) / resolution);
  const ys = Array.from({ length: resolution + 1 }, (_, j) => yMin + ((yMax - yMin) * j) / resolution);
  const grid = ys.map((y) => xs.map((x) => surface.value(x, y)));
  const sorted = grid
    .flat()
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const floor = Math.min(sorted[0] ?? 0, ...surface.minima.map(([x, y]) => surface.value(x, y)));
  const levels: number[] = [];
  if (surface.logContours) {
    const low = Math.max(quantile(sorted, 0.005) - floor, 1e-12);
    const high = Math.max(quantile(sorted, 0.98) - floor, low * 10);
    for (let index = 0; index < levelCount; index += 1) {
      levels.push(floor + low * (high / low) ** (index / (levelCount - 1)));
    }
  } else {
    const low = quantile(sorted, 0.02);
    const high = quantile(sorted, 0.98);
    for (let index = 0; index < levelCount; index += 1)
      levels.push(low + ((high - low) * index) / (levelCount - 1));
  }
  const segments: ContourSegment[] = [];
  levels.forEach((level, levelIndex) => {
    for (let j = 0; j < resolution; j += 1) {
      for (let i = 0; i < resolution; i += 1) {
        // Corners: a bottom-left, b bottom-right, c top-right, d top-left.
        const a = grid[j]![i]!;
        const b = grid[j]![i + 1]!;
        const c = grid[j + 1]![i + 1]!;
        const d = grid[j + 1]![i]!;
        const x0 = xs[i]!;
        const x1 = xs[i + 1]!;
        const y0 = ys[j]!;
        const y1 = ys[j + 1]!;
        // Always interpolated from the lower to the higher grid index, so that neighbouring cells
        // produce bit-identical points on their shared edge (polylines join on exact keys).
        const cross = (from: number, to: number) => (level - from) / (to - from);
        const edges: Array<[number, number] | undefined> = [
          a > level !== b > level ? [x0 + (x1 - x0) * cross(a, b), y0] : undefined,
          b > level !== c > level ? [x1, y0 + (y1 - y0) * cross(b, c)] : undefined,
          d > level !== c > level ? [x0 + (x1 - x0) * cross(d, c), y1] : undefined,
          a > level !== d > level ? [x0, y0 + (y1 - y0) * cross(a, d)] : undefined,
        ];
        const crossings = edges.filter((edge) => edge !== undefined);
        const push = (p: [number, number], q: [number, number]) =>
          segments.push({ level, levelIndex, x1: p[0], y1: p[1], x2: q[0], y2: q[1] });
        if (crossings.length === 2) {
          push(crossings[0]!, crossings[1]!);
        } else if (crossings.length === 4) {
          const [bottom, right, top, left] = edges as Array<[number, number]>;
          const centreAbove = (a + b + c + d) / 4 > level;
          if (centreAbove === a > level) {
            push(bottom!, right!);
            push(top!, left!);
          } else {
            push(left!, bottom!);
            push(right!, top!);
          }
        }
      }
    }
  });
  return { levels, segments, polylines: joinSegments(segments) };
}
