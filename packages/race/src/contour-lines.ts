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
  /** Grid cells per axis, 2..2000 (default 240: about two pixels a cell on a 520-pixel chart). */
  readonly resolution?: number;
  /** Number of contour levels, 2..200 (default 16). */
  readonly levels?: number;
  /**
   * Largest distance a polyline may move when points are dropped (Douglas–Peucker), as a fraction
   * of the domain's larger side (default 1/2000, below a pixel of any chart; 0 keeps every point).
   * Segments are never simplified.
   */
  readonly simplify?: number;
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

function quantile(sorted: Float64Array, fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))));
  return sorted[index] as number;
}

function checkInteger(name: string, value: number, low: number, high: number): number {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(`contourLines: "${name}" must be an integer in [${low}, ${high}], got ${value}`);
  }
  return value;
}

/**
 * The point of the segment p–q where f = level, given f(p) and f(q) on opposite sides of it:
 * regula falsi with the Illinois modification on the true function (not a straight line between
 * the two grid values, which bends lines into a sawtooth where f curves steeply between samples,
 * e.g. across Rosenbrock's valley).
 */
function crossing(
  surface: Surface,
  level: number,
  px: number,
  py: number,
  qx: number,
  qy: number,
  fp: number,
  fq: number,
): [number, number] {
  let low = 0;
  let high = 1;
  let fLow = fp - level;
  let fHigh = fq - level;
  let side = 0;
  for (let iteration = 0; iteration < 60 && fLow !== 0 && fHigh !== 0 && high - low > 1e-12; iteration += 1) {
    let t = (low * fHigh - high * fLow) / (fHigh - fLow);
    if (!(t > low && t < high)) t = (low + high) / 2;
    const value = surface.value(px + (qx - px) * t, py + (qy - py) * t) - level;
    if (!Number.isFinite(value)) break;
    if (value > 0 === fHigh > 0) {
      high = t;
      fHigh = value;
      if (side === 1) fLow /= 2;
      side = 1;
    } else {
      low = t;
      fLow = value;
      if (side === -1) fHigh /= 2;
      side = -1;
    }
  }
  // The end of the final bracket nearer the level (fLow/fHigh may have been halved: re-evaluate).
  const at = (t: number) => Math.abs(surface.value(px + (qx - px) * t, py + (qy - py) * t) - level);
  const t = at(low) <= at(high) ? low : high;
  return [px + (qx - px) * t, py + (qy - py) * t];
}

/** Douglas–Peucker: drops points that lie within `tolerance` of the line kept around them. */
function simplifyPoints(points: Array<[number, number]>, tolerance: number): Array<[number, number]> {
  if (tolerance <= 0 || points.length <= 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop() as [number, number];
    const [ax, ay] = points[first] as [number, number];
    const [bx, by] = points[last] as [number, number];
    const dx = bx - ax;
    const dy = by - ay;
    const length2 = dx * dx + dy * dy;
    let farthest = -1;
    let farthestDistance = tolerance;
    for (let index = first + 1; index < last; index += 1) {
      const [x, y] = points[index] as [number, number];
      const along = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2));
      const distance = Math.hypot(x - ax - along * dx, y - ay - along * dy);
      if (distance > farthestDistance) {
        farthest = index;
        farthestDistance = distance;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, index) => keep[index] === 1);
}

function isClosed(points: ReadonlyArray<readonly [number, number]>): boolean {
  const first = points[0] as readonly [number, number];
  const last = points[points.length - 1] as readonly [number, number];
  return points.length > 2 && first[0] === last[0] && first[1] === last[1];
}

