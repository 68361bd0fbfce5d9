import { describe, expect, it } from 'vitest';
import { CoreSpecError } from './core-spec-error.js';
import {
  resolveSuccessiveHalving,
  SuccessiveHalving,
  type SuccessiveHalvingJob,
  successiveHalvingRungs,
} from './successive-halving.js';
import { paperPromotion } from './test-support/asha-paper-rule.js';

const states = (scheduler: SuccessiveHalving) =>
  Array.from({ length: scheduler.trialCount }, (_, trial) => scheduler.stage(trial).state);
const trialsOf = (jobs: readonly SuccessiveHalvingJob[]) => jobs.map((job) => job.trial);

describe('successiveHalvingRungs', () => {
  it('is r·η^k below R', () => {
    expect(successiveHalvingRungs({ maxEpochs: 10 })).toEqual([1, 3, 9]);
    expect(successiveHalvingRungs({ maxEpochs: 9 })).toEqual([1, 3]);
    expect(successiveHalvingRungs({ maxEpochs: 27, reductionFactor: 3, minEpochs: 1 })).toEqual([1, 3, 9]);
    expect(successiveHalvingRungs({ maxEpochs: 10, reductionFactor: 2, minEpochs: 2 })).toEqual([2, 4, 8]);
    expect(successiveHalvingRungs({ maxEpochs: 5, minEpochs: 5 })).toEqual([]);
  });
});

describe('resolveSuccessiveHalving', () => {
  it('names the field and what is allowed', () => {
    expect(() => resolveSuccessiveHalving({ maxEpochs: 10, reductionFactor: 1 })).toThrow(
      '"reductionFactor" must be an integer ≥ 2; got 1',
    );
    expect(() => resolveSuccessiveHalving({ maxEpochs: 10, reductionFactor: 2.5 })).toThrow(CoreSpecError);
    expect(() => resolveSuccessiveHalving({ maxEpochs: 10, minEpochs: 11 })).toThrow(
      '"minEpochs" must be an integer from 1 to the epochs (10); got 11',
    );
    expect(() => resolveSuccessiveHalving({ maxEpochs: 10, minEpochs: 0 })).toThrow(CoreSpecError);
    expect(resolveSuccessiveHalving({ maxEpochs: 10 })).toEqual({
      reductionFactor: 3,
      minEpochs: 1,
      maxEpochs: 10,
    });
  });
});

