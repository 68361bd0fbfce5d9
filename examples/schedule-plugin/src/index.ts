import { defineSchedulePlugin } from '@contour/schedules';

// The plugin's types join `ScheduleSpec`, so specs that use them are type-checked like built-ins
// (`createSchedule({ type: 'acme:warmSine', lr: 0.1, steps: 50 }, { registry })`).
declare module '@contour/schedules' {
  interface PluginScheduleOptions {
    'acme:warmSine': { lr: number; steps: number; floor?: number };
    'acme:inverseSqrt': { lr: number; warmupSteps?: number };
  }
}

/**
 * An example schedule plugin. Its types are used as `"acme:warmSine"` and `"acme:inverseSqrt"`
 * in any spec, alone or inside warmup/sequential/chain, once the plugin is registered:
 * `createScheduleRegistry({ plugins: [acme] })` in code, `--plugin <module>` in the CLI.
 */
export default defineSchedulePlugin({
  specificationVersion: 'v1',
  meta: { name: 'acme', version: '1.0.0' },
  schedules: {
    /** η(t) = lr·(floor + (1 − floor)·sin(π/2·min(1, t/steps))): a smooth quarter-sine warmup. */
    warmSine: {
      description: 'η(t) = lr·(floor + (1 − floor)·sin(π/2·min(1, t/steps)))',
      parameters: {
        lr: {
          kind: 'number',
          min: 0,
          minInclusive: true,
          inheritable: true,
          description: 'rate reached after the warmup',
        },
        steps: { kind: 'number', integer: true, min: 0, description: 'length of the warmup' },
        floor: {
          kind: 'number',
          min: 0,
          minInclusive: true,
          max: 1,
          maxInclusive: true,
          default: 0,
          description: 'starting fraction of lr',
        },
      },
      create: (parameters) => {
        const lr = parameters.lr as number;
        const steps = parameters.steps as number;
        const floor = parameters.floor as number;
        return {
          value: (t) => lr * (floor + (1 - floor) * Math.sin((Math.PI / 2) * Math.min(1, t / steps))),
        };
      },
    },
    /**
     * The Transformer ("Noam") schedule, normalised to peak at lr:
     * η(t) = lr·√warmupSteps·min((t + 1)^−½, (t + 1)·warmupSteps^−³ᐟ²).
     */
    inverseSqrt: {
      description: 'η(t) = lr·√w·min((t+1)^−0.5, (t+1)·w^−1.5): linear warmup over w steps, then 1/√t decay',
      reference: 'Vaswani et al. 2017, "Attention is all you need", eq. 3 (peak normalised to lr)',
      parameters: {
        lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'peak rate' },
        warmupSteps: {
          kind: 'number',
          integer: true,
          min: 0,
          default: 4000,
          description: 'steps of linear warmup (w)',
        },
      },
      create: (parameters) => {
        const lr = parameters.lr as number;
        const warmup = parameters.warmupSteps as number;
        return { value: (t) => lr * Math.sqrt(warmup) * Math.min((t + 1) ** -0.5, (t + 1) * warmup ** -1.5) };
      },
    },
  },
});
