import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { layersVersion } from './index.js';

describe('layersVersion', () => {
  it("equals package.json's version (update the constant when a release bumps it)", () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(layersVersion).toBe(manifest.version);
  });
});
