import { describeValue, ScheduleSpecError, ScheduleValueError } from '../errors.js';
import type { JsonValue, Schedule, ScheduleBehaviour, ScheduleDefinition } from '../types.js';
import { learningRateParameter, unitInterval } from './parameter-presets.js';
import { countAtOrBelow } from './pytorch.js';

const optionalLearningRate = {
  ...learningRateParameter,
  optional: true,
  description: 'rate the members inherit when they omit lr',
} as const;

/** State of a combinator: its members' states in order (null for pure members). */
function membersState(members: readonly Schedule[]): JsonValue {
  return { members: members.map((member) => member.getState()) };
}

function restoreMembers(type: string, members: readonly Schedule[], saved: JsonValue): void {
  const states = (saved as { members?: unknown } | null)?.members;
  if (!Array.isArray(states) || states.length !== members.length) {
    throw new ScheduleValueError(
      `${type} state must be {"members": [...]} with ${members.length} entries; got ${describeValue(saved)}`,
    );
  }
  members.forEach((member, index) => {
    member.setState(states[index] as JsonValue);
  });
}

/** Adds state handlers to a combinator when any member is stateful. */
function withMemberState(
  type: string,
  behaviour: ScheduleBehaviour,
  members: readonly Schedule[],
  observe: (metric: number, t: number) => void,
): ScheduleBehaviour {
  if (!members.some((member) => member.stateful)) return behaviour;
  return {
    ...behaviour,
    state: {
      observe,
      get: () => membersState(members),
      set: (saved) => restoreMembers(type, members, saved),
    },
  };
}

/**
 * `warmup`: a linear ramp from startFactor·s(0) to s(0) over `steps`, then s(t − steps), where s
 * is the wrapped schedule (a constant `lr` when absent). The wrapped schedule inherits `lr`.
 */
export const warmupSchedule: ScheduleDefinition = {
  description: 't < steps: s(0)·(startFactor + (1 − startFactor)·t/steps); then s(t − steps)',
  parameters: {
    lr: optionalLearningRate,
    steps: { kind: 'number', integer: true, min: 0, description: 'length of the warmup' },
    startFactor: unitInterval('fraction of s(0) at t = 0', 0),
    schedule: {
      kind: 'schedule',
      optional: true,
      description: 'schedule after warmup (default: constant lr)',
    },
  },
  create: (parameters, context) => {
    const lr = parameters.lr as number | undefined;
    const steps = parameters.steps as number;
    const startFactor = parameters.startFactor as number;
    const memberSpec =
      (parameters.schedule as object | undefined) ?? (lr === undefined ? undefined : { type: 'constant' });
    if (memberSpec === undefined) {
      throw new ScheduleSpecError(
        'lr',
        'given when "schedule" is absent (a finite number ≥ 0)',
        undefined,
        'warmup',
      );
    }
    const inner = context.createMember(memberSpec, 'schedule', lr);
    const peak = inner.value(0);
    const behaviour: ScheduleBehaviour = {
      baseLearningRate: lr ?? inner.baseLearningRate,
      value: (t) =>
        t < steps ? peak * (startFactor + ((1 - startFactor) * t) / steps) : inner.value(t - steps),
      momentum: (t) => inner.momentum(Math.max(0, t - steps)),
    };
    if (!inner.cyclesMomentum) delete behaviour.momentum;
    // Metrics seen during warmup are not fed to a stateful inner schedule: its clock starts after.
    return withMemberState('warmup', behaviour, [inner], (metric, t) => {
      if (t >= steps) inner.observe(metric, t - steps);
    });
  },
};

/**
 * `sequential`: member k takes over at milestones[k−1] and restarts at its own t = 0 (PyTorch
 * SequentialLR). Members inherit `lr`.
 */
export const sequentialSchedule: ScheduleDefinition = {
  description: 'member k runs from milestones[k−1] on, at t − milestones[k−1]',
  reference: 'PyTorch SequentialLR',
  parameters: {
    lr: optionalLearningRate,
    schedules: { kind: 'schedules', minLength: 1, description: 'member schedules in order' },
    milestones: {
      kind: 'numbers',
      integer: true,
      min: 1,
      order: 'increasing',
      description: 'steps at which the next member takes over (one fewer than schedules)',
    },
  },
  create: (parameters, context) => {
    const lr = parameters.lr as number | undefined;
    const specs = parameters.schedules as unknown[];
    const milestones = parameters.milestones as number[];
    if (milestones.length !== specs.length - 1) {
      throw new ScheduleSpecError(
        'milestones',
        `an array of schedules.length − 1 = ${specs.length - 1} steps`,
        milestones,
        'sequential',
      );
    }
    const members = specs.map((spec, index) => context.createMember(spec, `schedules[${index}]`, lr));
    const locate = (t: number) => {
      const index = countAtOrBelow(milestones, t);
      return {
        member: members[index] as Schedule,
        local: index === 0 ? t : t - (milestones[index - 1] as number),
      };
    };
    const behaviour: ScheduleBehaviour = {
      baseLearningRate: lr ?? (members[0] as Schedule).baseLearningRate,
      value: (t) => {
        const { member, local } = locate(t);
        return member.value(local);
      },
      momentum: (t) => {
        const { member, local } = locate(t);
        return member.momentum(local);
      },
    };
    if (!members.some((member) => member.cyclesMomentum)) delete behaviour.momentum;
    return withMemberState('sequential', behaviour, members, (metric, t) => {
      const { member, local } = locate(t);
      member.observe(metric, local);
    });
  },
};

/**
 * `chain`: η(t) = lr·Π_k (member_k(t)/lr_k): the members' multiplicative factors compose, as
 * PyTorch's ChainedScheduler computes. Members inherit `lr`; each member's own rate must be > 0.
 */
export const chainSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·product of member(t)/member.lr',
  reference: 'PyTorch ChainedScheduler',
  parameters: {
    lr: learningRateParameter,
    schedules: { kind: 'schedules', minLength: 1, description: 'member schedules whose factors multiply' },
  },
  create: (parameters, context) => {
    const lr = parameters.lr as number;
    const specs = parameters.schedules as unknown[];
    const members = specs.map((spec, index) => {
      const member = context.createMember(spec, `schedules[${index}]`, lr);
      if (!(member.baseLearningRate > 0)) {
        throw new ScheduleSpecError(
          `schedules[${index}].lr`,
          'a number > 0 (chain divides by each member’s own rate)',
          member.baseLearningRate,
          'chain',
        );
      }
      return member;
    });
    const cycling = members.find((member) => member.cyclesMomentum);
    const behaviour: ScheduleBehaviour = {
      value: (t) => members.reduce((rate, member) => rate * (member.value(t) / member.baseLearningRate), lr),
    };
    if (cycling) behaviour.momentum = (t) => cycling.momentum(t);
    return withMemberState('chain', behaviour, members, (metric, t) => {
      for (const member of members) member.observe(metric, t);
    });
  },
};
