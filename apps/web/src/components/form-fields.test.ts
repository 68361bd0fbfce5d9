import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describe, expect, it } from 'vitest';
import {
  FieldDrafts,
  parseFraction,
  parseInteger,
  parseModel,
  parseOptimizerSpec,
  parsePositiveNumber,
  parseScheduleSpec,
} from './form-fields.js';

function host(): ReactiveControllerHost & { updates: number } {
  return {
    updates: 0,
    addController(_controller: ReactiveController) {},
    removeController(_controller: ReactiveController) {},
    requestUpdate() {
      this.updates += 1;
    },
    updateComplete: Promise.resolve(true),
  };
}

describe('parseScheduleSpec', () => {
  it('reads empty text as no schedule and a valid spec as itself', () => {
    expect(parseScheduleSpec('  ')).toEqual({ value: null });
    expect(parseScheduleSpec('{"type":"cosine","tMax":10}')).toEqual({ value: { type: 'cosine', tMax: 10 } });
  });

  it('names the schedule’s own field, never the optimizer', () => {
    const parsed = parseScheduleSpec('{"type":"cosine","tMax":-3}');
    expect('error' in parsed && parsed.error).toMatch(/tMax/);
    expect('error' in parsed && parsed.error).not.toMatch(/optimizer/);
  });

  it('reports broken JSON and non-objects', () => {
    expect('error' in parseScheduleSpec('{"type":')).toBe(true);
    expect(parseScheduleSpec('[1]')).toEqual({ error: 'must be a JSON object, e.g. {"type": "sgd"}' });
  });
});

describe('parseOptimizerSpec', () => {
  it('needs a JSON object with a type', () => {
    expect(parseOptimizerSpec('{"type":"adam"}')).toEqual({ value: { type: 'adam' } });
    expect(parseOptimizerSpec('{"momentum":0.9}')).toEqual({
      error: 'needs a "type", e.g. {"type": "sgd", "momentum": 0.9}',
    });
    expect('error' in parseOptimizerSpec('{type: sgd}')).toBe(true);
  });
});

describe('parseInteger', () => {
  it('accepts integers in range and says what is allowed otherwise', () => {
    expect(parseInteger(1)('64')).toEqual({ value: 64 });
    expect(parseInteger(0)('0')).toEqual({ value: 0 });
    expect(parseInteger(1)('0')).toEqual({ error: 'must be an integer ≥ 1; got "0"' });
    expect(parseInteger(1)('2.5')).toEqual({ error: 'must be an integer ≥ 1; got "2.5"' });
    expect(parseInteger(1, 10)('')).toEqual({ error: 'must be an integer from 1 to 10; got nothing' });
  });
});

describe('parsePositiveNumber, parseFraction, parseModel', () => {
  it('read rates, shares and model specs', () => {
    expect(parsePositiveNumber('1e-5')).toEqual({ value: 1e-5 });
    expect('error' in parsePositiveNumber('0')).toBe(true);
    expect(parseFraction('0.2')).toEqual({ value: 0.2 });
    expect('error' in parseFraction('1')).toBe(true);
    expect(parseModel(' mlp:128, 64 ')).toEqual({ value: 'mlp:128, 64' });
    expect('error' in parseModel('cnn')).toBe(true);
  });
});

describe('FieldDrafts', () => {
  it('applies valid text, keeps invalid text as typed and lists it until fixed', () => {
    const drafts = new FieldDrafts(host());
    const applied: number[] = [];
    drafts.input('epochs', 'Epochs', '3', parseInteger(1), (value) => applied.push(value));
    drafts.input('epochs', 'Epochs', '-1', parseInteger(1), (value) => applied.push(value));
    expect(applied).toEqual([3]);
    expect(drafts.text('epochs', '3')).toBe('-1');
    expect(drafts.firstInvalid()).toEqual({
      id: 'epochs',
      label: 'Epochs',
      message: 'must be an integer ≥ 1; got "-1"',
    });
    drafts.input('epochs', 'Epochs', '5', parseInteger(1), (value) => applied.push(value));
    expect(applied).toEqual([3, 5]);
    expect(drafts.firstInvalid()).toBeUndefined();
  });

  it('lands a worker error on the field that shows the setting', () => {
    const drafts = new FieldDrafts(host());
    expect(drafts.rejectSetting('optimizer', 'bad momentum')).toBe(false);
    drafts.describe('optimizer', 'sweep-optimizer-json', 'Optimizer spec');
    expect(drafts.rejectSetting('optimizer', 'bad momentum')).toBe(true);
    expect(drafts.error('sweep-optimizer-json')).toBe('bad momentum');
    drafts.clear();
    expect(drafts.firstInvalid()).toBeUndefined();
  });
});
