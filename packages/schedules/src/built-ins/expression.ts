import { Parser } from 'expr-eval-fork';
import { ScheduleSpecError } from '../errors.js';
import type { ScheduleDefinition } from '../types.js';
import { learningRateParameter } from './parameter-presets.js';

const allowedVariables = ['t', 'lr'];

/** A parser with everything that could loop, assign, define functions or be random turned off. */
const parser = new Parser({
  allowMemberAccess: false,
  operators: {
    assignment: false,
    fndef: false,
    random: false,
    concatenate: false,
    in: false,
    logical: true,
    comparison: true,
    conditional: true,
  },
});

/**
 * `expr`: a formula in `t` (and `lr` when given), e.g. `0.1 * 0.5 ^ floor(t / 10)`, evaluated by
 * the expression library expr-eval (a parser, never `eval`). Functions: floor, ceil, round, exp,
 * log, sqrt, abs, min, max, cos, sin, tanh, ...; `^` is power; `x ? a : b` conditionals.
 */
export const expressionSchedule: ScheduleDefinition = {
  description: 'η(t) = a formula in t and lr, e.g. "0.1 * 0.5 ^ floor(t / 10)"',
  parameters: {
    expr: { kind: 'string', description: 'formula in t (and lr); ^ is power' },
    lr: { ...learningRateParameter, optional: true, description: 'value of the variable lr in the formula' },
  },
  create: (parameters) => {
    const source = parameters.expr as string;
    const lr = parameters.lr as number | undefined;
    let evaluate: (t: number) => number;
    try {
      const expression = parser.parse(source);
      const unknown = expression.variables().filter((name) => !allowedVariables.includes(name));
      if (unknown.length > 0) {
        throw new Error(
          `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: t, lr)`,
        );
      }
      if (lr === undefined && expression.variables().includes('lr')) {
        throw new Error('it uses lr but no "lr" is given');
      }
      evaluate = (t) => {
        const result: unknown = expression.evaluate(lr === undefined ? { t } : { t, lr });
        return typeof result === 'number' ? result : Number.NaN;
      };
      const first = evaluate(0);
      if (!Number.isFinite(first) || first < 0) throw new Error(`it gives ${first} at t = 0`);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new ScheduleSpecError(
        'expr',
        `a formula in t giving a finite rate ≥ 0 (${reason})`,
        source,
        'expr',
      );
    }
    return { baseLearningRate: lr ?? evaluate(0), value: evaluate };
  },
};
