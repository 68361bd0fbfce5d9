import type { OptimizerSpec } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { race } from './race.js';
import { racePreset } from './race-presets.js';
import type { Racer } from './racer.js';
import { createSurface, surfaceNames } from './surfaces.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('race', () => {
  it('returns steps + 1 points per racer, the start first, labelled and with f at each point', () => {
    const result = race({
      surface: 'beale',
      start: [1, 1.5],
      steps: 20,
      racers: [{ label: 'plain', spec: { type: 'sgd', lr: 0.01 } }, { spec: { type: 'adam', lr: 0.05 } }],
    });
    expect(result.trajectories.map((trajectory) => trajectory.label)).toEqual(['plain', 'adam lr=0.05']);
    for (const trajectory of result.trajectories) {
      expect(trajectory.points).toHaveLength(21);
      expect(trajectory.points[0]).toEqual([1, 1.5]);
      expect(trajectory.values[0]).toBeCloseTo(createSurface('beale').value(1, 1.5), 10);
      expect(trajectory.values.at(-1)!).toBeLessThan(trajectory.values[0]!);
    }
  });

  it('uses the optimizers package on float32 tensors: sgd follows p ← p − lr·∇f (float32 arithmetic)', () => {
    const surface = createSurface('booth');
    const result = race({
      surface: 'booth',
      start: [-8, -8],
      steps: 10,
      racers: [{ spec: { type: 'sgd', lr: 0.01 } }],
    });
    let point = [-8, -8];
    const expected = [point];
    for (let step = 0; step < 10; step += 1) {
      const [gx, gy] = surface.gradient(point[0]!, point[1]!).map(Math.fround) as [number, number];
      point = [
        Math.fround(point[0]! - Math.fround(Math.fround(0.01) * gx)),
        Math.fround(point[1]! - Math.fround(Math.fround(0.01) * gy)),
      ];
      expected.push(point);
    }
    expect(result.trajectories[0]!.points).toEqual(expected);
  });

  it('runs every surface with the classic preset: 7 racers, nobody diverges, most get close', () => {
    for (const name of surfaceNames) {
      const racers = racePreset('classic-race', name);
      expect(racers.map((racer) => racer.label)).toEqual([
        'sgd',
        'momentum',
        'nesterov',
        'adagrad',
        'adadelta',
        'rmsprop',
        'adam',
      ]);
      const result = race({ surface: name, steps: 300, racers });
      for (const trajectory of result.trajectories)
        expect(trajectory.divergedAtStep, `${name} ${trajectory.label}`).toBeNull();
      if (name === 'himmelblau' || name === 'quadratic') {
        const close = result.trajectories.filter(
          (trajectory) => (trajectory.finalDistanceToMinimum ?? 1) < 0.1,
        );
        expect(close.length, name).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it('marks a diverging racer and holds its last finite point so the path keeps steps + 1 points', () => {
    const result = race({ surface: 'rosenbrock', steps: 50, racers: [{ spec: { type: 'sgd', lr: 0.1 } }] });
    const [trajectory] = result.trajectories;
    expect(trajectory!.divergedAtStep).not.toBeNull();
    expect(trajectory!.points).toHaveLength(51);
    expect(trajectory!.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))).toBe(true);
    expect(trajectory!.points.at(-1)).toEqual(trajectory!.points[trajectory!.divergedAtStep!]);
  });

  it('leaks no tensors and gives unique labels to identical specs', () => {
    const before = tf.memory().numTensors;
    const result = race({
      surface: 'saddle',
      steps: 30,
      racers: [{ spec: { type: 'rmsprop' } }, { spec: { type: 'rmsprop' } }],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.trajectories.map((trajectory) => trajectory.label)).toEqual(['rmsprop', 'rmsprop #2']);
  });

  it('rejects bad options with one-line errors', () => {
    const racers: Racer[] = [{ spec: { type: 'sgd', lr: 0.1 } }];
    expect(() => race({ surface: 'booth', steps: 0, racers })).toThrow(
      'race: "steps" must be an integer in [1, 100000]; got 0',
    );
    expect(() => race({ surface: 'booth', steps: 5, start: [1, Number.NaN], racers })).toThrow(
      /race: "start" must be two finite numbers \[x, y\]/,
    );
    expect(() => race({ surface: 'booth', steps: 5, racers: [] })).toThrow(
      /"racers" must be a non-empty list/,
    );
    // A spec read from JSON at run time: validated by race as by createOptimizer.
    const missingRate = JSON.parse('{"type": "sgd"}') as OptimizerSpec;
    expect(() => race({ surface: 'booth', steps: 5, racers: [{ spec: missingRate }] })).toThrow(
      /optimizer spec: "lr" of "sgd"/,
    );
    expect(() => racePreset('modern-race', 'booth')).toThrow(
      'race: "preset" must be one of classic-race; got "modern-race"',
    );
  });
});
