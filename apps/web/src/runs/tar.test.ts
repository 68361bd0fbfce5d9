import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTar, readTar } from './tar.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-web-tar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const text = (value: string) => new TextEncoder().encode(value);

describe('createTar', () => {
  it('writes an archive that the system tar extracts, long paths included', () => {
    const long = `runs/${'a'.repeat(80)}/${'b'.repeat(60)}/metrics.jsonl`;
    const archive = createTar([
      { path: 'runs/lr=0.1/metrics.jsonl', content: text('{"kind":"finish"}\n') },
      { path: 'runs/lr=0.1/empty.txt', content: new Uint8Array() },
      { path: long, content: text('x'.repeat(1000)) },
    ]);
    expect(archive.length % 512).toBe(0);
    const file = join(scratch, 'runs.tar');
    writeFileSync(file, archive);
    execFileSync('tar', ['-xf', file, '-C', scratch]);
    expect(readFileSync(join(scratch, 'runs/lr=0.1/metrics.jsonl'), 'utf8')).toBe('{"kind":"finish"}\n');
    expect(readFileSync(join(scratch, long), 'utf8')).toBe('x'.repeat(1000));
  });
});

describe('readTar', () => {
  it('reads back what createTar wrote and what the system tar writes', () => {
    const entries = [
      { path: 'a/config.json', content: text('{}') },
      { path: 'a/metrics.jsonl', content: text('line\n'.repeat(300)) },
    ];
    expect(readTar(createTar(entries))).toEqual(entries);
    writeFileSync(join(scratch, 'status.json'), '{"status":"finished"}');
    const system = execFileSync('tar', ['-cf', '-', '-C', scratch, 'status.json']);
    expect(readTar(new Uint8Array(system))).toEqual([
      { path: 'status.json', content: text('{"status":"finished"}') },
    ]);
  });

  it('rejects corrupt headers and truncated archives', () => {
    const archive = createTar([{ path: 'a.txt', content: text('hello') }]);
    const corrupt = archive.slice();
    corrupt[0] = 0x62;
    expect(() => readTar(corrupt)).toThrow('corrupt header at byte 0');
    const truncated = createTar([{ path: 'big.txt', content: new Uint8Array(2000) }]).slice(0, 1024);
    expect(() => readTar(truncated)).toThrow('runs past the end');
  });
});