describe('SuccessiveHalving', () => {
  it('promotes asynchronously: the top ⌊n/η⌋ of the trials that completed a rung so far (9 trials, η 3)', () => {
    const scheduler = new SuccessiveHalving(9, { maxEpochs: 9 });
    expect(scheduler.rungs).toEqual([1, 3]);
    const starts = scheduler.nextJobs();
    expect(starts).toEqual(Array.from({ length: 9 }, (_, trial) => ({ trial, fromEpoch: 0, toEpoch: 1 })));
    const rung0 = [0.9, 0.5, 0.7, 0.2, 0.8, 0.3, 0.6, 0.4, 0.1];
    const arrive = (trial: number) => scheduler.report(trial, 1, rung0[trial] as number);
    arrive(0);
    arrive(1);
    // n = 2: ⌊2/3⌋ = 0 promotable.
    expect(scheduler.promotions()).toEqual([]);
    arrive(2);
    // n = 3: the best of 3 (trial 1, 0.5) goes on to rung 1 (epoch 3).
    expect(scheduler.promotions()).toEqual([{ trial: 1, fromEpoch: 1, toEpoch: 3, promotedFrom: 0 }]);
    arrive(3);
    // n = 4: top 1 is trial 3 (0.2).
    expect(trialsOf(scheduler.promotions())).toEqual([3]);
    arrive(4);
    arrive(5);
    // n = 6: top 2 are trials 3 and 5; 3 already went on. Trial 1 (rank 4 now) was promoted
    // earlier and stays promoted (ASHA's accepted mistake).
    expect(trialsOf(scheduler.promotions())).toEqual([5]);
    arrive(6);
    arrive(7);
    expect(scheduler.promotions()).toEqual([]);
    arrive(8);
    // n = 9: top 3 are 8, 3, 5: trial 8 goes on; the rung is closed (every trial completed it),
    // so the others waiting there stop for good.
    expect(trialsOf(scheduler.promotions())).toEqual([8]);
    expect(states(scheduler)).toEqual([
      'stopped',
      'training',
      'stopped',
      'training',
      'stopped',
      'training',
      'stopped',
      'stopped',
      'training',
    ]);
    expect(scheduler.stage(7)).toEqual({
      state: 'stopped',
      rung: 0,
      epoch: 1,
      reason: 'stopped at rung 0 (epoch 1): val loss 0.4 not in the top 1/3 of 9 (rank 4)',
    });
    expect(scheduler.stage(0)).toMatchObject({
      reason: expect.stringContaining('0.9 not in the top 1/3 of 9 (rank 9)'),
    });
    // Rung 1 (epoch 3): trials 1, 3, 5, 8 arrive in that order.
    scheduler.report(1, 3, 0.45);
    scheduler.report(3, 3, 0.15);
    expect(scheduler.promotions()).toEqual([]);
    scheduler.report(5, 3, 0.25);
    // n = 3 at the top rung: trial 3 trains to the end (R = 9).
    expect(scheduler.promotions()).toEqual([{ trial: 3, fromEpoch: 3, toEpoch: 9, promotedFrom: 1 }]);
    scheduler.report(8, 3, 0.05);
    // n = 4: top 1 is trial 8; rung 1 is now closed: 5 (rank 3) and 1 (rank 4) stop.
    expect(trialsOf(scheduler.promotions())).toEqual([8]);
    expect(scheduler.stage(5)).toMatchObject({
      reason: 'stopped at rung 1 (epoch 3): val loss 0.25 not in the top 1/3 of 4 (rank 3)',
    });
    expect(scheduler.stage(1)).toMatchObject({ state: 'stopped', rung: 1, epoch: 3 });
    scheduler.report(3, 9, 0.12);
    scheduler.report(8, 9, 0.04);
    expect(scheduler.nextJobs()).toEqual([]);
    expect(scheduler.done).toBe(true);
    // 5 trials × 1 epoch + 2 × 3 + 2 × 9 = 29 of the grid's 81.
    expect(scheduler.epochsUsed).toBe(29);
  });

  it('closes the rungs of a finite grid: the best trial of each trains on (the demo: 5 trials, 10 epochs)', () => {
    const scheduler = new SuccessiveHalving(5, { maxEpochs: 10, reductionFactor: 3, minEpochs: 1 });
    expect(scheduler.nextJobs()).toHaveLength(5);
    for (const [trial, loss] of [0.5, 0.3, 0.9, 0.4, 0.7].entries()) scheduler.report(trial, 1, loss);
    // ⌊5/3⌋ = 1: trial 1; rung 0 closed: the four others stop.
    expect(scheduler.nextJobs()).toEqual([{ trial: 1, fromEpoch: 1, toEpoch: 3, promotedFrom: 0 }]);
    expect(states(scheduler)).toEqual(['stopped', 'training', 'stopped', 'stopped', 'stopped']);
    expect(scheduler.stage(3)).toMatchObject({
      reason: 'stopped at rung 0 (epoch 1): val loss 0.4 not in the top 1/3 of 5 (rank 2)',
    });
    scheduler.report(1, 3, 0.2);
    // Alone at rung 1: ⌊1/3⌋ = 0, but no other trial can arrive, so the best one goes on.
    expect(scheduler.nextJobs()).toEqual([{ trial: 1, fromEpoch: 3, toEpoch: 9, promotedFrom: 1 }]);
    scheduler.report(1, 9, 0.1);
    expect(scheduler.nextJobs()).toEqual([{ trial: 1, fromEpoch: 9, toEpoch: 10, promotedFrom: 2 }]);
    scheduler.report(1, 10, 0.09);
    expect(scheduler.done).toBe(true);
    expect(scheduler.epochsUsed).toBe(4 + 10);
  });

  it('ranks diverged trials last at the rung they were training towards', () => {
    const scheduler = new SuccessiveHalving(4, { maxEpochs: 4, reductionFactor: 2 });
    scheduler.nextJobs();
    scheduler.end(0, 1, 'diverged');
    scheduler.report(1, 1, 0.5);
    scheduler.report(2, 1, 0.4);
    scheduler.report(3, 1, 0.6);
    expect(scheduler.rungEntries(0)).toEqual([
      { trial: 2, loss: 0.4 },
      { trial: 1, loss: 0.5 },
      { trial: 3, loss: 0.6 },
      { trial: 0, loss: Number.POSITIVE_INFINITY },
    ]);
    // n = 4 counts the diverged trial: top ⌊4/2⌋ = 2.
    expect(trialsOf(scheduler.nextJobs())).toEqual([2, 1]);
    expect(scheduler.stage(3)).toMatchObject({
      reason: 'stopped at rung 0 (epoch 1): val loss 0.6 not in the top 1/2 of 4 (rank 3)',
    });
    expect(scheduler.stage(0)).toEqual({ state: 'ended', epoch: 1, status: 'diverged' });
    // Every trial diverges at rung 1: nothing is promoted, the sweep ends.
    scheduler.end(2, 2, 'diverged');
    scheduler.end(1, 2, 'diverged');
    expect(scheduler.nextJobs()).toEqual([]);
    expect(scheduler.done).toBe(true);
  });

  it('rebuilt from the reports of records, reaches the same decisions (resume)', () => {
    const live = new SuccessiveHalving(6, { maxEpochs: 9 });
    live.nextJobs();
    const losses = [0.6, 0.2, 0.5, 0.3, 0.9, 0.1];
    for (const [trial, loss] of losses.entries()) live.report(trial, 1, loss);
    expect(trialsOf(live.nextJobs())).toEqual([5, 1]);
    live.report(5, 3, 0.05);
    // Rebuilt after Ctrl-C: trial 5 reached rung 1, trial 1 had trained to epoch 2 (checkpoint).
    const rebuilt = new SuccessiveHalving(6, { maxEpochs: 9 });
    for (const [trial, loss] of losses.entries()) rebuilt.report(trial, 1, loss);
    rebuilt.report(5, 3, 0.05);
    expect(rebuilt.resume(1, 2)).toEqual({ trial: 1, fromEpoch: 2, toEpoch: 3, promotedFrom: 0 });
    expect(rebuilt.nextJobs()).toEqual([]);
    expect(states(rebuilt)).toEqual(states(live));
    for (const trial of [0, 2, 3, 4]) expect(rebuilt.stage(trial)).toEqual(live.stage(trial));
  });

  it('without rungs (minEpochs = epochs) trains every trial to the end', () => {
    const scheduler = new SuccessiveHalving(3, { maxEpochs: 2, minEpochs: 2 });
    expect(scheduler.nextJobs()).toEqual([0, 1, 2].map((trial) => ({ trial, fromEpoch: 0, toEpoch: 2 })));
    for (const trial of [0, 1, 2]) scheduler.report(trial, 2, 0.1 * trial);
    expect(scheduler.done).toBe(true);
    expect(scheduler.epochsUsed).toBe(6);
  });

  it('refuses reports that are neither a rung nor the end', () => {
    const scheduler = new SuccessiveHalving(2, { maxEpochs: 9 });
    expect(() => scheduler.report(0, 2, 0.1)).toThrow('epoch 2 is neither a rung (1, 3) nor the end');
    expect(() => scheduler.report(2, 1, 0.1)).toThrow('no trial 2');
  });

  it("matches a transcription of the paper's get_job promotion while no rung is closed", () => {
    // Arrivals at rung 0 and rung 1 in a fixed pseudo-random order; 40 trials, so that no rung
    // closes during the sequence and only ASHA's rule decides.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const scheduler = new SuccessiveHalving(40, { maxEpochs: 27 });
    // Rungs at epochs 1, 3, 9 and the end (27), as the paper's rungs 0…3.
    const reference: Array<Map<number, number>> = [new Map(), new Map(), new Map(), new Map()];
    const referencePromoted: Array<Set<number>> = [new Set(), new Set(), new Set(), new Set()];
    scheduler.nextJobs();
    let promotions = 0;
    const training = new Map<number, number>();
    for (let trial = 0; trial < 30; trial += 1) training.set(trial, 0);
    for (let event = 0; event < 30; event += 1) {
      const running = [...training.keys()];
      const trial = running[Math.floor(random() * running.length)] as number;
      const rung = training.get(trial) as number;
      training.delete(trial);
      const loss = Math.round(random() * 1000) / 1000;
      scheduler.report(trial, scheduler.rungs[rung] as number, loss);
      reference[rung]?.set(trial, loss);
      // The paper's get_job, asked until it has no promotion left.
      const expected: number[] = [];
      for (;;) {
        const promoted = paperPromotion(reference, referencePromoted, 3);
        if (promoted === undefined) break;
        referencePromoted[promoted.rung]?.add(promoted.trial);
        expected.push(promoted.trial);
      }
      const jobs = scheduler.promotions();
      expect(trialsOf(jobs).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
      for (const job of jobs) if (job.toEpoch < 27) training.set(job.trial, (job.promotedFrom as number) + 1);
      promotions += jobs.length;
    }
    // The sequence does exercise the rule: 13 promotions over 30 arrivals.
    expect(promotions).toBe(13);
  });
});
