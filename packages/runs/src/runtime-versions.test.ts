import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runtimeVersions } from './run-training.js';

describe('runtimeVersions', () => {
  it('records the versions of @contour/core (from its package.json), tfjs-core and Node', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../core/package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    expect(runtimeVersions()).toEqual({
      node: process.versions.node,
      '@tensorflow/tfjs-core': tf.version_core,
      contour: version,
    });
  });
});
