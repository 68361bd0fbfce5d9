import { RaceSpecError } from './race-spec-error.js';

/** A point of the plane. */
export type Point = readonly [number, number];

/**
 * A 2-D loss surface: its value, analytic gradient, minima (and saddle points), and the region
 * and start point that show it best. Values and gradients are float64 functions of the point.
 */
export interface Surface {
  readonly name: string;
  /** The formula, e.g. `(1 − x)² + 100(y − x²)²`. */
  readonly formula: string;
  value(x: number, y: number): number;
  /** (∂f/∂x, ∂f/∂y). */
  gradient(x: number, y: number): [number, number];
  /** Global minima (empty when the surface is unbounded below, e.g. the saddle). */
  readonly minima: readonly Point[];
  /** Saddle points worth marking (the saddle's origin). */
  readonly saddlePoints: readonly Point[];
  /** Plotting region. */
  readonly domain: { readonly x: Point; readonly y: Point };
  /** The classic start point. */
  readonly defaultStart: Point;
  /** True when contour levels are best spaced on a log scale of f − min f (f ≥ 0 surfaces). */
  readonly logContours: boolean;
}

/** The names of the built-in surfaces. */
export type SurfaceName = 'rosenbrock' | 'beale' | 'booth' | 'himmelblau' | 'saddle' | 'quadratic';

/** Options of surfaces that take parameters. */
export interface SurfaceOptions {
  /** quadratic: ratio of the largest to the smallest curvature κ ≥ 1 (default 10). */
  readonly conditionNumber?: number;
  /** quadratic: rotation of the valley's long axis in degrees (default 0: along x). */
  readonly rotationDegrees?: number;
}

/** The names `createSurface` accepts. */
export const surfaceNames: readonly SurfaceName[] = [
  'rosenbrock',
  'beale',
  'booth',
  'himmelblau',
  'saddle',
  'quadratic',
];

/** Rosenbrock's banana valley f = (1 − x)² + 100(y − x²)²; minimum f(1, 1) = 0. */
const rosenbrock: Surface = {
  name: 'rosenbrock',
  formula: '(1 − x)² + 100(y − x²)²',
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  minima: [[1, 1]],
  saddlePoints: [],
  domain: { x: [-2, 2], y: [-1, 3] },
  defaultStart: [-1.2, 1],
  logContours: true,
};

/** Beale's function; minimum f(3, 0.5) = 0 in a flat, curved valley. */
const beale: Surface = {
  name: 'beale',
  formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
  value: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  gradient: (x, y) => {
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y * y;
    const c = 2.625 - x + x * y ** 3;
    return [
      2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
      2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
    ];
  },
  minima: [[3, 0.5]],
  saddlePoints: [],
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
  defaultStart: [1, 1.5],
  logContours: true,
};

/** Booth's function f = (x + 2y − 7)² + (2x + y − 5)²; minimum f(1, 3) = 0. */
const booth: Surface = {
  name: 'booth',
  formula: '(x + 2y − 7)² + (2x + y − 5)²',
  value: (x, y) => (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
  gradient: (x, y) => [2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)],
  minima: [[1, 3]],
  saddlePoints: [],
  domain: { x: [-10, 10], y: [-10, 10] },
  defaultStart: [-8, -8],
  logContours: true,
};

/** Himmelblau's function; four minima with f = 0. */
const himmelblau: Surface = {
  name: 'himmelblau',
  formula: '(x² + y − 11)² + (x + y² − 7)²',
  value: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  gradient: (x, y) => [
    4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
    2 * (x * x + y - 11) + 4 * y * (x + y * y - 7),
  ],
  minima: [
    [3, 2],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.28318599128617],
    [3.584428340330492, -1.848126526964404],
  ],
  saddlePoints: [],
  domain: { x: [-5, 5], y: [-5, 5] },
  defaultStart: [0, 0],
  logContours: true,
};

/** The saddle f = x² − y²: a saddle point at the origin, unbounded below along y. */
const saddle: Surface = {
  name: 'saddle',
  formula: 'x² − y²',
  value: (x, y) => x * x - y * y,
  gradient: (x, y) => [2 * x, -2 * y],
  minima: [],
  saddlePoints: [[0, 0]],
  domain: { x: [-2, 2], y: [-2, 2] },
  defaultStart: [1.5, 0.001],
  logContours: false,
};

/**
 * The ill-conditioned quadratic valley f = ½(u² + κv²) with (u, v) the point rotated by −θ:
 * curvature 1 along the valley and κ across it (condition number κ); minimum f(0, 0) = 0.
 */
function quadratic(options: SurfaceOptions): Surface {
  const kappa = options.conditionNumber ?? 10;
  if (typeof kappa !== 'number' || !Number.isFinite(kappa) || kappa < 1) {
    throw new RaceSpecError('conditionNumber', 'a finite number ≥ 1', kappa);
  }
  const degrees = options.rotationDegrees ?? 0;
  if (typeof degrees !== 'number' || !Number.isFinite(degrees)) {
    throw new RaceSpecError('rotationDegrees', 'a finite number (degrees)', degrees);
  }
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  const along = (x: number, y: number) => cos * x + sin * y;
  const across = (x: number, y: number) => -sin * x + cos * y;
  return {
    name: 'quadratic',
    formula: `½(u² + ${kappa}·v²), (u, v) = the point rotated by −${degrees}°`,
    value: (x, y) => 0.5 * (along(x, y) ** 2 + kappa * across(x, y) ** 2),
    gradient: (x, y) => {
      const u = along(x, y);
      const v = kappa * across(x, y);
      return [cos * u - sin * v, sin * u + cos * v];
    },
    minima: [[0, 0]],
    saddlePoints: [],
    domain: { x: [-5, 5], y: [-5, 5] },
    defaultStart: [-4.5, 2],
    logContours: true,
  };
}

/**
 * The point of the surface's plotting region nearest to `point` (each coordinate clamped to its
 * range): a start outside the map would be drawn off the chart. `clamped` says whether it moved.
 *
 * @example
 * clampToDomain(createSurface('beale'), [10, 1]); // { point: [4.5, 1], clamped: true }
 */
export function clampToDomain(surface: Surface, point: Point): { point: Point; clamped: boolean } {
  const x = Math.min(surface.domain.x[1], Math.max(surface.domain.x[0], point[0]));
  const y = Math.min(surface.domain.y[1], Math.max(surface.domain.y[0], point[1]));
  return { point: [x, y], clamped: x !== point[0] || y !== point[1] };
}

/**
 * The built-in surface of that name (`quadratic` takes `conditionNumber` and `rotationDegrees`).
 *
 * @throws RaceSpecError listing the surface names for an unknown name, or naming a bad option.
 */
export function createSurface(name: string, options: SurfaceOptions = {}): Surface {
  switch (name) {
    case 'rosenbrock':
      return rosenbrock;
    case 'beale':
      return beale;
    case 'booth':
      return booth;
    case 'himmelblau':
      return himmelblau;
    case 'saddle':
      return saddle;
    case 'quadratic':
      return quadratic(options);
    default:
      throw new RaceSpecError('surface', `one of ${surfaceNames.join(', ')}`, name);
  }
}