function encloses(points: ReadonlyArray<readonly [number, number]>, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i, i += 1) {
    const [xi, yi] = points[i] as readonly [number, number];
    const [xj, yj] = points[j] as readonly [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * True for a ring a few cells across that is the grid's picture of a valley (or ridge) thinner
 * than a cell rather than a real closed line: sampled 48 × 48 over a window one cell wider than
 * the ring, the side of the level found inside the ring also reaches the window's border (a real
 * ring closes around an extremum, so what is inside stays inside).
 */
function isSamplingArtefact(
  surface: Surface,
  level: number,
  points: ReadonlyArray<readonly [number, number]>,
  cellWidth: number,
  cellHeight: number,
): boolean {
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const left = Math.min(...xs) - cellWidth;
  const right = Math.max(...xs) + cellWidth;
  const bottom = Math.min(...ys) - cellHeight;
  const top = Math.max(...ys) + cellHeight;
  if (right - left > 8 * cellWidth || top - bottom > 8 * cellHeight) return false;
  const samples = 48;
  let insideSign = 0;
  const border: number[] = [];
  for (let j = 0; j <= samples; j += 1) {
    for (let i = 0; i <= samples; i += 1) {
      const x = left + ((right - left) * i) / samples;
      const y = bottom + ((top - bottom) * j) / samples;
      const sign = Math.sign(surface.value(x, y) - level);
      if (i === 0 || j === 0 || i === samples || j === samples) border.push(sign);
      else if (insideSign === 0 && encloses(points, x, y)) insideSign = sign;
    }
  }
  return insideSign !== 0 && border.includes(insideSign);
}

/**
 * Contour lines of a surface over its domain by marching squares on a regular grid; where a line
 * crosses a cell edge, the crossing is found on the surface itself (regula falsi), so every point
 * lies on its level to rounding. Ambiguous cells are resolved by the cell-centre average; a grid
 * value equal to a level counts as above it (no zero-length rings). Segments are joined into
 * polylines through the cell edges they share (closed lines repeat their first point), then
 * simplified. Rings a few cells across that finer sampling shows to be a valley (or ridge) thinner
 * than a cell passing through, not a line closing on itself, are left out. Levels are spaced geometrically in f − min f between the grid's 0.5 % and 98 %
 * quantiles for surfaces with `logContours` (so the valleys get lines), linearly otherwise.
 *
 * @throws RangeError for a resolution or level count out of range.
 */
export function contourLines(surface: Surface, options: ContourOptions = {}): ContourLines {
  const resolution = checkInteger('resolution', options.resolution ?? 240, 2, 2000);
  const levelCount = checkInteger('levels', options.levels ?? 16, 2, 200);
  const simplify = options.simplify ?? 1 / 2000;
  if (!(simplify >= 0 && simplify < 1)) {
    throw new RangeError(`contourLines: "simplify" must be a number in [0, 1), got ${simplify}`);
  }
  const [xMin, xMax] = surface.domain.x;
  const [yMin, yMax] = surface.domain.y;
  const size = resolution + 1;
  const xs = Float64Array.from({ length: size }, (_, i) => xMin + ((xMax - xMin) * i) / resolution);
  const ys = Float64Array.from({ length: size }, (_, j) => yMin + ((yMax - yMin) * j) / resolution);
  // grid[j * size + i] = f(xs[i], ys[j]).
  const grid = new Float64Array(size * size);
  for (let j = 0; j < size; j += 1)
    for (let i = 0; i < size; i += 1) grid[j * size + i] = surface.value(xs[i] as number, ys[j] as number);
  const sorted = grid.filter(Number.isFinite).sort();
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

  // Edge ids: horizontal edge (i, j)–(i + 1, j) is j·R + i; vertical edge (i, j)–(i, j + 1) is
  // horizontalCount + i·R + j.
  const horizontalCount = size * resolution;
  const edgeCount = 2 * horizontalCount;
  const cellWidth = (xMax - xMin) / resolution;
  const cellHeight = (yMax - yMin) / resolution;
  const tolerance = simplify * Math.max(xMax - xMin, yMax - yMin);
  const segments: ContourSegment[] = [];
  const polylines: ContourPolyline[] = [];
  const pointX = new Float64Array(edgeCount);
  const pointY = new Float64Array(edgeCount);
  const found = new Uint8Array(edgeCount);
  // Each edge is shared by at most two cells, so by at most two segments of one level.
  const edgeSegments = new Int32Array(edgeCount * 2);
  levels.forEach((level, levelIndex) => {
    found.fill(0);
    edgeSegments.fill(-1);
    const ends: number[] = [];
    const point = (edge: number): [number, number] => {
      if (found[edge] === 0) {
        let p: number;
        let q: number;
        if (edge < horizontalCount) {
          const j = Math.floor(edge / resolution);
          const i = edge - j * resolution;
          p = j * size + i;
          q = p + 1;
        } else {
          const local = edge - horizontalCount;
          const i = Math.floor(local / resolution);
          const j = local - i * resolution;
          p = j * size + i;
          q = p + size;
        }
        const [x, y] = crossing(
          surface,
          level,
          xs[p % size] as number,
          ys[Math.floor(p / size)] as number,
          xs[q % size] as number,
          ys[Math.floor(q / size)] as number,
          grid[p] as number,
          grid[q] as number,
        );
        pointX[edge] = x;
        pointY[edge] = y;
        found[edge] = 1;
      }
      return [pointX[edge] as number, pointY[edge] as number];
    };
    const push = (from: number, to: number) => {
      const index = ends.length / 2;
      ends.push(from, to);
      for (const edge of [from, to]) {
        const slot = edgeSegments[edge * 2] === -1 ? edge * 2 : edge * 2 + 1;
        edgeSegments[slot] = index;
      }
    };
    for (let j = 0; j < resolution; j += 1) {
      for (let i = 0; i < resolution; i += 1) {
        // Corners: a bottom-left, b bottom-right, c top-right, d top-left.
        const a = grid[j * size + i] as number;
        const b = grid[j * size + i + 1] as number;
        const c = grid[(j + 1) * size + i + 1] as number;
        const d = grid[(j + 1) * size + i] as number;
        if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
        const bottom = b >= level !== a >= level ? j * resolution + i : -1;
        const right = b >= level !== c >= level ? horizontalCount + (i + 1) * resolution + j : -1;
        const top = d >= level !== c >= level ? (j + 1) * resolution + i : -1;
        const left = a >= level !== d >= level ? horizontalCount + i * resolution + j : -1;
        const crossings = [bottom, right, top, left].filter((edge) => edge >= 0);
        if (crossings.length === 2) {
          push(crossings[0] as number, crossings[1] as number);
        } else if (crossings.length === 4) {
          const centreAbove = (a + b + c + d) / 4 >= level;
          if (centreAbove === a >= level) {
            push(bottom, right);
            push(top, left);
          } else {
            push(left, bottom);
            push(right, top);
          }
        }
      }
    }
    const count = ends.length / 2;
    for (let index = 0; index < count; index += 1) {
      const [x1, y1] = point(ends[index * 2] as number);
      const [x2, y2] = point(ends[index * 2 + 1] as number);
      segments.push({ level, levelIndex, x1, y1, x2, y2 });
    }
    // Walk chains edge to edge: open ones from an edge used once (the domain's border), then rings.
    const used = new Uint8Array(count);
    const other = (edge: number, segment: number) =>
      edgeSegments[edge * 2] === segment
        ? (edgeSegments[edge * 2 + 1] as number)
        : (edgeSegments[edge * 2] as number);
    const walk = (segment: number, fromEdge: number) => {
      const points: Array<[number, number]> = [point(fromEdge)];
      let current = segment;
      let edge = fromEdge;
      while (current >= 0 && used[current] === 0) {
        used[current] = 1;
        const from = ends[current * 2] as number;
        edge = from === edge ? (ends[current * 2 + 1] as number) : from;
        points.push(point(edge));
        current = other(edge, current);
      }
      if (!isClosed(points) || !isSamplingArtefact(surface, level, points, cellWidth, cellHeight)) {
        polylines.push({ level, levelIndex, points: simplifyPoints(points, tolerance) });
      }
    };
    for (let index = 0; index < count; index += 1) {
      if (used[index] === 1) continue;
      for (const edge of [ends[index * 2] as number, ends[index * 2 + 1] as number]) {
        if (used[index] === 0 && other(edge, index) === -1) walk(index, edge);
      }
    }
    for (let index = 0; index < count; index += 1) {
      if (used[index] === 0) walk(index, ends[index * 2] as number);
    }
  });
  return { levels, segments, polylines };
}
