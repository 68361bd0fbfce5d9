import { describe, expect, it } from 'vitest';
import { RaceSpecError } from './race-spec-error.js';
import { clampToDomain, createSurface, surfaceNames } from './surfaces.js';

describe('createSurface', () => {
  it('has analytic gradients equal to central differences everywhere in the domain', () => {
    for (const name of surfaceNames) {
      const surface = createSurface(
        name,
        name === 'quadratic' ? { conditionNumber: 25, rotationDegrees: 30 } : {},
      );
      const [xMin, xMax] = surface.domain.x;
      const [yMin, yMax] = surface.domain.y;
      for (const [u, v] of [
        [0.1, 0.2],
        [0.5, 0.9],
        [0.77, 0.33],
        [0.95, 0.05],
      ] as const) {
        const x = xMin + u * (xMax - xMin);
        const y = yMin + v * (yMax - yMin);
        const h = 1e-5;
        const numeric = [
          (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h),
          (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h),
        ];
        const analytic = surface.gradient(x, y);
        for (const axis of [0, 1]) {
          expect(Math.abs(analytic[axis]! - numeric[axis]!), `${name} at (${x}, ${y})`).toBeLessThan(
            1e-5 * Math.max(1, Math.abs(numeric[axis]!)),
          );
        }
      }
    }
  });

  it('has value 0 and gradient 0 at every listed minimum (saddle: gradient 0 at the saddle point)', () => {
    for (const name of surfaceNames) {
      const surface = createSurface(name);
      for (const [x, y] of surface.minima) {
        expect(surface.value(x, y), name).toBeCloseTo(0, 12);
        for (const component of surface.gradient(x, y)) expect(Math.abs(component), name).toBeLessThan(1e-11);
      }
      for (const [x, y] of surface.saddlePoints) {
        expect(surface.gradient(x, y).map(Math.abs)).toEqual([0, 0]);
      }
    }
    expect(createSurface('himmelblau').minima).toHaveLength(4);
    expect(createSurface('saddle').minima).toEqual([]);
  });

  it('gives the quadratic the requested condition number (curvatures 1 and κ)', () => {
    const surface = createSurface('quadratic', { conditionNumber: 100, rotationDegrees: 45 });
    const along = [Math.SQRT1_2, Math.SQRT1_2] as const;
    const across = [-Math.SQRT1_2, Math.SQRT1_2] as const;
    expect(surface.value(along[0], along[1])).toBeCloseTo(0.5, 12);
    expect(surface.value(across[0], across[1])).toBeCloseTo(50, 10);
    expect(surface.formula).toContain('100');
  });

  it('rejects unknown names (listing the known ones) and bad options', () => {
    expect(() => createSurface('ackley')).toThrow(
      'race: "surface" must be one of rosenbrock, beale, booth, himmelblau, saddle, quadratic; got "ackley"',
    );
    expect(() => createSurface('quadratic', { conditionNumber: 0.5 })).toThrow(RaceSpecError);
  });
});

describe('clampToDomain', () => {
  it('moves a point outside the plotting region to the nearest point of its edge, and says so', () => {
    const beale = createSurface('beale');
    expect(clampToDomain(beale, [10, 1])).toEqual({ point: [4.5, 1], clamped: true });
    expect(clampToDomain(beale, [-1e6, -7])).toEqual({ point: [-4.5, -4.5], clamped: true });
    expect(clampToDomain(beale, [1, 1.5])).toEqual({ point: [1, 1.5], clamped: false });
    expect(clampToDomain(beale, [4.5, -4.5])).toEqual({ point: [4.5, -4.5], clamped: false });
  });
});
