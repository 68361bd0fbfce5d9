import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { oneLine } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quick = ['--train-limit', '300', '--backend', 'cpu', '--epochs', '1'];
const directoryFile = join(scratch, 'a-directory');
mkdirSync(directoryFile);
const bigFile = join(scratch, 'big.json');
writeFileSync(bigFile, `{"type":"sgd","pad":"${'x'.repeat(1024 * 1024)}"}`);
const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const plugin = join(scratch, 'broken-plugin.mjs');
writeFileSync(
  plugin,
  `export default { specificationVersion: 'v1', meta: { name: 'broken', version: '1.0.0' }, schedules: {
    boom: { description: 'create throws', parameters: {}, create: () => { throw new Error('create boom'); } },
    nothing: { description: 'create returns null', parameters: {}, create: () => null },
  } };\n`,
);

/** Flags given to `train` that must stop it with one line, exit 2, before any run directory exists. */
const hostile: Array<[string[], string]> = [
  [['--optimizer', '@/dev/zero'], '--optimizer @/dev/zero: not a regular file'],
  [['--schedule', '@/dev/zero'], '--schedule @/dev/zero: not a regular file'],
  [['--optimizer', `@${directoryFile}`], `--optimizer @${directoryFile}: not a regular file`],
  [['--optimizer', `@${bigFile}`], 'spec files may hold at most 1 MiB'],
  [['--optimizer', `@${join(scratch, 'missing.json')}`], 'no such file'],
  [['--optimizer', deep], '--optimizer: JSON nested more than 64 levels deep'],
  [['--schedule', deep], '--schedule: JSON nested more than 64 levels deep'],
  [['--optimizer', '{"type":"constructor"}'], '"type" must be one of sgd'],
  [['--optimizer', '{"type":"toString"}'], '"type" must be one of sgd'],
  [['--optimizer', '{"type":"__proto__"}'], '"type" must be one of sgd'],
  [['--optimizer', '{"type":"sgd","__proto__":{"momentum":0.9}}'], 'the key "__proto__" is not allowed'],
  [['--optimizer', '{"type":"sgd","constructor":1}'], 'the key "constructor" is not allowed'],
  [['--schedule', '{"type":"step","stepSize":2,"__proto__":{"x":1}}'], 'the key "__proto__" is not allowed'],
  [
    ['--schedule', '{"type":"step","stepSize":2,"nested":{"prototype":1}}'],
    'the key "prototype" is not allowed',
  ],
  [['--schedule', '{"type":"constructor"}'], '"lr.type" of "sgd" must be one of constant'],
  [['--schedule', '2.5'], '--schedule must be a JSON object like'],
  [['--schedule', '"step"'], '--schedule must be a JSON object like'],
  [['--optimizer', '[1,2]'], '--optimizer must be a JSON object'],
  [['--lr', ''], '--lr must be a decimal number; got ""'],
  [['--lr', ' '], '--lr must be a decimal number; got " "'],
  [['--lr', '0x10'], '--lr must be a decimal number; got "0x10"'],
  [['--lr', 'Infinity'], '--lr must be a decimal number'],
  [['--lr', 'NaN'], '--lr must be a decimal number'],
  [['--lr', '-1'], '--lr must be a number ≥ 0'],
  [['--epochs', '9007199254740993'], '--epochs must be an integer ≥ 1; got "9007199254740993"'],
  [['--epochs', '1e21'], '--epochs must be an integer ≥ 1; got "1e21"'],
  [['--epochs', '1e29'], '--epochs must be an integer ≥ 1'],
  [['--epochs', '0x10'], '--epochs must be an integer ≥ 1; got "0x10"'],
  [['--epochs', '2.5'], '--epochs must be an integer ≥ 1'],
  [['--epochs', ''], '--epochs must be an integer ≥ 1'],
  [['--epochs', '0'], '--epochs must be an integer ≥ 1'],
  [['--epochs', '2000000'], '--epochs must be at most 1000000; got 2000000'],
  [['--batch-size', '1.5'], '--batch-size must be an integer ≥ 1'],
  [['--batch-size', '0x40'], '--batch-size must be an integer ≥ 1'],
  [['--train-limit', '-5'], '--train-limit must be an integer ≥ 1'],
  [['--seed', '-1'], '--seed must be an integer in 0..4294967295'],
  [['--seed', '1e3'], '--seed must be an integer in 0..4294967295'],
  [['--validation', '0x1'], '--validation must be a decimal number'],
  [['--dropout', ''], '--dropout must be a decimal number'],
  [['--model', 'mlp:1e9'], '"model.hidden" must be one or more integer layer sizes in 1..65536'],
  [['--model', 'mlp:65537'], '"model.hidden" must be one or more integer layer sizes in 1..65536'],
  [['--model', 'mlp:60000,60000'], 'neighbours multiply to at most 100,000,000 weights'],
  [['--model', 'mlp:'], '"model.hidden" must be'],
  [['--model', `${join(scratch, 'missing-model.json')}`], 'no such file'],
  [['--model', '/dev/zero.json'], 'no such file'],
];

describe('hostile input to contour train', () => {
  it.each(
    hostile.map(([flags, message], index) => [index, flags.join(' ').slice(0, 60), flags, message] as const),
  )('#%i %s: one line, exit 2, no run directory', async (index, _label, flags, message) => {
    const out = join(scratch, `run-${index}`);
    const { code, stderr } = await runInProcess(['train', ...quick, ...flags, '--out', out]);
    expect(code, stderr).toBe(2);
    const line = oneLine(stderr);
    expect(line.startsWith('contour: ')).toBe(true);
    expect(line).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it('sweep flags: hex and blank rates, reserved --vary keys', async () => {
    const cases: Array<[string[], string]> = [
      [['--lr', '0x10,0.1'], '--lr must be comma-separated decimal numbers; item 1 is "0x10"'],
      [['--lr', '0.1,'], 'item 2 is ""'],
      [['--lr', '0.1', '--vary', 'optimizer.__proto__=1,2'], '"vary" must be a key such as'],
      [['--lr', '0.1', '--vary', 'optimizer.prototype=1,2'], '"vary" must be a key such as'],
      [
        ['--lr', '0.1', '--vary', 'schedule=[{"type":"step","stepSize":1,"__proto__":{}}]'],
        'the key "__proto__" is not allowed',
      ],
    ];
    for (const [flags, message] of cases) {
      const out = join(scratch, `sweep-${flags.join('-').replace(/\W+/g, '')}`);
      const { code, stderr } = await runInProcess(['sweep', ...quick, ...flags, '--out', out]);
      expect(code, `${flags.join(' ')}: ${stderr}`).toBe(2);
      expect(oneLine(stderr)).toContain(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('plugin errors name the plugin and the schedule type', () => {
  it.each([
    ['broken:boom', 'contour: schedule "broken:boom" (plugin broken@1.0.0): create() threw: create boom'],
    [
      'broken:nothing',
      'contour: schedule "broken:nothing" (plugin broken@1.0.0): create() returned null; it must return an object with a value(t) function',
    ],
  ])('%s', async (type, line) => {
    const { code, stderr } = await runInProcess([
      'schedule',
      `{"type":"${type}"}`,
      '--plugin',
      plugin,
      '--steps',
      '3',
    ]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(line);
  });
});
